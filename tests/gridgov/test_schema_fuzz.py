"""Schema-driven fuzzing of the whole API: every operation in /api/schema/, bounded and
reproducible, signed in as each kind of user, must never answer 5xx ("never a 500 for bad
input") and must answer as the schema says: a documented status code, a documented content
type and a body of the documented shape.

Runs in-process against the WSGI application (no server), in one database world per module
(two streets of places, a department, one user per role; rolled back at the end): detail
routes are pointed at rows that exist, so the fuzzed bodies reach the serializers, the
scoping and the services rather than a 404.

* The superuser: the schema's examples and 25 fuzzed cases per operation, valid and invalid.
* Each role (grid worker, department handler, street staff, supervisor, finance officer):
  8 fuzzed cases per operation, each case sent as every role in turn (generating a case
  costs about as much as answering it). A role may be refused (403) or not see the object
  (404); a 401 means its session broke and the run would pass without reaching the code.

``GRIDGOV_FUZZ_COVERAGE=1`` adds schemathesis's coverage phase, which sends every boundary
and wrong-type value the schema allows: run it when the API changes shape, and nightly
(``make nightly``, whose Hypothesis profile also raises the number of cases). The count of
requests is printed at the end of the run (tests/fuzz_tally.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client, override_settings
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup, ServerError
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from funding.models import Account
from funding.services.ledger import chart_ensure
from gridgov.api_policy import WriteRateThrottle
from gridgov.wsgi import application
from grids.models import Community, Component, District, Grid, Street
from incidents.services import category_create
from participation.models import Proposal, PublicReport, PublicService
from participation.services.proposals import proposal_answer, proposal_raise
from participation.services.public_reports import public_report_submit
from personnel.api.auth import LoginRateThrottle
from personnel.models import Department, GridWorker, RoleAssignment
from tests import factories, people

DEEP = os.environ.get("GRIDGOV_FUZZ_COVERAGE") == "1"
config = SchemathesisConfig.from_dict(
    {
        "seed": 20240611,
        "phases": {
            "examples": {"enabled": True},
            "fuzzing": {"enabled": True},
            "coverage": {"enabled": DEEP},
        },
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=config)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# Each role at the scope it is held at (the first street's, or the whole district).
ROLES = {
    "grid_worker": "grid",
    "dept_handler": "department",
    "street_staff": "street",
    "supervisor": "district",
    "finance_officer": "street",
}

# Cases per operation in CI (the default Hypothesis profile). Another profile (nightly) sets
# its own max_examples: the superuser gets that many, the roles the same share as here.
SUPERUSER_EXAMPLES = 25
ROLE_EXAMPLES = 8


def _fuzz_settings(examples: int) -> hypothesis_settings:
    if hypothesis_settings.get_current_profile_name() != "default":
        profile = hypothesis_settings().max_examples
        examples = max(examples, profile * examples // SUPERUSER_EXAMPLES)
    return hypothesis_settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.function_scoped_fixture,
        ],
    )


# The model behind each collection, to point ``{id}`` at rows that exist.
COLLECTIONS = {
    "districts": District,
    "streets": Street,
    "communities": Community,
    "grids": Grid,
    "components": Component,
    "departments": Department,
    "workers": GridWorker,
    "role-assignments": RoleAssignment,
    "accounts": Account,  # the two streets' charts of accounts
    "public-reports": PublicReport,
    "proposals": Proposal,
}


def _sign_in(user) -> dict:
    """Cookies and headers of a signed-in browser session of ``user``.

    SessionAuthentication enforces CSRF on writes: send the token cookie and the matching
    X-CSRFToken header. ``If-Match: *`` lets updates through the optimistic-lock check (the
    ETag path has its own tests) so the fuzzed bodies reach the serializers and services.
    """
    client = Client()
    client.force_login(user)
    token = get_random_string(32)  # a CSRF secret: 32 letters and digits
    return {
        "cookies": {
            settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
            settings.CSRF_COOKIE_NAME: token,
        },
        "headers": {"X-CSRFToken": token, "If-Match": "*"},
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[dict]:
    """Places, people and their sessions, built once for the module inside a transaction
    that is rolled back when the module is done; each test's writes are rolled back to it.

    Two streets with a community, three grids and components each; a department of the
    first street; a user per role at the first street's places and a superuser.
    """
    # Before the autouse fixtures of tests/conftest.py: hash passwords as quickly as they do.
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast:
        outer = transaction.atomic()
        outer.__enter__()
        try:
            streets = [factories.street(number=number) for number in (1, 2)]
            grids = []
            for street in streets:
                community = factories.community(parent=street)
                grids += factories.grids(3, parent=community)
                for grid in grids[-3:]:
                    factories.component(in_grid=grid)
            scopes = {
                "district": streets[0].district,
                "street": streets[0],
                "grid": grids[0],
                "department": people.department(street=streets[0]),
            }
            users = {role: people.with_role(role, scopes[scope]) for role, scope in ROLES.items()}
            people.worker_profile(users["grid_worker"], street=streets[0])
            for street in streets:
                chart_ensure(entity=street)
            _anonymous_report(grids[0])
            _answered_proposal(grids[0].community, users["street_staff"])
            superuser = people.root()
            yield {
                "ids": {
                    name: list(model.objects.order_by("pk").values_list("pk", flat=True))
                    for name, model in COLLECTIONS.items()
                },
                "superuser": _sign_in(superuser),
                "roles": {role: _sign_in(user) for role, user in users.items()},
            }
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _anonymous_report(grid: Grid) -> PublicReport:
    """A resident's report waiting for moderation, with no contact and no photo address:
    the blank fields the moderators' answers must still match the schema with."""
    major = category_create(code="E01", kind="event", name="市容环境")
    minor = category_create(code="E0101", kind="event", name="暴露垃圾", parent=major)
    report, _token = public_report_submit(
        channel="web",
        service=PublicService.objects.create(category=minor, order=1),
        description="路边有垃圾",
        lat=grid.centroid_lat,
        lng=grid.centroid_lng,
        anonymous=True,
    )
    return report


