"""How the HTML authorization matrix reaches each route (path arguments, queries, bodies)
and what some pages must show, to whom (tests/security/test_html_authorization_matrix.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tests.incidents.cases import upload
from tests.security.html_matrix_expected import (
    BOOKS_READERS,
    HIDDEN,
    LOGIN,
    MATRIX,
    OK,
    REDIRECT,
    VARIANT_ARGUMENT,
    row,
)

# What each route's path, query and body are made of, from the world ``w``.
Builder = Callable[[dict], dict]
URL_KWARGS: dict[str, Builder] = {
    "grids:street-map": lambda w: {"street_id": w["ids"]["street"]},
    "incidents:ticket": lambda w: {"pk": w["ids"]["ticket"]},
    "incidents:act": lambda w: {"pk": w["ids"]["ticket"]},
    "incidents:photo": lambda w: {"pk": w["extra"]["attachment_id"]},
    "funding:transaction-post": lambda w: {"pk": w["ids"]["funding-transaction"]},
    "funding:transaction-reverse": lambda w: {"pk": w["ids"]["funding-transaction"]},
    "funding:line-add": lambda w: {"pk": w["ids"]["funding-budget"]},
    "funding:line-amount": lambda w: {"pk": w["more"]["budget_line"]},
    "funding:request": lambda w: {"pk": w["ids"]["funding-expenditure"]},
    "funding:receipt-add": lambda w: {"pk": w["ids"]["funding-expenditure"]},
    "funding:request-step": lambda w: {"pk": w["ids"]["funding-expenditure"]},
    "funding:receipt": lambda w: {"pk": w["more"]["receipt"]},
    "funding:flag-resolve": lambda w: {"pk": w["ids"]["funding-flag"]},
    "funding:disclosure": lambda w: {"community_id": w["ids"]["community"]},
    "assessment:score-adjust": lambda w: {"pk": w["ids"]["assessment-score"]},
    "assessment:score-sign-off": lambda w: {"pk": w["ids"]["assessment-score"]},
    "participation:resident": lambda w: {"pk": w["ids"]["resident"]},
    "participation:resident-visit": lambda w: {"pk": w["ids"]["resident"]},
    "participation:household": lambda w: {"pk": w["ids"]["household"]},
    "participation:organisation": lambda w: {"pk": w["ids"]["organisation"]},
    "participation:volunteer": lambda w: {"pk": w["ids"]["volunteer"]},
    "participation:volunteer-adjust": lambda w: {"pk": w["ids"]["volunteer"]},
    "participation:volunteer-redeem": lambda w: {"pk": w["ids"]["volunteer"]},
    "participation:activity": lambda w: {"pk": w["ids"]["activity"]},
    "participation:activity-signup": lambda w: {"pk": w["ids"]["activity"]},
    "participation:activity-withdraw": lambda w: {"pk": w["ids"]["activity"]},
    "participation:activity-cancel": lambda w: {"pk": w["ids"]["activity"]},
    "participation:activity-attendance": lambda w: {"pk": w["ids"]["activity"]},
    "participation:reward-restock": lambda w: {"pk": w["ids"]["reward"]},
    "participation:redemption-hand-over": lambda w: {"pk": w["ids"]["redemption"]},
    "participation:report-approve": lambda w: {"pk": w["ids"]["public-report"]},
    "participation:report-reject": lambda w: {"pk": w["ids"]["public-report"]},
    "participation:report-photo": lambda w: {"pk": w["more"]["report_photo"]},
    "participation:proposal": lambda w: {"pk": w["ids"]["proposal"]},
    "participation:proposal-support": lambda w: {"pk": w["ids"]["proposal"]},
    "participation:proposal-answer": lambda w: {"pk": w["ids"]["proposal"]},
    "participation:survey": lambda w: {"pk": w["ids"]["survey"]},
    "participation:survey-results": lambda w: {"pk": w["ids"]["survey"]},
    "participation:survey-step": lambda w: {"pk": w["ids"]["survey"]},
    "participation:rating-link-issue": lambda w: {"ticket_pk": w["more"]["case"]},
    "worker-track": lambda w: {"user_id": w["callers"]["worker"].pk},
    "inbox-read": lambda w: {"pk": w["ids"]["notification"]},
    "public:community": lambda w: {"community_id": w["ids"]["community"]},
    "public:rate": lambda w: {"token": w["refs"]["rating_token"]},
    "public:survey": lambda w: {"pk": w["ids"]["survey"]},
}


def _grid_scope(w: dict) -> dict:
    return {"scope": f"grid:{w['ids']['grid']}", "period": "2026-10"}


# Keyed by label: a page asked a second way has a row of its own (``name[variant]``).
QUERY: dict[str, Builder] = {
    "funding:reports[csv]": lambda w: {
        "format": "csv",
        "report": "execution",
        "year": timezone.localdate().year,
    },
    "assessment:scores": lambda w: {"month": "2026-10", "kind": "worker"},
    "funding:ledger": lambda w: {"entity": f"S{w['ids']['street']}"},
    "assessment:dashboard": _grid_scope,
    "assessment:dashboard[street]": lambda w: (
        _grid_scope(w) | {"scope": f"street:{w['ids']['street']}"}
    ),
    "assessment:dashboard[department]": lambda w: (
        _grid_scope(w) | {"scope": f"department:{w['ids']['department']}"}
    ),
    "assessment:dashboard[worker]": lambda w: (
        _grid_scope(w) | {"scope": f"worker:{w['ids']['worker']}"}
    ),
    "assessment:heat": _grid_scope,
    "assessment:cases": lambda w: _grid_scope(w) | {"figure": "reported"},
    "assessment:report-xlsx": _grid_scope,
    "public:follow": lambda w: {
        "reference": w["more"]["report_reference"],
        "token": w["extra"]["token"],
    },
}


def _ticket_action_body(w: dict) -> dict:
    """One body for every action: each action's form reads the fields it knows."""
    due = timezone.localtime(timezone.now() + timedelta(days=2))
    return {
        "version": w["more"]["ticket_version"],
        "note": "matrix note",
        "level": "yellow",
        "due_at": due.strftime("%Y-%m-%dT%H:%M"),
        "order": w["ids"]["supervision-order"],
        "duplicate_of": w["more"]["case"],
        "satisfaction": 4,
        "amount": 1,
        "unit": "hours",
        "to_grid": "on",
    }


