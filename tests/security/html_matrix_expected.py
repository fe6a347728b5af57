"""The expected outcomes of the HTML authorization matrix: every browser route, method and
variant against every caller (tests/security/test_html_authorization_matrix.py says how
they are read)."""

from __future__ import annotations

from funding.views.requests import STEPS as REQUEST_STEPS
from incidents.choices import Action
from tests.api_routes import Route, html_routes

OK, LOGIN, REDIRECT, DENIED, HIDDEN, INVALID, CONFLICT = (
    "ok",
    "login",
    "redirect",
    "denied",
    "hidden",
    "invalid",
    "conflict",
)
CALLERS = (
    "anonymous",
    "plain",
    "outsider",
    "worker",
    "department",
    "staff",
    "supervisor",
    "finance",
    "other_finance",
    "admin",
)


def row(
    anonymous,
    plain,
    outsider,
    worker,
    staff,
    admin,
    *,
    department=None,
    supervisor=None,
    finance=None,
    other_finance=None,
) -> dict[str, str]:
    """One route's outcomes. Unless the route says otherwise, a department handler (of a
    department with no task on the ticket) and the other street's finance officer meet
    what a plain user meets; a supervisor of the district what street staff meet; and G's
    finance officer, who works in G's street but keeps nothing there but the books, what
    the supervisor meets."""
    department = plain if department is None else department
    other_finance = plain if other_finance is None else other_finance
    supervisor = staff if supervisor is None else supervisor
    finance = supervisor if finance is None else finance
    values = (
        anonymous,
        plain,
        outsider,
        worker,
        department,
        staff,
        supervisor,
        finance,
        other_finance,
        admin,
    )
    return dict(zip(CALLERS, values, strict=True))


EVERYONE = row(OK, OK, OK, OK, OK, OK)
SIGNED_IN = row(LOGIN, OK, OK, OK, OK, OK)
# Shown to those working in G or above it; G's sibling grid's worker sees the street's
# and the community's rows too, not G's own.
ABOVE_THE_GRID = row(LOGIN, HIDDEN, OK, OK, OK, OK)
IN_THE_GRID = row(LOGIN, HIDDEN, HIDDEN, OK, OK, OK)
# The books of G's street: read by supervisors and keepers, hidden from everyone else.
BOOKS_READERS = row(
    LOGIN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, OK, supervisor=OK, finance=OK, other_finance=HIDDEN
)
# Writing G's street's books: done by its keepers, refused to a supervisor (who reads them),
# hidden from the rest.
BOOKS_KEEPERS = row(
    LOGIN,
    HIDDEN,
    HIDDEN,
    HIDDEN,
    HIDDEN,
    REDIRECT,
    supervisor=DENIED,
    finance=REDIRECT,
    other_finance=HIDDEN,
)
# Community life of G's street: kept by street staff (and administrators), refused to the
# others who read it, hidden from the rest.
KEEPERS_DO = row(LOGIN, HIDDEN, DENIED, DENIED, REDIRECT, REDIRECT, supervisor=DENIED)
# The command centre of G's street moderates its public reports; nobody else moderates.
MODERATORS_DO = row(LOGIN, DENIED, DENIED, DENIED, REDIRECT, REDIRECT, supervisor=DENIED)
NOBODY = row(HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN)


