"""Mass assignment: no non-admin caller moves a row to another place, changes its status,
level or version, or sets amounts, points or ownership by slipping those fields into a
write. The field is ignored or the write refused; the stored row keeps its values.

The walk covers every PUT, PATCH and POST route of the API on an existing row (details and
actions: a new serializer or action is covered without touching this file), with the world
and callers of the authorization matrix; creates are checked on the registers a grid worker
may add to.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import models, transaction
from django.urls import resolve
from rest_framework.test import APIClient, APIRequestFactory, force_authenticate

from grids.models import Grid
from incidents.models import Category, Ticket
from participation.models import Resident
from tests import factories
from tests.api_routes import api_routes, route_url
from tests.gridgov.test_authorization_matrix import _object_key, world  # noqa: F401

pytestmark = pytest.mark.django_db

NON_ADMIN = ("plain", "outsider", "worker", "department", "staff", "supervisor")
TAMPERED_VERSION = 424242
# Fields that place, rank or price a row, or say who owns it: never the caller's to set.
SCOPE = ("grid", "street", "community", "district", "department")
OWNERS = ("user", "worker", "created_by", "reporter", "author", "volunteer", "requested_by")
STATES = ("status", "level", "kind", "role", "is_superuser", "is_staff", "is_active")
# (A reward's cost and stock are not here: they are the reward's own data, which its
# keepers, street staff, edit, and redeeming takes one from the stock.)
AMOUNTS = ("amount", "balance", "points", "score", "total", "satisfaction")
PROTECTED = (*SCOPE, *OWNERS, *STATES, *AMOUNTS, "version")

WRITES = [
    (route, method)
    for route in api_routes()
    if route.needs_pk and not route.name.startswith("open311")
    for method in route.methods
    if method in ("PUT", "PATCH", "POST")
]


@pytest.fixture
def elsewhere(world):  # noqa: F811
    """Another district's grid, and the body that tries to move a row there."""
    grid = factories.grid(parent=factories.community(parent=factories.street(number=7)))
    admin = world["callers"]["admin"]
    body = {
        **dict.fromkeys(("grid", "grid_id"), grid.pk),
        "street": grid.street_id,
        "community": grid.community_id,
        "district": grid.district_id,
        "status": "closed",
        "level": "red",
        "kind": "special",
        "role": "supervisor",
        "version": TAMPERED_VERSION,
        **dict.fromkeys((*AMOUNTS, "cost", "stock"), 99999),
        **dict.fromkeys(OWNERS, admin.pk),
        **dict.fromkeys(("is_superuser", "is_staff"), True),
        "scope": {"kind": "district", "id": grid.district_id},
    }
    return {"grid": grid, "body": body}


def model_of(route, admin) -> type[models.Model]:
    """The model behind a route, as its viewset reads it for a superuser."""
    match = resolve(route_url(route, 1, {"attachment_id": 1, "token": "x", "format": "json"}))
    view = match.func.cls(**match.func.initkwargs)
    view.action_map = {"get": "retrieve"}
    view.kwargs, view.format_kwarg = {}, None
    request = APIRequestFactory().get("/")
    force_authenticate(request, user=admin)
    view.request = view.initialize_request(request)
    view.action = match.func.actions.get(route.methods[0].lower(), "retrieve")
    return view.get_queryset().model


def protected_values(row: models.Model) -> dict:
    values = {}
    for field in row._meta.concrete_fields:
        if field.name in PROTECTED:
            values[field.name] = getattr(row, field.attname)
    return values


def test_the_walk_covers_the_writable_serializers():
    names = {route.name for route, _method in WRITES}
    for expected in (
        "ticket-detail",
        "resident-detail",
        "grid-detail",
        "component-detail",
        "worker-detail",
        "household-detail",
        "ticket-comment",
        "funding-expenditure-approve",
        "assessment-score-adjust",
    ):
        assert expected in names, expected
    assert len(WRITES) > 60


