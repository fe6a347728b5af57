"""The ticket list and the task queue read plain values (incidents.api.ticket_rows) for
speed: every row must be exactly what their serializers say of the same ticket, so a phone
cannot tell the two apart."""

from __future__ import annotations

import json

import pytest
from django.db.models import F
from rest_framework.test import APIClient

from incidents.api.queues import MyTaskSerializer
from incidents.api.ticket_serializers import TicketSerializer
from incidents.models import Ticket
from incidents.selectors import my_task_list
from tests import factories
from tests.incidents.cases import act, report

pytestmark = pytest.mark.django_db


def _as_json(data) -> list:
    return json.loads(json.dumps(data))


@pytest.fixture
def varied_tickets(place):
    """Tickets that fill every kind of column: empty and set foreign keys, times, numbers."""
    plain = report(place, title="路灯不亮")
    accepted = act(report(place, priority="urgent"), place["staff"], "accept")
    filled = report(place, address="3号楼东侧")
    Ticket.objects.filter(pk=filled.pk).update(
        assignee=place["worker"],
        lead_department=place["department"],
        component=factories.component(in_grid=place["grid"]),
        duplicate_of=plain,
        satisfaction=4,
        rework_count=F("rework_count") + 2,
        level=2,
    )
    return [plain, accepted, filled]


@pytest.mark.parametrize("time_zone", ["Asia/Shanghai", "UTC"])
def test_each_listed_row_equals_the_serializer_of_its_ticket(
    place, varied_tickets, settings, time_zone
):
    settings.TIME_ZONE = time_zone
    client = APIClient()
    client.force_authenticate(place["staff"])

    listed = client.get("/api/v1/tickets/").json()["results"]

    tickets = Ticket.objects.order_by("-pk")
    assert listed == _as_json(TicketSerializer(tickets, many=True).data)
    assert len(listed) == len(varied_tickets)
    filled = listed[0]
    assert filled["assignee"] == place["worker"].pk and filled["satisfaction"] == 4
    assert filled["category_name"] == place["category"].name and filled["grid_code"]
    if time_zone == "UTC":
        assert filled["created_at"].endswith("Z")
    else:
        assert filled["created_at"].endswith("+08:00")


def test_the_task_queue_rows_equal_the_serializer_of_each_task(place, varied_tickets):
    worker = place["worker"]
    Ticket.objects.filter(pk=varied_tickets[0].pk).update(assignee=worker, status="dispatched")
    client = APIClient()
    client.force_authenticate(worker)

    listed = client.get("/api/v1/me/tasks/").json()["results"]

    expected = _as_json(MyTaskSerializer(my_task_list(user=worker), many=True).data)
    assert listed == expected
    assert {row["task"] for row in listed} >= {"handle"}


def test_filters_and_pages_still_apply(place, varied_tickets):
    client = APIClient()
    client.force_authenticate(place["staff"])

    urgent = client.get("/api/v1/tickets/", {"priority": "urgent"}).json()["results"]
    first = client.get("/api/v1/tickets/", {"page_size": 2}).json()
    rest = client.get(first["next"]).json()

    assert [row["id"] for row in urgent] == [varied_tickets[1].pk]
    paged = [row["id"] for row in first["results"] + rest["results"]]
    assert paged == sorted((t.pk for t in varied_tickets), reverse=True)


def test_requests_one_after_another_each_see_their_own_scope_and_filters(place, varied_tickets):
    """Every list request narrows one base of rows built once per process: nothing one
    request narrowed by (its scope, its filters, its page) may stay for the next."""
    staff, outsider = APIClient(), APIClient()
    staff.force_authenticate(place["staff"])
    outsider.force_authenticate(place["outsider"])
    everything = sorted((t.pk for t in varied_tickets), reverse=True)

    def ids(client, **query):
        return [row["id"] for row in client.get("/api/v1/tickets/", query).json()["results"]]

    assert ids(staff, priority="urgent") == [varied_tickets[1].pk]
    assert ids(outsider) == []
    assert ids(staff, page_size=1) == everything[:1]
    assert ids(staff) == everything
    assert ids(outsider, priority="urgent") == []


def test_a_report_and_an_action_answer_what_the_serializer_says_of_the_ticket(place):
    """Reports and workflow actions answer from the instance (ticket_row) rather than
    through the serializer: the phone must get the same keys and formats either way."""
    grid = place["grid"]
    client = APIClient()
    client.force_authenticate(place["staff"])
    body = {"category": place["category"].pk, "lat": grid.centroid_lat, "lng": grid.centroid_lng}
    first = client.post("/api/v1/tickets/", body | {"description": "井盖缺失"}, format="json")
    created = client.post("/api/v1/tickets/", body | {"description": "井盖缺失"}, format="json")

    ticket = Ticket.objects.get(pk=created.json()["id"])
    assert created.status_code == 201
    assert created.json() == _as_json(TicketSerializer(ticket).data) | {
        "duplicate_suggestions": created.json()["duplicate_suggestions"]
    }
    assert [s["id"] for s in created.json()["duplicate_suggestions"]] == [first.json()["id"]]

    accepted = client.post(f"/api/v1/tickets/{ticket.pk}/accept/", {}, format="json")

    ticket.refresh_from_db()
    assert accepted.status_code == 200 and ticket.status == "accepted"
    assert accepted.json() == _as_json(TicketSerializer(ticket).data)