def _ticket_action_rows() -> dict[tuple[str, str], dict[str, str]]:
    """The ticket page's actions on the world's reported (and supervised) ticket, each with
    the ticket's version and a note (and what its form needs, where the world has it).
    A reported ticket offers accept, reject, merge, comment, attach, escalate and the
    supervision steps: any other action is 409 for those who see the ticket. Reporting and
    editing have their own ways in (404)."""
    offered = {
        # The command centre accepts, rejects and merges; supervisors do not.
        "accept": row(LOGIN, HIDDEN, HIDDEN, DENIED, REDIRECT, REDIRECT, supervisor=DENIED),
        "reject": row(LOGIN, HIDDEN, HIDDEN, DENIED, REDIRECT, REDIRECT, supervisor=DENIED),
        # Into the world's closed case, a ticket they see.
        "merge": row(LOGIN, HIDDEN, HIDDEN, DENIED, REDIRECT, REDIRECT, supervisor=DENIED),
        "comment": row(LOGIN, HIDDEN, HIDDEN, REDIRECT, REDIRECT, REDIRECT, finance=DENIED),
        # No photo in the body: the form refuses before anything else.
        "attach": row(LOGIN, HIDDEN, HIDDEN, INVALID, INVALID, INVALID),
        "escalate": row(LOGIN, HIDDEN, HIDDEN, DENIED, REDIRECT, REDIRECT, finance=DENIED),
        "supervise": row(
            LOGIN, HIDDEN, HIDDEN, DENIED, DENIED, REDIRECT, supervisor=REDIRECT, finance=DENIED
        ),
        "answer_supervision": row(
            LOGIN, HIDDEN, HIDDEN, REDIRECT, REDIRECT, REDIRECT, supervisor=DENIED
        ),
        # The order is open, not answered: closing it is refused on the form.
        "close_supervision": row(
            LOGIN, HIDDEN, HIDDEN, DENIED, DENIED, INVALID, supervisor=INVALID, finance=DENIED
        ),
    }
    elsewhere = row(LOGIN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN)
    rows = {}
    for action in Action.values:
        if action in (Action.REPORT, Action.EDIT):
            expected = elsewhere
        else:
            expected = offered.get(action, row(LOGIN, HIDDEN, HIDDEN, CONFLICT, CONFLICT, CONFLICT))
        rows[(f"incidents:act[{action}]", "POST")] = expected
    return rows


