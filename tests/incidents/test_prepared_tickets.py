"""One ticket read by key through a query written once (``selectors.ticket_in_scope``, the
ticket an action leaves): the same instances the ORM would build, scoped as the list is."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import F
from rest_framework.test import APIClient

from gridgov.prepared import query_instances
from incidents import selectors
from incidents.models import Ticket
from personnel.choices import Role
from tests import people
from tests.incidents.cases import act, report

pytestmark = pytest.mark.django_db

TICKETS = "/api/v1/tickets/"


def _in_handling(place) -> Ticket:
    """Accepted, filed, dispatched to the department and taken by its handler: a ticket
    with a lead department and an assignee to load."""
    ticket = act(report(place), place["staff"], "accept")
    ticket = act(ticket, place["staff"], "file")
    ticket = act(ticket, place["staff"], "dispatch")
    return act(ticket, place["handler"], "take")


def _values(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.fields}


def _phone(person) -> APIClient:
    client = APIClient()
    client.force_authenticate(person)
    return client


@pytest.mark.parametrize("reader", ["staff", "handler", "resident"])
def test_the_ticket_and_its_neighbours_are_those_the_orm_reads(place, reader):
    ticket = _in_handling(place)
    user = place[reader]
    expected = selectors.ticket_list(user=user).get(pk=ticket.pk)
    found = selectors.ticket_in_scope(user=user, pk=ticket.pk)
    assert _values(found) == _values(expected)
    for neighbour in ("category", "grid", "lead_department", "assignee"):
        assert _values(getattr(found, neighbour)) == _values(getattr(expected, neighbour))
    assert found.assignee == place["handler"]
    assert isinstance(found.grid.boundary, dict)  # the JSON field's converter ran
    assert found.stage_due_at.tzinfo is not None  # and the date-time's, on SQLite too


def test_a_ticket_without_lead_or_assignee_loads_them_as_none(place):
    ticket = report(place)
    found = selectors.ticket_in_scope(user=place["staff"], pk=ticket.pk)
    assert (found.lead_department, found.assignee) == (None, None)
    assert found.category.name == place["category"].name


def test_outside_the_scope_there_is_no_ticket_until_a_role_brings_it_in(place):
    ticket = report(place)
    outsider = place["outsider"]
    assert selectors.ticket_in_scope(user=outsider, pk=ticket.pk) is None
    assert _phone(outsider).post(f"{TICKETS}{ticket.pk}/accept/", {}).status_code == 404
    people.grant(outsider, Role.STREET_STAFF, place["grid"].street)
    assert selectors.ticket_in_scope(user=outsider, pk=ticket.pk).pk == ticket.pk
    accepted = _phone(outsider).post(f"{TICKETS}{ticket.pk}/accept/", {})
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted"


def test_a_signed_out_caller_and_an_unknown_key_find_nothing(place):
    ticket = report(place)
    assert selectors.ticket_in_scope(user=AnonymousUser(), pk=ticket.pk) is None
    assert selectors.ticket_in_scope(user=place["staff"], pk=ticket.pk + 1000) is None


@pytest.mark.parametrize("key", ["abc", "0", "１２", "99999999999999999999", "-1"])
def test_a_key_no_ticket_can_have_is_404(place, key):
    staff = _phone(place["staff"])
    assert staff.get(f"{TICKETS}{key}/").status_code == 404
    assert staff.post(f"{TICKETS}{key}/accept/", {}).status_code == 404


def test_a_filter_in_the_query_still_narrows_a_detail_route(place):
    ticket = report(place)
    staff = _phone(place["staff"])
    assert staff.get(f"{TICKETS}{ticket.pk}/", {"status": "reported"}).status_code == 200
    assert staff.get(f"{TICKETS}{ticket.pk}/", {"status": "closed"}).status_code == 404


def test_an_action_answers_with_the_ticket_as_stored(place):
    ticket = report(place)
    answer = _phone(place["staff"]).post(f"{TICKETS}{ticket.pk}/accept/", {})
    assert answer.status_code == 200, answer.content
    stored = Ticket.objects.get(pk=ticket.pk)
    body = answer.json()
    assert (body["status"], body["version"]) == (stored.status, stored.version)
    assert body["version"] == ticket.version + 1
    assert body["category_name"] == place["category"].name
    assert body["grid_code"] == place["grid"].code
    assert answer["ETag"] == f'"{stored.pk}-{stored.version}"'


def test_an_action_returns_the_stored_ticket_with_its_neighbours(place):
    ticket = act(report(place), place["staff"], "accept")
    stored = Ticket.objects.select_related("category", "grid").get(pk=ticket.pk)
    assert _values(ticket) == _values(stored)
    assert _values(ticket.grid) == _values(stored.grid)
    assert ticket.duplicate_of is None


def test_a_query_with_one_neighbour_loads_it(place):
    ticket = report(place)
    [found] = query_instances(
        "gridgov_test_ticket_by_key",
        lambda pk: Ticket.objects.select_related("grid").filter(pk=pk),
        pk=ticket.pk,
    )
    assert (found.pk, found.grid.code) == (ticket.pk, place["grid"].code)


@pytest.mark.parametrize(
    "narrowed",
    [
        lambda tickets: tickets.only("number"),
        lambda tickets: tickets.defer("description"),
        lambda tickets: tickets.annotate(twice=F("version") * 2),
    ],
    ids=["only", "defer", "annotate"],
)
def test_a_query_that_would_misplace_columns_is_refused(place, narrowed):
    ticket = report(place)
    with pytest.raises(ValueError, match="whole rows"):
        query_instances(
            "gridgov_test_narrowed",
            lambda pk: narrowed(Ticket.objects.filter(pk=pk)),
            shape=id(narrowed),
            pk=ticket.pk,
        )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_the_ticket_an_action_leaves_is_read_by_a_prepared_statement(place):
    act(report(place), place["staff"], "accept")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        names = {name for (name,) in cursor.fetchall()}
    assert "gridgov_ticket_after_act" in names