@pytest.mark.parametrize(
    ("route", "method"), WRITES, ids=[f"{route.name}:{method}" for route, method in WRITES]
)
def test_protected_fields_cannot_be_written_by_non_admins(route, method, world, elsewhere):  # noqa: F811
    admin = world["callers"]["admin"]
    model = model_of(route, admin)
    pk = world["ids"][_object_key(route.name, world["ids"])]
    row = model._default_manager.filter(pk=pk).first()
    if row is None:  # a route keyed by something else than the row's pk (token ids)
        pytest.skip(f"{route.name}: {model.__name__} {pk} is not a primary key")
    before = protected_values(row)
    assert before, f"{model.__name__} has none of the protected fields"
    url = route_url(route, pk, world["extra"])
    reader = APIClient()
    reader.force_authenticate(admin)
    shown = reader.get(url) if method in ("PUT", "PATCH") else None
    etag = shown.headers.get("ETag") if shown is not None else None
    current = shown.json() if shown is not None and shown.status_code == 200 else {}
    for principal in NON_ADMIN:
        client = APIClient()
        client.force_login(world["callers"][principal])
        # a PUT carries the whole row as read plus the tampered fields; the rest only those
        body = {**(current if method == "PUT" else {}), **elsewhere["body"]}
        headers = {"HTTP_IF_MATCH": etag} if etag else {}
        with transaction.atomic():
            response = getattr(client, method.lower())(url, body, format="json", **headers)
            assert response.status_code < 500, (principal, response.status_code)
            after = protected_values(model._default_manager.get(pk=pk))
            transaction.set_rollback(True)
        changed = {
            name: (before[name], value)
            for name, value in after.items()
            if value != before[name] and name not in ("version", "status")
        }
        assert not changed, (principal, response.status_code, changed)
        if "version" in after:
            assert after["version"] != TAMPERED_VERSION, principal
        if "status" in after and after["status"] != before["status"]:
            # an edit never moves the status; an action (approve, accept…) moves it as its
            # own table says, never to the value the body asked for
            assert method == "POST", (principal, before["status"], after["status"])
            assert after["status"] != "closed" or route.name.endswith("-close"), principal


def _worker_client(world) -> APIClient:  # noqa: F811
    client = APIClient()
    client.force_login(world["callers"]["worker"])
    return client


def test_a_worker_reporting_a_case_cannot_choose_its_grid_status_or_version(world, elsewhere):  # noqa: F811
    grid = Grid.objects.get(pk=world["ids"]["grid"])
    body = {
        **elsewhere["body"],
        "category": Category.objects.get(code="E0101").pk,
        "lat": grid.centroid_lat,
        "lng": grid.centroid_lng,
        "description": "路灯不亮",
    }
    response = _worker_client(world).post("/api/v1/tickets/", body, format="json")
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert ticket.grid_id == grid.pk and ticket.street_id == grid.street_id
    assert ticket.status == "reported" and ticket.version != TAMPERED_VERSION
    assert ticket.reporter == world["callers"]["worker"]


def test_a_worker_cannot_register_a_resident_outside_the_grid(world, elsewhere):  # noqa: F811
    client = _worker_client(world)
    count = Resident.objects.count()
    outside = {"name": "张三", "building": "1", "grid": elsewhere["grid"].pk}
    refused = client.post("/api/v1/residents/", outside, format="json")
    assert refused.status_code in (400, 403, 404), refused.content
    assert Resident.objects.count() == count
    inside = {**elsewhere["body"], "name": "张三", "building": "1", "grid": world["ids"]["grid"]}
    accepted = client.post("/api/v1/residents/", inside, format="json")
    assert accepted.status_code in (201, 400), accepted.content
    for resident in Resident.objects.exclude(pk__in=[world["ids"]["resident"]]):
        assert resident.grid_id == world["ids"]["grid"]


def test_amounts_are_decimal_and_never_taken_from_a_non_keeper(world, elsewhere):  # noqa: F811
    """The books: a non-keeper's expenditure request or transaction is refused whole."""
    from funding.models import ExpenditureRequest, Transaction

    before = (ExpenditureRequest.objects.count(), Transaction.objects.count())
    for principal in NON_ADMIN:
        client = APIClient()
        client.force_login(world["callers"][principal])
        for url in ("/api/v1/funding/expenditures/", "/api/v1/funding/transactions/"):
            body = {**elsewhere["body"], "amount": str(Decimal("99999.99"))}
            assert client.post(url, body, format="json").status_code in (400, 403, 404)
    assert (ExpenditureRequest.objects.count(), Transaction.objects.count()) == before
