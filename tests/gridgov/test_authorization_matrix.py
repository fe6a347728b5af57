"""Every API route and method against every kind of caller.

The matrix must name every route the URLconf has: a new route without an entry fails
``test_matrix_covers_every_route``. Columns are callers:

* anonymous: not signed in; plain: signed in, no role;
* worker: grid_worker on the object grid G (owns the patrol, the profile, the certificate,
  the notification and the device token below, and reported the ticket);
* outsider: grid_worker on G2, the next grid of the same community;
* department: dept_handler of a department of the district with no task on the ticket;
* staff: street_staff of G's street; supervisor: supervisor of the district (issued the
  ticket's supervision order); admin: superuser.

Outcomes: OK (2xx), DENIED (401/403), HIDDEN (404), INVALID (400), PRECONDITION (428: writes
to versioned rows need If-Match). Each caller's request runs in a savepoint that is rolled
back, so one caller's write (a revoke, say) never changes what the next one meets.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from incidents.choices import Action
from tests.api_routes import api_routes, route_url
from tests.matrix_world import build_world

OK, DENIED, HIDDEN, INVALID, PRECONDITION = "ok", "denied", "hidden", "invalid", "precondition"
CONFLICT = "conflict"  # 409: the ticket's status does not offer the action
PRINCIPALS = (
    "anonymous",
    "plain",
    "outsider",
    "worker",
    "department",
    "staff",
    "supervisor",
    "admin",
)


def row(
    anonymous, plain, outsider, worker, staff, admin, *, department=None, supervisor=None
) -> dict[str, str]:
    """One route's outcomes. A department handler (of a department with no task on the
    world's ticket) meets what a plain user meets, and a supervisor of the district what
    street staff meet, unless the route says otherwise."""
    department = plain if department is None else department
    supervisor = staff if supervisor is None else supervisor
    values = (anonymous, plain, outsider, worker, department, staff, supervisor, admin)
    return dict(zip(PRINCIPALS, values, strict=True))


SIGNED_IN = row(DENIED, OK, OK, OK, OK, OK)
EVERYONE = row(OK, OK, OK, OK, OK, OK)
ONLY_ADMIN_CREATES = row(DENIED, DENIED, DENIED, DENIED, DENIED, INVALID)
ONLY_ADMIN_EDITS = row(DENIED, DENIED, DENIED, DENIED, DENIED, PRECONDITION)
# Supervisors read and sign off; they do not edit the registers.
STAFF_CREATE = row(DENIED, DENIED, DENIED, DENIED, INVALID, INVALID, supervisor=DENIED)
STAFF_EDIT = row(DENIED, DENIED, DENIED, DENIED, PRECONDITION, PRECONDITION, supervisor=DENIED)
ABOVE_THE_GRID = row(DENIED, HIDDEN, OK, OK, OK, OK)
IN_THE_GRID = row(DENIED, HIDDEN, HIDDEN, OK, OK, OK)
WORKERS_OWN = row(DENIED, HIDDEN, HIDDEN, OK, HIDDEN, HIDDEN)
# The books: read by supervisors and keepers (the admin here), hidden from everyone else.
BOOKS_READERS = row(DENIED, HIDDEN, HIDDEN, HIDDEN, HIDDEN, OK, supervisor=OK)
# Registers kept in the grid (residents): workers in their grid, street staff in their street.
KEEPERS_CREATE = row(DENIED, DENIED, INVALID, INVALID, INVALID, INVALID, supervisor=DENIED)
KEEPERS_EDIT = row(
    DENIED, DENIED, HIDDEN, PRECONDITION, PRECONDITION, PRECONDITION, supervisor=DENIED
)
# Posting a transaction that is posted already: 409 for a keeper, refused for the rest.
KEEPERS_CONFLICT = row(DENIED, DENIED, DENIED, DENIED, DENIED, CONFLICT)


def _ticket_action_rows() -> dict[tuple[str, str], dict[str, str]]:
    """Workflow actions on a reported ticket, with an empty body: the status offers only
    accept, reject, merge, comment and escalate (anything else is 409 for everyone in
    scope); the reporting worker may only comment; the rest need a note or a target."""
    command_centre = {"supervisor": DENIED}
    supervisors_only = {"supervisor": INVALID}
    offered = {
        "accept": row(DENIED, HIDDEN, HIDDEN, DENIED, OK, OK, **command_centre),
        "reject": row(DENIED, HIDDEN, HIDDEN, DENIED, INVALID, INVALID, **command_centre),
        "merge": row(DENIED, HIDDEN, HIDDEN, DENIED, INVALID, INVALID, **command_centre),
        "comment": row(DENIED, HIDDEN, HIDDEN, INVALID, INVALID, INVALID),
        "attach": row(DENIED, HIDDEN, HIDDEN, INVALID, INVALID, INVALID),
        "escalate": row(DENIED, HIDDEN, HIDDEN, DENIED, INVALID, INVALID),
        "supervise": row(DENIED, HIDDEN, HIDDEN, DENIED, DENIED, INVALID, **supervisors_only),
        "answer-supervision": row(
            DENIED, HIDDEN, HIDDEN, INVALID, INVALID, INVALID, supervisor=DENIED
        ),
        "close-supervision": row(
            DENIED, HIDDEN, HIDDEN, DENIED, DENIED, INVALID, **supervisors_only
        ),
    }
    rows = {}
    for action in Action:
        if action == Action.REPORT:
            continue
        slug = action.replace("_", "-")
        expected = offered.get(slug, row(DENIED, HIDDEN, HIDDEN, CONFLICT, CONFLICT, CONFLICT))
        rows[(f"ticket-{slug}", "POST")] = expected
    return rows


MATRIX: dict[tuple[str, str], dict[str, str]] = {
    # Places: the places above one's grid are shown, sibling grids are not.
    ("district-list", "GET"): SIGNED_IN,
    ("district-list", "POST"): ONLY_ADMIN_CREATES,
    # A department's handler sees the district the department serves, and the department.
    ("district-detail", "GET"): row(DENIED, HIDDEN, OK, OK, OK, OK, department=OK),
    ("district-detail", "PUT"): ONLY_ADMIN_EDITS,
    ("district-detail", "PATCH"): ONLY_ADMIN_EDITS,
    ("street-list", "GET"): SIGNED_IN,
    ("street-list", "POST"): ONLY_ADMIN_CREATES,
    ("street-detail", "GET"): ABOVE_THE_GRID,
    ("street-detail", "PUT"): ONLY_ADMIN_EDITS,
    ("street-detail", "PATCH"): ONLY_ADMIN_EDITS,
    ("community-list", "GET"): SIGNED_IN,
    ("community-list", "POST"): ONLY_ADMIN_CREATES,
    ("community-detail", "GET"): ABOVE_THE_GRID,
    ("community-detail", "PUT"): STAFF_EDIT,
    ("community-detail", "PATCH"): STAFF_EDIT,
    ("grid-list", "GET"): SIGNED_IN,
    ("grid-list", "POST"): ONLY_ADMIN_CREATES,
    ("grid-detail", "GET"): IN_THE_GRID,
    ("grid-detail", "PUT"): STAFF_EDIT,
    ("grid-detail", "PATCH"): STAFF_EDIT,
    ("grid-locate", "GET"): row(DENIED, INVALID, INVALID, INVALID, INVALID, INVALID),
    # Components: grid workers keep them current, in their own grid only.
    ("component-list", "GET"): SIGNED_IN,
    ("component-list", "POST"): row(
        DENIED, DENIED, INVALID, INVALID, INVALID, INVALID, supervisor=DENIED
    ),
    ("component-detail", "GET"): IN_THE_GRID,
    ("component-detail", "PUT"): row(
        DENIED, DENIED, HIDDEN, PRECONDITION, PRECONDITION, PRECONDITION, supervisor=DENIED
    ),
    ("component-detail", "PATCH"): row(
        DENIED, DENIED, HIDDEN, PRECONDITION, PRECONDITION, PRECONDITION, supervisor=DENIED
    ),
    # People.
    ("department-list", "GET"): SIGNED_IN,
    ("department-list", "POST"): STAFF_CREATE,
    ("department-detail", "GET"): row(DENIED, HIDDEN, OK, OK, OK, OK, department=OK),
    ("department-detail", "PUT"): STAFF_EDIT,
    ("department-detail", "PATCH"): STAFF_EDIT,
    ("worker-list", "GET"): SIGNED_IN,
    ("worker-list", "POST"): STAFF_CREATE,
    ("worker-detail", "GET"): IN_THE_GRID,
    ("worker-detail", "PUT"): STAFF_EDIT,
    ("worker-detail", "PATCH"): STAFF_EDIT,
    ("grid-assignment-list", "GET"): SIGNED_IN,
    ("grid-assignment-list", "POST"): STAFF_CREATE,
    ("grid-assignment-detail", "GET"): IN_THE_GRID,
    ("grid-assignment-end", "POST"): row(DENIED, DENIED, DENIED, DENIED, OK, OK, supervisor=DENIED),
    ("role-assignment-list", "GET"): SIGNED_IN,
    ("role-assignment-list", "POST"): STAFF_CREATE,
    ("role-assignment-detail", "GET"): IN_THE_GRID,
    ("role-assignment-revoke", "POST"): row(
        DENIED, DENIED, DENIED, DENIED, OK, OK, supervisor=DENIED
    ),
    # Field work: only the patrol's own worker records it; supervisors of the area read it.
    ("patrol-list", "GET"): SIGNED_IN,
    ("patrol-list", "POST"): row(DENIED, DENIED, INVALID, INVALID, DENIED, INVALID),
    ("patrol-detail", "GET"): IN_THE_GRID,
    ("patrol-end", "POST"): row(DENIED, DENIED, HIDDEN, INVALID, DENIED, DENIED),
    ("patrol-points", "POST"): row(DENIED, DENIED, HIDDEN, INVALID, DENIED, DENIED),
    ("patrol-checkins", "POST"): row(DENIED, DENIED, HIDDEN, INVALID, DENIED, DENIED),
    ("patrol-day-list", "GET"): SIGNED_IN,
    ("workload-list", "GET"): SIGNED_IN,
    ("grid-workload-list", "GET"): SIGNED_IN,
    # Training: the catalogue is open to all; sessions by street; certificates by holder.
    ("course-list", "GET"): SIGNED_IN,
    ("course-detail", "GET"): SIGNED_IN,
    ("training-session-list", "GET"): SIGNED_IN,
    ("training-session-hours", "GET"): SIGNED_IN,
    ("training-session-detail", "GET"): ABOVE_THE_GRID,
    ("certificate-list", "GET"): SIGNED_IN,
    ("certificate-detail", "GET"): IN_THE_GRID,
    # An inbox is private, from superusers too.
    ("notification-list", "GET"): SIGNED_IN,
    ("notification-unread-count", "GET"): SIGNED_IN,
    ("notification-read-all", "POST"): SIGNED_IN,
    ("notification-detail", "GET"): WORKERS_OWN,
    ("notification-read", "POST"): WORKERS_OWN,
    # Sign-in: callers here use sessions, so logging a token out is a 400.
    ("auth-login", "POST"): row(INVALID, INVALID, INVALID, INVALID, INVALID, INVALID),
    ("auth-logout", "POST"): row(DENIED, INVALID, INVALID, INVALID, INVALID, INVALID),
    ("auth-token-list", "GET"): SIGNED_IN,
    ("auth-token-detail", "DELETE"): WORKERS_OWN,
    ("me", "GET"): SIGNED_IN,
    # Working calendar: a year (default this one), and a deadline that needs its query.
    ("calendar", "GET"): SIGNED_IN,
    ("category-list", "GET"): SIGNED_IN,
    ("category-detail", "GET"): SIGNED_IN,
    ("calendar-deadline", "GET"): row(DENIED, INVALID, INVALID, INVALID, INVALID, INVALID),
    # Tickets: the one in `world` was reported by the worker and awaits acceptance.
    ("ticket-list", "GET"): SIGNED_IN,
    ("ticket-list", "POST"): row(
        DENIED, DENIED, INVALID, INVALID, INVALID, INVALID, supervisor=DENIED
    ),
    ("ticket-detail", "GET"): IN_THE_GRID,
    ("ticket-detail", "PATCH"): row(
        DENIED, DENIED, HIDDEN, PRECONDITION, PRECONDITION, PRECONDITION, supervisor=DENIED
    ),
    ("ticket-events", "GET"): IN_THE_GRID,
    ("ticket-attachments", "GET"): IN_THE_GRID,
    ("ticket-photo", "GET"): IN_THE_GRID,
    ("ticket-tasks", "GET"): IN_THE_GRID,
    ("my-task-list", "GET"): SIGNED_IN,
    ("supervision-order-list", "GET"): SIGNED_IN,
    ("supervision-order-detail", "GET"): IN_THE_GRID,
    **_ticket_action_rows(),
    # Funding: only keepers (here the admin) write the books; supervisors read them and
    # resolve or run the checks; no other role reads them (lists are empty, details 404).
    ("funding-sources", "GET"): SIGNED_IN,
    ("funding-account-list", "GET"): SIGNED_IN,
    ("funding-account-detail", "GET"): BOOKS_READERS,
    ("funding-transaction-list", "GET"): SIGNED_IN,
    ("funding-transaction-list", "POST"): ONLY_ADMIN_CREATES,
    ("funding-transaction-detail", "GET"): BOOKS_READERS,
    ("funding-transaction-post", "POST"): KEEPERS_CONFLICT,
    ("funding-transaction-reverse", "POST"): ONLY_ADMIN_CREATES,
    ("funding-budget-list", "GET"): SIGNED_IN,
    ("funding-budget-list", "POST"): ONLY_ADMIN_CREATES,
    ("funding-budget-detail", "GET"): BOOKS_READERS,
    ("funding-budget-lines", "POST"): ONLY_ADMIN_CREATES,
    ("funding-expenditure-list", "GET"): SIGNED_IN,
    ("funding-expenditure-list", "POST"): ONLY_ADMIN_CREATES,
    ("funding-expenditure-detail", "GET"): BOOKS_READERS,
    ("funding-expenditure-receipts", "GET"): BOOKS_READERS,
    ("funding-expenditure-receipts", "POST"): ONLY_ADMIN_CREATES,
    ("funding-expenditure-approve", "POST"): row(DENIED, DENIED, DENIED, DENIED, DENIED, OK),
    ("funding-expenditure-reject", "POST"): ONLY_ADMIN_CREATES,
    ("funding-expenditure-pay", "POST"): ONLY_ADMIN_CREATES,
    ("funding-expenditure-withdraw", "POST"): row(DENIED, DENIED, DENIED, DENIED, DENIED, DENIED),
    ("funding-flag-list", "GET"): SIGNED_IN,
    ("funding-flag-detail", "GET"): BOOKS_READERS,
    ("funding-flag-resolve", "POST"): row(
        DENIED, DENIED, DENIED, DENIED, DENIED, INVALID, supervisor=INVALID
    ),
    ("funding-flag-run", "POST"): row(DENIED, DENIED, DENIED, DENIED, DENIED, OK, supervisor=OK),
    # Assessment: a forecast reads the caller's own reach (empty for a plain user).
    ("assessment-forecast", "GET"): SIGNED_IN,
    # Indicators and rankings need a scope/period (400 without); the world's score is the
    # worker's: read by them and those over their street; supervisors adjust and sign off.
    ("assessment-indicators", "GET"): row(DENIED, INVALID, INVALID, INVALID, INVALID, INVALID),
    ("assessment-rankings", "GET"): row(DENIED, INVALID, INVALID, INVALID, INVALID, INVALID),
    ("assessment-score-list", "GET"): SIGNED_IN,
    ("assessment-score-detail", "GET"): IN_THE_GRID,
    ("assessment-score-sign-off", "POST"): row(
        DENIED, DENIED, DENIED, DENIED, DENIED, OK, supervisor=OK
    ),
    ("assessment-score-adjust", "POST"): row(
        DENIED, DENIED, DENIED, DENIED, DENIED, INVALID, supervisor=INVALID
    ),
    # Residents: grid workers and street staff keep them current in their own reach;
    # supervisors read them (masked). The empty visit body is a visit recorded now.
    ("resident-list", "GET"): SIGNED_IN,
    ("resident-list", "POST"): KEEPERS_CREATE,
    ("resident-detail", "GET"): IN_THE_GRID,
    ("resident-detail", "PUT"): KEEPERS_EDIT,
    ("resident-detail", "PATCH"): KEEPERS_EDIT,
    ("resident-visits", "POST"): row(DENIED, DENIED, HIDDEN, OK, OK, OK, supervisor=DENIED),
    ("resident-lookup", "POST"): row(DENIED, INVALID, INVALID, INVALID, INVALID, INVALID),
    ("household-list", "GET"): SIGNED_IN,
    ("household-list", "POST"): KEEPERS_CREATE,
    ("household-detail", "GET"): IN_THE_GRID,
    ("household-detail", "PUT"): KEEPERS_EDIT,
    ("household-detail", "PATCH"): KEEPERS_EDIT,
    ("care-list", "GET"): SIGNED_IN,
    # Community life: read by everyone working in the place (street-wide rows by the
    # street's workers too), kept by street staff; a volunteer signs up, withdraws and
    # redeems for themself (the callers here have no volunteer record: 400).
    ("organisation-list", "GET"): SIGNED_IN,
    ("organisation-list", "POST"): STAFF_CREATE,
    ("organisation-detail", "GET"): ABOVE_THE_GRID,
    ("organisation-detail", "PUT"): STAFF_EDIT,
    ("organisation-detail", "PATCH"): STAFF_EDIT,
    ("volunteer-list", "GET"): SIGNED_IN,
    ("volunteer-list", "POST"): STAFF_CREATE,
    ("volunteer-detail", "GET"): ABOVE_THE_GRID,
    ("volunteer-detail", "PUT"): STAFF_EDIT,
    ("volunteer-detail", "PATCH"): STAFF_EDIT,
    ("volunteer-ranking", "GET"): row(DENIED, INVALID, INVALID, INVALID, INVALID, INVALID),
    ("activity-list", "GET"): SIGNED_IN,
    ("activity-list", "POST"): STAFF_CREATE,
    ("activity-detail", "GET"): ABOVE_THE_GRID,
    ("activity-detail", "PUT"): STAFF_EDIT,
    ("activity-detail", "PATCH"): STAFF_EDIT,
    ("activity-signups", "GET"): ABOVE_THE_GRID,
    ("activity-signup", "POST"): row(DENIED, HIDDEN, INVALID, INVALID, INVALID, INVALID),
    ("activity-withdraw", "POST"): row(DENIED, HIDDEN, INVALID, INVALID, INVALID, INVALID),
    ("activity-attendance", "POST"): STAFF_CREATE,
    ("activity-cancel", "POST"): row(DENIED, DENIED, DENIED, DENIED, OK, OK, supervisor=DENIED),
    ("points-entry-list", "GET"): SIGNED_IN,
    ("points-entry-detail", "GET"): ABOVE_THE_GRID,
    ("points-entry-adjust", "POST"): STAFF_CREATE,
    ("reward-list", "GET"): SIGNED_IN,
    ("reward-list", "POST"): STAFF_CREATE,
    ("reward-detail", "GET"): ABOVE_THE_GRID,
    ("reward-detail", "PUT"): STAFF_EDIT,
    ("reward-detail", "PATCH"): STAFF_EDIT,
    ("reward-redeem", "POST"): row(DENIED, HIDDEN, INVALID, INVALID, INVALID, INVALID),
    ("reward-restock", "POST"): STAFF_CREATE,
    ("redemption-list", "GET"): SIGNED_IN,
    ("redemption-detail", "GET"): ABOVE_THE_GRID,
    ("redemption-hand-over", "POST"): row(
        DENIED, DENIED, DENIED, DENIED, OK, OK, supervisor=DENIED
    ),
    # Proposals are public matters: anyone signed in raises one and supports one by id
    # (the world's proposal is open, by a resident who is none of the callers); keepers of
    # the community answer (the empty answer is a 400 for them).
    ("proposal-list", "GET"): SIGNED_IN,
    ("proposal-list", "POST"): row(DENIED, INVALID, INVALID, INVALID, INVALID, INVALID),
    ("proposal-detail", "GET"): ABOVE_THE_GRID,
    ("proposal-support", "POST"): row(DENIED, OK, OK, OK, OK, OK),
    ("proposal-answer", "POST"): row(
        DENIED, HIDDEN, DENIED, DENIED, INVALID, INVALID, supervisor=DENIED
    ),
    # Ratings are scoped like the cases they rate.
    ("rating-list", "GET"): SIGNED_IN,
    ("rating-detail", "GET"): IN_THE_GRID,
    # Surveys of G's street (a draft with one question): kept by street staff.
    ("survey-list", "GET"): SIGNED_IN,
    ("survey-list", "POST"): STAFF_CREATE,
    ("survey-detail", "GET"): ABOVE_THE_GRID,
    ("survey-detail", "PUT"): STAFF_EDIT,
    ("survey-detail", "PATCH"): STAFF_EDIT,
    ("survey-open", "POST"): row(DENIED, DENIED, DENIED, DENIED, OK, OK, supervisor=DENIED),
    ("survey-close", "POST"): STAFF_CREATE,
    ("survey-results", "GET"): ABOVE_THE_GRID,
    # Public reports: moderated (and read, with contact) by the command centre of their
    # street; the world's report is anonymous and pending. An empty rejection is a 400.
    ("public-report-list", "GET"): SIGNED_IN,
    ("public-report-detail", "GET"): row(DENIED, HIDDEN, HIDDEN, HIDDEN, OK, OK, supervisor=HIDDEN),
    ("public-report-approve", "POST"): row(
        DENIED, DENIED, DENIED, DENIED, OK, OK, supervisor=DENIED
    ),
    ("public-report-reject", "POST"): row(
        DENIED, DENIED, DENIED, DENIED, INVALID, INVALID, supervisor=DENIED
    ),
    # Open311 reads are public; posting needs an API key, which no caller here sends (403).
    ("open311-discovery", "GET"): EVERYONE,
    ("open311-services", "GET"): EVERYONE,
    ("open311-service", "GET"): EVERYONE,
    ("open311-requests", "GET"): EVERYONE,
    ("open311-requests", "POST"): row(DENIED, DENIED, DENIED, DENIED, DENIED, DENIED),
    ("open311-request", "GET"): EVERYONE,
    ("open311-token", "GET"): EVERYONE,
    ("schema", "GET"): EVERYONE,
    ("swagger-ui", "GET"): EVERYONE,
}

ROUTES = api_routes()
CASES = [(route, method) for route in ROUTES for method in route.methods]


def _outcome(status: int) -> str:
    if 200 <= status < 300:
        return OK
    return {
        401: DENIED,
        403: DENIED,
        404: HIDDEN,
        400: INVALID,
        428: PRECONDITION,
        409: CONFLICT,
    }.get(status, f"unexpected {status}")


def test_matrix_covers_every_route():
    missing = [(r.name, m) for r, m in CASES if (r.name, m) not in MATRIX]
    stale = [key for key in MATRIX if key not in {(r.name, m) for r, m in CASES}]
    assert not missing, f"routes without an authorization-matrix entry: {missing}"
    assert not stale, f"matrix entries for routes that no longer exist: {stale}"


@pytest.fixture
def world(db):
    """Grids G and G2 of one community, a worker on each, street staff, and one object of
    every kind the detail routes need (``tests.matrix_world``), built afresh per route."""
    return build_world()


def _object_key(route_name: str, ids: dict) -> str:
    """The longest object key the route name starts with ("grid-assignment-end" →
    "grid-assignment", "ticket-request-verification" → "ticket")."""
    return max((key for key in ids if route_name.startswith(f"{key}-")), key=len)


def _client(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "method"), CASES, ids=[f"{r.name}:{m}" for r, m in CASES])
def test_route_answers_each_principal_as_the_matrix_says(route, method, world):
    expected = MATRIX.get((route.name, method))
    if expected is None:
        pytest.fail(f"no matrix entry for {route.name} {method}")
    pk = world["ids"][_object_key(route.name, world["ids"])] if route.needs_pk else None
    url = route_url(route, pk, world["extra"])
    got = {}
    for principal in PRINCIPALS:
        client = _client(world["callers"].get(principal))
        call = getattr(client, method.lower())
        with transaction.atomic():
            response = call(url, {}, format="json") if method != "GET" else call(url)
            transaction.set_rollback(True)
        got[principal] = _outcome(response.status_code)
    assert got == expected