def _answered_proposal(community: Community, staff) -> None:
    """A resident's proposal, for no organisation, answered without a case: the empty
    organisation and case of its answers must match the schema too."""
    proposal = proposal_raise(
        author=people.user("fuzz-resident"),
        community=community,
        kind="need",
        title="楼道照明",
        body="楼道灯坏了",
    )
    proposal_answer(proposal=proposal, answered_by=staff, status="in_progress", text="已派人查看")


@pytest.fixture(scope="module")
def in_process_requests() -> Iterator[None]:
    """Keep the test's database connection open across WSGI calls.

    Django closes "old" connections when a request starts and finishes; inside a test's
    transaction that closes the connection the test is using (PostgreSQL then fails with
    "connection already closed"). Django's own test client unhooks the same handler.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def unthrottled(monkeypatch) -> None:
    """The write and sign-in throttles would turn most writes into 429s within a second:
    raise their rates. (The history they keep is per test: tests/conftest.py's _fresh_cache.)
    """
    for throttle in (WriteRateThrottle, LoginRateThrottle):
        monkeypatch.setattr(throttle, "rate", "1000000/min", raising=False)


def _point_at_existing_row(case, ids: dict[str, list[int]]) -> None:
    """Map a generated integer ``{id}`` onto an existing row (deterministically); ids that
    are not integers ("AAA", "0.5", "null") stay as they are and must answer 404."""
    if not case.path_parameters or "{id}" not in case.path:
        return
    parts = case.path.strip("/").split("/")
    rows = ids.get(parts[parts.index("{id}") - 1])
    generated = case.path_parameters.get("id")
    if isinstance(generated, bool) or not rows:
        return
    if isinstance(generated, int) or (isinstance(generated, str) and generated.isdigit()):
        case.path_parameters["id"] = rows[int(generated) % len(rows)]


def _send(case, session: dict, tally, who: str):
    """Send ``case`` with ``session``'s credentials, run the checks and count the outcome."""
    tally.sent(case.operation.label, who)
    # The schema's token scheme lets the generator write an Authorization header of its
    # own ("TOKEN", no key), which would be refused before the session is looked at.
    if case.headers:
        case.headers.pop("Authorization", None)
    # The in-process transport sends requests' default Accept-Encoding (gzip) but checks the
    # body as it came, without decoding it: ask for it plain.
    headers = {**session["headers"], "Accept-Encoding": "identity"}
    try:
        response = case.call_and_validate(
            headers=headers, cookies=session["cookies"], checks=CHECKS
        )
    except FailureGroup as group:
        found = {
            (case.operation.label, who, failure.title): isinstance(failure, ServerError)
            for failure in group.exceptions
        }
        tally.failed(
            server_errors={key for key, server in found.items() if server},
            violations={key for key, server in found.items() if not server},
        )
        raise
    tally.answered(who, response.status_code)
    return response


@pytest.mark.django_db
@schema.parametrize()
@_fuzz_settings(SUPERUSER_EXAMPLES)
def test_superuser(case, world, in_process_requests, unthrottled, fuzz_tally):
    _point_at_existing_row(case, world["ids"])
    response = _send(case, world["superuser"], fuzz_tally, "superuser")
    # A superuser is never refused: a 401/403 means the session or CSRF setup broke and the
    # run would pass without reaching the code under test.
    assert response.status_code not in (401, 403), response.text


@pytest.mark.django_db
@schema.parametrize()
@_fuzz_settings(ROLE_EXAMPLES)
def test_each_role(case, world, in_process_requests, unthrottled, fuzz_tally):
    _point_at_existing_row(case, world["ids"])
    for role, session in world["roles"].items():
        response = _send(case, session, fuzz_tally, role)
        # Refusals (403) and objects out of scope (404) are answers; a 401 is a lost session.
        assert response.status_code != 401, f"{role}: {response.text}"