def _survey_edit_body(w: dict) -> dict:
    return {
        "title": "满意度调查",
        "community": "",
        "opens_on": "2026-01-05",
        "closes_on": "2099-01-05",
        "q-TOTAL_FORMS": "1",
        "q-INITIAL_FORMS": "0",
        "q-0-text": "满意吗",
        "q-0-kind": "rating",
        "q-0-required": "on",
    }


BODY: dict[str, Builder] = {
    "incidents:act": _ticket_action_body,
    "funding:ledger": lambda w: {"date": "2026-03-03", "description": "matrix"},
    "funding:transaction-reverse": lambda w: {
        f"reverse-{w['ids']['funding-transaction']}-reason": "matrix reversal"
    },
    "funding:budgets": lambda w: {
        "entity": f"S{w['ids']['street']}",
        "fiscal_year": timezone.localdate().year + 1,
    },
    "funding:line-add": lambda w: {
        f"budget-{w['ids']['funding-budget']}-category": "training",
        f"budget-{w['ids']['funding-budget']}-source": "street",
        f"budget-{w['ids']['funding-budget']}-amount": "100.00",
    },
    "funding:line-amount": lambda w: {f"line-{w['more']['budget_line']}-amount": "2000.00"},
    "funding:requests": lambda w: {
        "budget_line": w["more"]["budget_line"],
        "amount": "5.00",
        "payee": "惠民文具店",
        "payee_kind": "organisation",
        "purpose": "纸笔",
    },
    "funding:receipt-add": lambda w: {"file": upload()},
    "funding:request-step": lambda w: {
        "note": "matrix",
        "version": w["more"]["expenditure_version"],
    },
    "funding:flag-resolve": lambda w: {"note": "matrix: checked"},
    "assessment:score-adjust": lambda w: {
        f"s{w['ids']['assessment-score']}-value": "80",
        f"s{w['ids']['assessment-score']}-reason": "matrix",
    },
    "participation:resident-visit": lambda w: {"note": "matrix visit"},
    "participation:volunteer-adjust": lambda w: {"amount": 5, "reason": "matrix"},
    "participation:volunteer-redeem": lambda w: {"reward": w["ids"]["reward"]},
    "participation:activities": lambda w: {
        "community": w["ids"]["community"],
        "title": "清扫",
        "kind": "cleanup",
        "starts_at": "2099-05-01T09:00",
        "ends_at": "2099-05-01T11:00",
        "place": "3号楼",
        "capacity": 10,
        "points_per_hour": 10,
    },
    "participation:activity-signup": lambda w: {"volunteer": w["ids"]["volunteer"]},
    "participation:activity-withdraw": lambda w: {"signup": w["more"]["signup"]},
    "participation:rewards": lambda w: {
        "where": f"S{w['ids']['street']}",
        "name": "雨伞",
        "cost": 5,
        "stock": 1,
    },
    "participation:reward-restock": lambda w: {"count": 1},
    "participation:report-reject": lambda w: {"note": "matrix: not a problem"},
    "participation:proposal-new": lambda w: {
        "community": w["ids"]["community"],
        "kind": "need",
        "title": "路灯",
        "body": "路灯坏了",
    },
    "participation:proposal-answer": lambda w: {"status": "accepted", "text": "matrix answer"},
    "participation:survey-create": lambda w: {
        "street": w["ids"]["street"],
        "title": "新调查",
        "opens_on": "2027-01-05",
        "closes_on": "2027-02-05",
    },
    "participation:survey": _survey_edit_body,
    "public:report": lambda w: {
        "service": w["more"]["service"],
        "description": "楼道堆放杂物",
        "lat": w["refs"]["grid"].centroid_lat,
        "lng": w["refs"]["grid"].centroid_lng,
        "anonymous": "on",
    },
    "public:follow-rate": lambda w: {
        "reference": w["more"]["report_reference"],
        "token": w["extra"]["token"],
        "score": 4,
    },
    "public:rate": lambda w: {"score": 4},
}


