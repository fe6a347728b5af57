"""Schema-driven fuzzing of the whole API: every operation in /api/schema/, bounded and
reproducible, signed in as a superuser, must never answer 5xx ("never a 500 for bad input").

Runs in-process against the WSGI application (no server). Detail routes are pointed at rows
that exist, so the fuzzed bodies reach the serializers and the services rather than a 404.

By default: the schema's examples and 25 fuzzed cases per operation, valid and invalid
(~650 requests, ~20-30 s on two cores). ``GRIDGOV_FUZZ_COVERAGE=1`` adds schemathesis's
coverage phase, which sends every boundary and wrong-type value the schema allows (~3,900
requests, ~90 s): run it when the API changes shape, and in nightly CI.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig

from gridgov.api_policy import WriteRateThrottle
from gridgov.wsgi import application
from grids.models import Community, Component, District, Grid, Street
from tests import factories

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

# The model behind each collection, to point ``{id}`` at rows that exist.
COLLECTIONS = {
    "districts": District,
    "streets": Street,
    "communities": Community,
    "grids": Grid,
    "components": Component,
}


@pytest.fixture
def session(admin_user, monkeypatch) -> Iterator[dict]:
    """Cookies and headers of a signed-in superuser, as a browser would send them.

    SessionAuthentication enforces CSRF on writes: send the token cookie and the matching
    X-CSRFToken header. ``If-Match: *`` lets updates through the optimistic-lock check (the
    ETag path has its own tests) so the fuzzed bodies reach the serializers and services.
    The write throttle would turn most writes into 429s within a second: raise its rate, and
    forget the request history it kept in the cache afterwards (or the next tests, whose
    users reuse the same ids, would start out throttled).
    """
    monkeypatch.setattr(WriteRateThrottle, "rate", "1000000/min", raising=False)
    client = Client()
    client.force_login(admin_user)
    token = get_random_string(32)  # a CSRF secret: 32 letters and digits
    yield {
        "cookies": {
            settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
            settings.CSRF_COOKIE_NAME: token,
        },
        "headers": {"X-CSRFToken": token, "If-Match": "*"},
    }
    WriteRateThrottle.cache.clear()


@pytest.fixture
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
def places() -> dict[str, list[int]]:
    """Two streets with grids and components, so detail routes hit real objects."""
    for number in (1, 2):
        community = factories.community(parent=factories.street(number=number))
        for grid in factories.grids(3, parent=community):
            factories.component(in_grid=grid)
    return {
        name: list(model.objects.order_by("pk").values_list("pk", flat=True))
        for name, model in COLLECTIONS.items()
    }


def _point_at_existing_row(case, places: dict[str, list[int]]) -> None:
    """Map a generated integer ``{id}`` onto an existing row (deterministically); ids that
    are not integers ("AAA", "0.5", "null") stay as they are and must answer 404."""
    if "{id}" not in case.path or not case.path_parameters:
        return
    ids = places.get(case.path.strip("/").split("/")[-2])
    generated = case.path_parameters.get("id")
    if isinstance(generated, bool) or not ids:
        return
    if isinstance(generated, int) or (isinstance(generated, str) and generated.isdigit()):
        case.path_parameters["id"] = ids[int(generated) % len(ids)]


@pytest.mark.django_db
@schema.parametrize()
@hypothesis_settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_no_server_errors(case, session, places, in_process_requests):
    _point_at_existing_row(case, places)
    response = case.call_and_validate(
        headers=session["headers"],
        cookies=session["cookies"],
        checks=[not_a_server_error],
    )
    # A superuser is never refused: a 401/403 means the session or CSRF setup broke and the
    # run would pass without reaching the code under test.
    assert response.status_code not in (401, 403), response.text
