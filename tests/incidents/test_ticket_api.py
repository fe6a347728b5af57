"""The ticket API as a phone and the command centre use it."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests import factories, people
from tests.incidents.cases import report

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_worker_reports_from_the_phone_and_gets_number_grid_due_time_and_etag(place):
    grid = place["grid"]
    response = client_for(place["worker"]).post(
        "/api/v1/tickets/",
        {
            "category": place["category"].pk,
            "description": "路边垃圾",
            "lat": grid.centroid_lat,
            "lng": grid.centroid_lng,
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="report-1",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].startswith("GD-") and body["grid"] == grid.pk
    assert body["status"] == "reported" and body["stage_due_at"] and body["version"] == 1
    assert response["ETag"] == f'"{body["id"]}-1"'
    again = client_for(place["worker"]).post(
        "/api/v1/tickets/",
        {
            "category": place["category"].pk,
            "description": "路边垃圾",
            "lat": grid.centroid_lat,
            "lng": grid.centroid_lng,
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="report-1",
    )
    assert again.json()["id"] == body["id"]  # a retried report is not a second case


@pytest.mark.parametrize(
    ("change", "attr"),
    [({"category": 999999}, "category"), ({"lat": 10.0, "lng": 10.0}, "lat"), ({"lat": 91}, "lat")],
)
def test_a_bad_report_is_a_400_naming_the_field(place, change, attr):
    grid = place["grid"]
    body = {"category": place["category"].pk, "lat": grid.centroid_lat, "lng": grid.centroid_lng}
    response = client_for(place["worker"]).post("/api/v1/tickets/", body | change, format="json")
    assert response.status_code == 400
    assert attr in {error["attr"] for error in response.json()["errors"]}


def test_tickets_are_seen_only_in_scope(place):
    ticket = report(place)
    outsider = client_for(place["outsider"])
    assert outsider.get(f"/api/v1/tickets/{ticket.pk}/").status_code == 404
    assert outsider.get("/api/v1/tickets/").json()["results"] == []
    staff = client_for(place["staff"])
    assert [row["id"] for row in staff.get("/api/v1/tickets/").json()["results"]] == [ticket.pk]
    assert client_for(place["resident"]).get(f"/api/v1/tickets/{ticket.pk}/").status_code == 200


def test_an_action_moves_the_ticket_and_shows_in_its_events(place):
    ticket = report(place)
    staff = client_for(place["staff"])
    response = staff.post(
        f"/api/v1/tickets/{ticket.pk}/accept/", {}, format="json", HTTP_IF_MATCH=f'"{ticket.pk}-1"'
    )
    assert response.status_code == 200
    assert response.json()["status"] == "accepted" and response["ETag"] == f'"{ticket.pk}-2"'
    events = staff.get(f"/api/v1/tickets/{ticket.pk}/events/").json()
    assert [event["action"] for event in events] == ["report", "accept"]


def test_a_stale_version_is_412_and_an_unoffered_action_409_with_the_choices(place):
    ticket = report(place)
    staff = client_for(place["staff"])
    staff.post(f"/api/v1/tickets/{ticket.pk}/accept/", {}, format="json")
    stale = staff.post(
        f"/api/v1/tickets/{ticket.pk}/file/", {}, format="json", HTTP_IF_MATCH=f'"{ticket.pk}-1"'
    )
    assert stale.status_code == 412
    conflict = staff.post(f"/api/v1/tickets/{ticket.pk}/close/", {}, format="json")
    assert conflict.status_code == 409
    assert "file" in conflict.json()["allowed_actions"]


def test_dispatch_names_the_lead_department(place):
    ticket = report(place, source="patrol")
    staff = client_for(place["staff"])
    for name in ("accept", "file"):
        staff.post(f"/api/v1/tickets/{ticket.pk}/{name}/", {}, format="json")
    other = people.department(district=factories.district(code="110101"))
    refused = staff.post(
        f"/api/v1/tickets/{ticket.pk}/dispatch/", {"lead_department": other.pk}, format="json"
    )
    assert refused.status_code == 400
    done = staff.post(
        f"/api/v1/tickets/{ticket.pk}/dispatch/",
        {"lead_department": place["department"].pk},
        format="json",
    )
    assert done.json()["lead_department"] == place["department"].pk
    handler = client_for(place["handler"])
    assert handler.post(f"/api/v1/tickets/{ticket.pk}/take/", {}, format="json").status_code == 200


def test_the_reporter_corrects_a_report_until_it_is_accepted(place):
    ticket = report(place, source="patrol", reporter=place["worker"])
    worker = client_for(place["worker"])
    url = f"/api/v1/tickets/{ticket.pk}/"
    assert worker.patch(url, {"description": "更正"}, format="json").status_code == 428
    done = worker.patch(
        url, {"description": "更正"}, format="json", HTTP_IF_MATCH=f'"{ticket.pk}-1"'
    )
    assert done.status_code == 200 and done.json()["description"] == "更正"
    client_for(place["staff"]).post(f"{url}accept/", {}, format="json")
    late = worker.patch(url, {"description": "再改"}, format="json", HTTP_IF_MATCH="*")
    assert late.status_code == 403
    actions = [e["action"] for e in client_for(place["staff"]).get(f"{url}events/").json()]
    assert actions == ["report", "edit", "accept"]


def test_moving_a_ticket_locates_it_again(place):
    ticket = report(place)
    other = factories.grid(parent=place["grid"].community, number=7)
    moved = client_for(place["staff"]).patch(
        f"/api/v1/tickets/{ticket.pk}/",
        {"lat": other.centroid_lat, "lng": other.centroid_lng},
        format="json",
        HTTP_IF_MATCH="*",
    )
    assert moved.status_code == 200 and moved.json()["grid"] == other.pk


def test_filters_for_my_tickets_and_text(place):
    mine = report(place, description="井盖缺失")
    report(place, description="暴露垃圾")
    staff = client_for(place["staff"])
    for name in ("accept", "file", "dispatch"):
        staff.post(f"/api/v1/tickets/{mine.pk}/{name}/", {}, format="json")
    handler = client_for(place["handler"])
    handler.post(f"/api/v1/tickets/{mine.pk}/take/", {}, format="json")

    found = staff.get("/api/v1/tickets/", {"q": "井盖"}).json()["results"]
    assert [row["id"] for row in found] == [mine.pk]
    assigned = handler.get("/api/v1/tickets/", {"mine": "true"}).json()["results"]
    assert [row["id"] for row in assigned] == [mine.pk]