# What a page shows of the world, and to whom. A list that answers 200 to everyone must
# still show a row only to the callers who may see it, and a page should offer an action
# to exactly the callers whose request would go through (an action that goes through but
# is never offered is a capability nobody meant to give). Each entry is a pattern looked
# for in the page and the callers it must be found for, and for no one else.
Shown = tuple[Callable[[dict], str], frozenset[str]]


def _who(expected: dict[str, str], *outcomes: str) -> frozenset[str]:
    return frozenset(caller for caller, outcome in expected.items() if outcome in outcomes)


def _quoted(url: str) -> str:
    """``url`` in an attribute or a JSON string, perhaps with a query string or fragment."""
    return f"[\"']{re.escape(url)}(?:[?#][^\"']*)?[\"']"


def links(route: str, *, kwargs: Builder | None = None, who: dict | None = None) -> Shown:
    """A link to the world's object of ``route``, seen by those the route shows it to."""

    def pattern(w: dict) -> str:
        made = (kwargs or URL_KWARGS.get(route, lambda _w: {}))(w)
        return _quoted(reverse(route, kwargs=made or None))

    return pattern, _who(who or MATRIX[(route, "GET")], OK)


def offers(label: str) -> Shown:
    """The form of the action ``label`` on the world's object, seen by those whose post
    goes through."""
    name, _bracket, step = label.partition("[")

    def pattern(w: dict) -> str:
        made = URL_KWARGS.get(name, lambda _w: {})(w)
        if step:
            made[VARIANT_ARGUMENT[name]] = step.rstrip("]")
        return _quoted(reverse(name, kwargs=made or None))

    return pattern, _who(MATRIX[(label, "POST")], REDIRECT)


def marks(text: Callable[[dict], str], who: dict[str, str]) -> Shown:
    """A literal marker of the world's row (``data-transaction="7"``)."""
    return (lambda w: re.escape(text(w))), _who(who, OK)