MATRIX: dict[tuple[str, str], dict[str, str]] = {
    # The front door, health and signing in and out (Django's views).
    ("home", "GET"): EVERYONE,
    ("healthz", "GET"): EVERYONE,
    ("login", "GET"): EVERYONE,
    # An empty sign-in form comes back with its errors, with 200 (Django's LoginView).
    ("login", "POST"): EVERYONE,
    ("login", "PUT"): EVERYONE,
    ("logout", "POST"): row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    # Places: the street's map is shown to those working in it (each sees their grids).
    ("grids:street-index", "GET"): SIGNED_IN,
    ("grids:street-map", "GET"): ABOVE_THE_GRID,
    # Cases: worklists show the caller's reach; the ticket, its photo and its actions are
    # of those who see it (the reporting worker, and G's street and district).
    ("incidents:queue", "GET"): SIGNED_IN,
    ("incidents:map", "GET"): SIGNED_IN,
    ("incidents:inbox", "GET"): SIGNED_IN,
    ("incidents:supervision", "GET"): SIGNED_IN,
    ("incidents:ticket", "GET"): IN_THE_GRID,
    ("incidents:photo", "GET"): IN_THE_GRID,
    **_ticket_action_rows(),
    # The books. Lists and reports show the books the caller reads (none for most); the
    # ledger of G's street is not the other street's keeper's to open. Callers who read no
    # books at all get the page saying so.
    ("funding:ledger", "GET"): row(LOGIN, OK, OK, OK, OK, OK, other_finance=HIDDEN),
    # A transaction without legs: refused on the form for a keeper, refused to a reader.
    # Those who read no books get the page saying so, even on a POST, and nothing is
    # written (a 403 would say it better, as it does to the supervisor).
    ("funding:ledger", "POST"): row(
        LOGIN, OK, OK, OK, OK, INVALID, supervisor=DENIED, finance=INVALID, other_finance=HIDDEN
    ),
    # Posting the posted transaction again says so and goes back to the ledger.
    ("funding:transaction-post", "POST"): BOOKS_KEEPERS,
    ("funding:transaction-reverse", "POST"): BOOKS_KEEPERS,
    ("funding:budgets", "GET"): SIGNED_IN,
    # Opening next year's budget of G's street: the other street's keeper cannot pick it.
    ("funding:budgets", "POST"): row(
        LOGIN,
        DENIED,
        DENIED,
        DENIED,
        DENIED,
        REDIRECT,
        supervisor=DENIED,
        finance=REDIRECT,
        other_finance=INVALID,
    ),
    ("funding:line-add", "POST"): BOOKS_KEEPERS,
    ("funding:line-amount", "POST"): BOOKS_KEEPERS,
    ("funding:requests", "GET"): SIGNED_IN,
    # Asking for money from G's street's budget line: only its keepers may; to anyone
    # else that line is not one of the choices, and the form says so.
    ("funding:requests", "POST"): row(
        LOGIN, INVALID, INVALID, INVALID, INVALID, REDIRECT, supervisor=INVALID, finance=REDIRECT
    ),
    ("funding:request", "GET"): BOOKS_READERS,
    ("funding:receipt-add", "POST"): BOOKS_KEEPERS,
    ("funding:receipt", "GET"): BOOKS_READERS,
    # The request was asked by G's finance officer: another keeper approves or rejects it,
    # its requester withdraws it, and it is not approved yet, so it cannot be paid.
    ("funding:request-step[approve]", "POST"): BOOKS_KEEPERS | {"finance": DENIED},
    ("funding:request-step[reject]", "POST"): BOOKS_KEEPERS | {"finance": DENIED},
    ("funding:request-step[pay]", "POST"): BOOKS_KEEPERS | {"finance": INVALID, "admin": INVALID},
    ("funding:request-step[withdraw]", "POST"): BOOKS_KEEPERS | {"admin": DENIED},
    ("funding:flags", "GET"): SIGNED_IN,
    # Supervisors and keepers run the checks over the books they read.
    ("funding:checks-run", "POST"): row(
        LOGIN,
        DENIED,
        DENIED,
        DENIED,
        DENIED,
        REDIRECT,
        supervisor=REDIRECT,
        finance=REDIRECT,
        other_finance=REDIRECT,
    ),
    ("funding:flag-resolve", "POST"): BOOKS_KEEPERS | {"supervisor": REDIRECT},
    ("funding:reports", "GET"): SIGNED_IN,
    # The budget execution as CSV: an empty file for those who read no books.
    ("funding:reports[csv]", "GET"): SIGNED_IN,
    # The public disclosure of a community's books (财务公开) needs no sign-in.
    ("funding:disclosure", "GET"): EVERYONE,
    # Assessment of grid G: for those working in it or above it.
    ("assessment:dashboard", "GET"): IN_THE_GRID,
    # G's street: a grid's workers see the places above their grid for context only, not
    # their figures.
    ("assessment:dashboard[street]", "GET"): row(LOGIN, HIDDEN, HIDDEN, HIDDEN, OK, OK),
    # The district's department: its figures are read by everyone it is in reach of
    # (personnel.selectors.department_list), which is everyone working in the district.
    ("assessment:dashboard[department]", "GET"): row(
        LOGIN, HIDDEN, OK, OK, OK, OK, department=OK, other_finance=OK
    ),
    # The worker's own figures: theirs and their overseers'.
    ("assessment:dashboard[worker]", "GET"): IN_THE_GRID,
    ("assessment:heat", "GET"): IN_THE_GRID,
    ("assessment:cases", "GET"): IN_THE_GRID,
    ("assessment:report-xlsx", "GET"): IN_THE_GRID,
    ("assessment:scores", "GET"): SIGNED_IN,
    # The worker's score: supervisors over it adjust and sign it off, nobody else.
    ("assessment:score-adjust", "POST"): row(
        LOGIN, HIDDEN, HIDDEN, DENIED, DENIED, REDIRECT, supervisor=REDIRECT, finance=DENIED
    ),
    ("assessment:score-sign-off", "POST"): row(
        LOGIN, HIDDEN, HIDDEN, DENIED, DENIED, REDIRECT, supervisor=REDIRECT, finance=DENIED
    ),
    # Residents of G: read by those working over G, visited by its worker and street staff.
    ("participation:home", "GET"): SIGNED_IN,
    ("participation:residents", "GET"): SIGNED_IN,
    ("participation:resident", "GET"): IN_THE_GRID,
    ("participation:resident-visit", "POST"): row(
        LOGIN, HIDDEN, HIDDEN, REDIRECT, REDIRECT, REDIRECT, supervisor=DENIED
    ),
    ("participation:households", "GET"): SIGNED_IN,
    ("participation:household", "GET"): IN_THE_GRID,
    ("participation:care-list", "GET"): SIGNED_IN,
    # Community life of G's street and community: read by everyone working there, kept by
    # street staff.
    ("participation:organisations", "GET"): SIGNED_IN,
    ("participation:organisation", "GET"): ABOVE_THE_GRID,
    ("participation:volunteers", "GET"): SIGNED_IN,
    ("participation:volunteer", "GET"): ABOVE_THE_GRID,
    ("participation:volunteer-adjust", "POST"): KEEPERS_DO,
    ("participation:volunteer-redeem", "POST"): KEEPERS_DO,
    ("participation:activities", "GET"): SIGNED_IN,
    # Announcing an activity in G's community. Those who keep no community get the list
    # back with 400, and nothing is written (a 403 would say it better).
    ("participation:activities", "POST"): row(
        LOGIN, INVALID, INVALID, INVALID, REDIRECT, REDIRECT, supervisor=INVALID
    ),
    ("participation:activity", "GET"): ABOVE_THE_GRID,
    ("participation:activity-signup", "POST"): KEEPERS_DO,
    # Withdrawing another volunteer's sign-up: a keeper's doing, not a reader's.
    ("participation:activity-withdraw", "POST"): KEEPERS_DO,
    ("participation:activity-cancel", "POST"): KEEPERS_DO,
    # The activity has not started: no attendance to record yet.
    ("participation:activity-attendance", "POST"): KEEPERS_DO
    | {"staff": INVALID, "admin": INVALID},
    ("participation:ranking", "GET"): SIGNED_IN,
    ("participation:points", "GET"): SIGNED_IN,
    ("participation:rewards", "GET"): SIGNED_IN,
    ("participation:rewards", "POST"): row(
        LOGIN, DENIED, DENIED, DENIED, REDIRECT, REDIRECT, supervisor=DENIED
    ),
    ("participation:reward-restock", "POST"): KEEPERS_DO,
    ("participation:redemption-hand-over", "POST"): KEEPERS_DO,
    # Public reports: moderated by G's street's command centre only (403 for a caller who
    # moderates nowhere, 404 for a photo of a report they do not moderate).
    ("participation:moderation", "GET"): row(
        LOGIN, DENIED, DENIED, DENIED, OK, OK, supervisor=DENIED
    ),
    ("participation:report-approve", "POST"): MODERATORS_DO,
    ("participation:report-reject", "POST"): MODERATORS_DO,
    ("participation:report-photo", "GET"): row(
        LOGIN, HIDDEN, HIDDEN, HIDDEN, OK, OK, supervisor=HIDDEN
    ),
    # Proposals: anyone signed in raises one and supports one by id; keepers answer.
    ("participation:proposals", "GET"): SIGNED_IN,
    ("participation:proposal-new", "GET"): SIGNED_IN,
    ("participation:proposal-new", "POST"): row(
        LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT
    ),
    ("participation:proposal", "GET"): ABOVE_THE_GRID,
    ("participation:proposal-support", "POST"): row(
        LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT
    ),
    ("participation:proposal-answer", "POST"): KEEPERS_DO,
    # Surveys of G's street (a draft): read by those working there, kept by street staff.
    ("participation:surveys", "GET"): SIGNED_IN,
    ("participation:survey-create", "POST"): row(
        LOGIN, DENIED, DENIED, DENIED, REDIRECT, REDIRECT, supervisor=DENIED
    ),
    ("participation:survey", "GET"): ABOVE_THE_GRID,
    ("participation:survey", "POST"): KEEPERS_DO,
    ("participation:survey-results", "GET"): ABOVE_THE_GRID,
    ("participation:survey-step[open]", "POST"): KEEPERS_DO,
    # A draft is opened, not closed.
    ("participation:survey-step[close]", "POST"): KEEPERS_DO | {"staff": INVALID, "admin": INVALID},
    ("participation:ratings", "GET"): SIGNED_IN,
    # A new rating link for the closed public case of G: keepers of its community ask; it
    # was rated already, which they are told on the case's page.
    ("participation:rating-link-issue", "POST"): KEEPERS_DO | {"outsider": HIDDEN},
    # People: workloads of one's reach; a worker's track is theirs and their overseers'.
    ("workload", "GET"): SIGNED_IN,
    ("grid-workload", "GET"): SIGNED_IN,
    ("worker-track", "GET"): IN_THE_GRID,
    # An inbox is private, from superusers too.
    ("inbox", "GET"): SIGNED_IN,
    ("inbox-read", "POST"): row(LOGIN, HIDDEN, HIDDEN, REDIRECT, HIDDEN, HIDDEN, finance=HIDDEN),
    ("inbox-read-all", "POST"): row(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    # Public pages need no sign-in and answer everyone alike.
    ("public:landing", "GET"): EVERYONE,
    ("public:report", "GET"): EVERYONE,
    # An anonymous report of G: taken, then on to the page showing its follow code.
    ("public:report", "POST"): row(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    # Nothing was just reported in this session: on to the follow page.
    ("public:report-done", "GET"): row(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    # The world's report followed by its reference and code.
    ("public:follow", "GET"): EVERYONE,
    # It awaits moderation: nothing to rate yet.
    ("public:follow-rate", "POST"): row(INVALID, INVALID, INVALID, INVALID, INVALID, INVALID),
    ("public:grid-outlines", "GET"): EVERYONE,
    ("public:communities", "GET"): EVERYONE,
    ("public:community", "GET"): EVERYONE,
    # The world's rating link was used: the page says so, and a post changes nothing.
    ("public:rate", "GET"): EVERYONE,
    ("public:rate", "POST"): EVERYONE,
    # A draft survey is not open to the public.
    ("public:survey", "GET"): NOBODY,
    ("public:survey", "POST"): NOBODY,
}

# Routes asked in several ways: a path naming a step has a row per step (an unknown step is
# a 404 in the view); a page whose query changes what it is has a row per query (QUERY).
PATH_VARIANTS: dict[str, tuple[str, ...]] = {
    "incidents:act": tuple(Action.values),
    "funding:request-step": tuple(REQUEST_STEPS),
    # The two steps of participation.views.surveys.survey_step_view.
    "participation:survey-step": ("open", "close"),
}
VARIANT_ARGUMENT = {
    "incidents:act": "action",
    "funding:request-step": "step",
    "participation:survey-step": "step",
}
QUERY_VARIANTS: dict[str, tuple[str, ...]] = {
    "funding:reports": ("", "csv"),
    "assessment:dashboard": ("", "street", "department", "worker"),
}


def _cases() -> list[tuple[Route, str, str]]:
    cases = []
    for route in html_routes():
        variants = PATH_VARIANTS.get(route.name) or QUERY_VARIANTS.get(route.name, ("",))
        for method in route.methods:
            cases += [(route, method, variant) for variant in variants]
    return cases


def _label(route: Route, variant: str) -> str:
    return f"{route.name}[{variant}]" if variant else route.name


CASES = _cases()
