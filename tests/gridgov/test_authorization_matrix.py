"""Every API route and method against every kind of caller.

The matrix must name every route the URLconf has: a new route without an entry fails
``test_matrix_covers_every_route``. Later issues add their roles as columns and their routes
as rows. Expected outcomes: OK (2xx), DENIED (401/403), HIDDEN (404), INVALID (400),
PRECONDITION (428: writes to versioned rows need If-Match).
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests import factories
from tests.api_routes import api_routes, route_url

OK, DENIED, HIDDEN, INVALID, PRECONDITION = "ok", "denied", "hidden", "invalid", "precondition"
PRINCIPALS = ("anonymous", "plain", "admin")


def _place_rows(name: str) -> dict:
    """A place: every signed-in user reads it; writes need the model permission."""
    return {
        (f"{name}-list", "GET"): {"anonymous": DENIED, "plain": OK, "admin": OK},
        (f"{name}-list", "POST"): {"anonymous": DENIED, "plain": DENIED, "admin": INVALID},
        (f"{name}-detail", "GET"): {"anonymous": DENIED, "plain": OK, "admin": OK},
        (f"{name}-detail", "PUT"): {"anonymous": DENIED, "plain": DENIED, "admin": PRECONDITION},
        (f"{name}-detail", "PATCH"): {"anonymous": DENIED, "plain": DENIED, "admin": PRECONDITION},
    }


MATRIX: dict[tuple[str, str], dict[str, str]] = {
    **_place_rows("district"),
    **_place_rows("street"),
    **_place_rows("community"),
    **_place_rows("grid"),
    **_place_rows("component"),
    ("grid-locate", "GET"): {"anonymous": DENIED, "plain": INVALID, "admin": INVALID},
    ("schema", "GET"): {"anonymous": OK, "plain": OK, "admin": OK},
    ("swagger-ui", "GET"): {"anonymous": OK, "plain": OK, "admin": OK},
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
    }.get(status, f"unexpected {status}")


def test_matrix_covers_every_route():
    missing = [(r.name, m) for r, m in CASES if (r.name, m) not in MATRIX]
    stale = [key for key in MATRIX if key not in {(r.name, m) for r, m in CASES}]
    assert not missing, f"routes without an authorization-matrix entry: {missing}"
    assert not stale, f"matrix entries for routes that no longer exist: {stale}"
    for key, row in MATRIX.items():
        assert set(row) == set(PRINCIPALS), f"{key} must name every principal"


@pytest.fixture
def objects(db):
    grid = factories.grid()
    component = factories.component(in_grid=grid)
    return {
        "district": grid.district.pk,
        "street": grid.street.pk,
        "community": grid.community.pk,
        "grid": grid.pk,
        "component": component.pk,
    }


@pytest.fixture
def clients(make_user):
    clients = {"anonymous": APIClient()}
    for principal, superuser in (("plain", False), ("admin", True)):
        client = APIClient()
        client.force_login(make_user(f"matrix-{principal}", superuser=superuser))
        clients[principal] = client
    return clients


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "method"), CASES, ids=[f"{r.name}:{m}" for r, m in CASES])
def test_route_answers_each_principal_as_the_matrix_says(route, method, objects, clients):
    expected = MATRIX.get((route.name, method))
    if expected is None:
        pytest.fail(f"no matrix entry for {route.name} {method}")
    pk = objects.get(route.name.rsplit("-", 1)[0]) if route.needs_pk else None
    url = route_url(route, pk)
    got = {}
    for principal in PRINCIPALS:
        client = clients[principal]
        call = getattr(client, method.lower())
        response = call(url, {}, format="json") if method != "GET" else call(url)
        got[principal] = _outcome(response.status_code)
    assert got == expected