# The worker's score of October: read by them and those over G.
WORKER_SCORE = row(LOGIN, HIDDEN, HIDDEN, OK, OK, OK)
# The closed public case of G (reported by nobody who signs in).
CASE = row(LOGIN, HIDDEN, HIDDEN, OK, OK, OK)
# Personal data unmasked: a resident's name for G's worker, the street's staff and
# administrators (supervisors and the others read it masked); the name of a volunteer who
# is a user, not a resident, and an organisation's contact phone, for those who see the
# street's residents or keep it (street staff and administrators).
RESIDENT_NAME = row(LOGIN, HIDDEN, HIDDEN, OK, OK, OK, supervisor=HIDDEN, finance=HIDDEN)
STREET_PERSONAL = row(LOGIN, HIDDEN, HIDDEN, HIDDEN, OK, OK, supervisor=HIDDEN, finance=HIDDEN)
RESIDENT = "王秀英"  # the world's resident of G (tests.matrix_world._residents)
VOLUNTEER_NAME = "matrix-volunteer"  # the world's volunteer (tests.matrix_world)
SHOWN: dict[str, list[Shown]] = {
    "grids:street-index": [links("grids:street-map")],
    "incidents:queue": [links("incidents:ticket")],
    "incidents:map": [links("incidents:ticket")],
    "incidents:supervision": [links("incidents:ticket")],
    "incidents:ticket": [
        links("incidents:photo"),
        *(
            offers(f"incidents:act[{action}]")
            for action in (
                "accept",
                "reject",
                "merge",
                "comment",
                "escalate",
                "supervise",
                "answer_supervision",
                "close_supervision",
            )
        ),
    ],
    "funding:ledger": [
        marks(lambda w: f'data-transaction="{w["ids"]["funding-transaction"]}"', BOOKS_READERS),
        offers("funding:transaction-reverse"),
    ],
    "funding:budgets": [
        marks(lambda w: f'data-line="{w["more"]["budget_line"]}"', BOOKS_READERS),
        offers("funding:line-add"),
        offers("funding:line-amount"),
    ],
    "funding:requests": [links("funding:request")],
    "funding:request": [links("funding:receipt"), offers("funding:receipt-add")],
    "funding:flags": [offers("funding:flag-resolve")],
    "funding:reports": [marks(lambda w: f'value="S{w["ids"]["street"]}"', BOOKS_READERS)],
    "funding:reports[csv]": [marks(lambda w: w["refs"]["grid"].street.code, BOOKS_READERS)],
    "assessment:scores": [
        marks(lambda w: f'data-score="{w["ids"]["assessment-score"]}"', WORKER_SCORE),
        offers("assessment:score-adjust"),
        offers("assessment:score-sign-off"),
    ],
    "participation:residents": [
        links("participation:resident"),
        marks(lambda w: RESIDENT, RESIDENT_NAME),
    ],
    "participation:resident": [marks(lambda w: RESIDENT, RESIDENT_NAME)],
    "participation:households": [links("participation:household")],
    "participation:household": [marks(lambda w: RESIDENT, RESIDENT_NAME)],
    "participation:care-list": [
        links("participation:resident"),
        marks(lambda w: RESIDENT, RESIDENT_NAME),
    ],
    "participation:organisations": [links("participation:organisation")],
    "participation:organisation": [marks(lambda w: "13812345678", STREET_PERSONAL)],
    "participation:volunteers": [
        links("participation:volunteer"),
        marks(lambda w: VOLUNTEER_NAME, STREET_PERSONAL),
    ],
    "participation:volunteer": [marks(lambda w: VOLUNTEER_NAME, STREET_PERSONAL)],
    "participation:points": [
        links("participation:volunteer"),
        marks(lambda w: VOLUNTEER_NAME, STREET_PERSONAL),
    ],
    "participation:rewards": [
        links("participation:volunteer"),
        marks(lambda w: VOLUNTEER_NAME, STREET_PERSONAL),
        offers("participation:reward-restock"),
        offers("participation:redemption-hand-over"),
    ],
    "participation:activities": [links("participation:activity")],
    "participation:proposals": [links("participation:proposal")],
    "participation:surveys": [links("participation:survey")],
    "participation:moderation": [links("participation:report-photo")],
    "participation:ratings": [
        links("incidents:ticket", kwargs=lambda w: {"pk": w["more"]["case"]}, who=CASE)
    ],
    "workload": [links("worker-track")],
    "grid-workload": [links("worker-track")],
    "inbox": [offers("inbox-read")],
    "public:communities": [links("public:community")],
}
