"""Patrols from the phone: starting and ending sessions, uploading track points in batches
that may be resent, check-ins, flagged points, and who sees or records what."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from personnel.models import PatrolCheckIn, PatrolPoint, PatrolSession
from personnel.services.workers import grid_assignment_create
from tests import factories, people

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2025, 3, 10, 9, 0, tzinfo=SHANGHAI)
# Inside grid 1 of a community (its south-west corner is at lng 116.10, lat 35.80).
LNG_IN, LAT_IN = 116.1005, 35.8001


def signed_in(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def worker_on(grid, username: str | None = None, *, kind: str = "primary"):
    """A user with a grid-worker profile assigned to ``grid``, through the services."""
    person = people.user(username)
    profile = people.worker_profile(person, street=grid.street)
    grid_assignment_create(created_by=people.root(), worker=profile, grid=grid, kind=kind)
    return person


def point(minute: float, *, lat: float = LAT_IN, lng: float = LNG_IN, start=START, **extra):
    """A track point ``minute`` minutes after ``start``, as the phone sends it."""
    body = {
        "id": str(uuid.uuid4()),
        "recorded_at": (start + timedelta(minutes=minute)).isoformat(),
        "lat": lat,
        "lng": lng,
        "accuracy": 8.0,
    }
    body.update(extra)
    return body


def start_patrol(client: APIClient, *, started_at=START, **extra) -> dict:
    response = client.post(
        "/api/v1/patrols/",
        {"client_id": str(uuid.uuid4()), "started_at": started_at.isoformat(), **extra},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def upload(client: APIClient, session_id: int, points: list[dict]):
    return client.post(f"/api/v1/patrols/{session_id}/points/", {"points": points}, format="json")


@pytest.fixture
def town():
    """Street 1: a community with grids 1-3 side by side, worker1 primary on grid 1 and
    worker2 primary on grid 3; street 2: one grid with worker3."""
    street = factories.street(number=1)
    grid1, grid2, grid3 = factories.grids(3, parent=factories.community(parent=street))
    other_street = factories.street(number=2)
    far_grid = factories.grid(parent=factories.community(parent=other_street))
    return SimpleNamespace(
        street=street,
        grid1=grid1,
        grid2=grid2,
        grid3=grid3,
        far_grid=far_grid,
        worker1=worker_on(grid1, "worker1"),
        worker2=worker_on(grid3, "worker2"),
        worker3=worker_on(far_grid, "worker3"),
    )


# Sessions --------------------------------------------------------------------------------


def test_starting_a_patrol_uses_the_primary_grid_and_a_resend_answers_the_same(town):
    client = signed_in(town.worker1)
    body = {"client_id": str(uuid.uuid4()), "started_at": START.isoformat()}
    first = client.post("/api/v1/patrols/", body, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["grid"] == town.grid1.pk
    assert first.json()["worker"] == town.worker1.pk
    again = client.post("/api/v1/patrols/", body, format="json")
    assert again.status_code == 200
    assert again.content == first.content
    assert PatrolSession.objects.count() == 1


def test_a_worker_may_choose_one_of_their_grids_but_not_another(town):
    grid_assignment_create(
        created_by=people.root(),
        worker=town.worker1.grid_worker,
        grid=town.grid2,
        kind="backup",
    )
    client = signed_in(town.worker1)
    assert start_patrol(client, grid=town.grid2.pk)["grid"] == town.grid2.pk
    refused = client.post(
        "/api/v1/patrols/",
        {"client_id": str(uuid.uuid4()), "started_at": START.isoformat(), "grid": town.grid3.pk},
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["attr"] == "grid"


def test_a_worker_without_a_grid_is_told_so(town):
    chief = people.with_role("grid_chief", town.grid1)  # may record patrols, has no grid
    response = signed_in(chief).post(
        "/api/v1/patrols/",
        {"client_id": str(uuid.uuid4()), "started_at": START.isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert "no open grid assignment" in response.json()["errors"][0]["detail"]


def test_another_workers_session_id_is_refused_not_shared(town):
    body = {"client_id": str(uuid.uuid4()), "started_at": START.isoformat()}
    assert signed_in(town.worker1).post("/api/v1/patrols/", body, format="json").status_code == 201
    response = signed_in(town.worker2).post("/api/v1/patrols/", body, format="json")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["attr"] == "client_id"
    assert PatrolSession.objects.get().worker == town.worker1


def test_only_workers_and_chiefs_start_patrols(town, plain_api):
    supervisor = people.with_role("supervisor", town.street)
    body = {"client_id": str(uuid.uuid4()), "started_at": START.isoformat()}
    assert signed_in(supervisor).post("/api/v1/patrols/", body, format="json").status_code == 403
    assert plain_api.post("/api/v1/patrols/", body, format="json").status_code == 403


def test_a_start_in_the_future_is_refused(town):
    later = timezone.now() + timedelta(hours=1)
    response = signed_in(town.worker1).post(
        "/api/v1/patrols/",
        {"client_id": str(uuid.uuid4()), "started_at": later.isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "started_at"


def test_ending_twice_at_the_same_time_answers_the_same_and_another_time_is_refused(town):
    client = signed_in(town.worker1)
    session = start_patrol(client)
    url = f"/api/v1/patrols/{session['id']}/end/"
    ended_at = (START + timedelta(hours=2)).isoformat()
    first = client.post(url, {"ended_at": ended_at}, format="json")
    assert first.status_code == 200, first.content
    assert first.json()["ended_at"] is not None
    again = client.post(url, {"ended_at": ended_at}, format="json")
    assert again.content == first.content
    other = client.post(url, {"ended_at": (START + timedelta(hours=3)).isoformat()}, format="json")
    assert other.status_code == 400
    assert other.json()["errors"][0]["attr"] == "ended_at"
    before_start = client.post(url, {"ended_at": (START - timedelta(hours=1)).isoformat()})
    assert before_start.status_code == 400


def test_only_the_sessions_worker_ends_it(town):
    session = start_patrol(signed_in(town.worker1))
    backup = worker_on(town.grid1, kind="backup")  # sees grid 1's patrols
    url = f"/api/v1/patrols/{session['id']}/end/"
    body = {"ended_at": (START + timedelta(hours=1)).isoformat()}
    assert signed_in(backup).post(url, body, format="json").status_code == 403
    assert signed_in(town.worker3).post(url, body, format="json").status_code == 404
    assert PatrolSession.objects.get().ended_at is None


# Point batches -----------------------------------------------------------------------------


def test_a_batch_is_stored_and_a_resend_creates_nothing_and_answers_the_same(town):
    client = signed_in(town.worker1)
    session = start_patrol(client)
    batch = [point(minute, lat=LAT_IN + minute * 0.00004) for minute in range(20)]
    first = upload(client, session["id"], batch)
    assert first.status_code == 200, first.content
    assert first.json() == {
        "session": session["id"],
        "received": 20,
        "stored": 20,
        "flagged": [],
        "rejected": [],
    }
    assert PatrolPoint.objects.count() == 20

    again = upload(client, session["id"], batch)
    assert again.status_code == 200
    assert again.content == first.content
    assert PatrolPoint.objects.count() == 20
    stored = PatrolPoint.objects.order_by("recorded_at").first()
    assert stored.located_grid == town.grid1
    assert stored.accuracy_m == 8.0
    assert stored.grid == town.grid1  # scoped by the session's grid


def test_a_batch_overlapping_an_earlier_one_stores_only_the_new_points(town):
    client = signed_in(town.worker1)
    session = start_patrol(client)
    batch = [point(minute) for minute in range(10)]
    upload(client, session["id"], batch[:6])
    response = upload(client, session["id"], batch[3:])
    assert response.json()["stored"] == 7
    assert PatrolPoint.objects.count() == 10


def test_501_points_are_refused_and_nothing_is_written(town):
    client = signed_in(town.worker1)
    session = start_patrol(client)
    response = upload(client, session["id"], [point(m / 100) for m in range(501)])
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["attr"] == "points"
    assert "500" in error["detail"]
    assert not PatrolPoint.objects.exists()
    assert upload(client, session["id"], [point(m / 100) for m in range(500)]).status_code == 200


def test_an_empty_batch_is_refused(town):
    client = signed_in(town.worker1)
    session = start_patrol(client)
    response = upload(client, session["id"], [])
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "points"


def test_a_bad_point_refuses_the_batch_naming_it_and_nothing_is_written(town):
    client = signed_in(town.worker1)
    session = start_patrol(client)
    batch = [point(minute) for minute in range(8)]
    batch[3]["lat"] = 95
    response = upload(client, session["id"], batch)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["attr"] == "points.3.lat"
    assert not PatrolPoint.objects.exists()


def test_times_before_the_start_or_in_the_future_are_named(town):
    client = signed_in(town.worker1)
    session = start_patrol(client)
    batch = [point(minute) for minute in range(6)]
    batch[1] = point(-30)
    batch[4]["recorded_at"] = (timezone.now() + timedelta(hours=1)).isoformat()
    batch[5]["id"] = batch[0]["id"]
    response = upload(client, session["id"], batch)
    assert response.status_code == 400
    attrs = {error["attr"] for error in response.json()["errors"]}
    assert attrs == {"points.1.recorded_at", "points.4.recorded_at", "points.5.id"}
    assert not PatrolPoint.objects.exists()


def test_points_after_the_end_are_refused(town):
    client = signed_in(town.worker1)
    session = start_patrol(client)
    client.post(
        f"/api/v1/patrols/{session['id']}/end/",
        {"ended_at": (START + timedelta(minutes=30)).isoformat()},
        format="json",
    )
    response = upload(client, session["id"], [point(10), point(60)])
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "points.1.recorded_at"


def test_points_outside_the_workers_grids_are_kept_and_flagged(town):
    client = signed_in(town.worker1)
    session = start_patrol(client)
    inside = point(1)
    in_grid2 = point(2, lng=LNG_IN + factories.CELL_DEG)
    nowhere = point(3, lng=117.5)
    response = upload(client, session["id"], [inside, in_grid2, nowhere])
    assert response.status_code == 200
    body = response.json()
    assert body["stored"] == 3
    assert body["flagged"] == [in_grid2["id"], nowhere["id"]]
    flagged = PatrolPoint.objects.get(client_id=in_grid2["id"])
    assert flagged.outside
    assert flagged.located_grid == town.grid2
    assert PatrolPoint.objects.get(client_id=nowhere["id"]).located_grid is None
    assert not PatrolPoint.objects.get(client_id=inside["id"]).outside
    detail = client.get(f"/api/v1/patrols/{session['id']}/").json()
    assert (detail["point_count"], detail["flagged_count"]) == (3, 2)


def test_a_point_id_of_another_session_is_reported_not_attached(town):
    client = signed_in(town.worker1)
    first = start_patrol(client)
    second = start_patrol(client, started_at=START + timedelta(minutes=5))
    shared = point(10)
    upload(client, first["id"], [shared])
    fresh = point(11)
    response = upload(client, second["id"], [shared, fresh])
    assert response.status_code == 200
    assert response.json()["rejected"] == [shared["id"]]
    assert response.json()["stored"] == 1
    assert PatrolPoint.objects.get(client_id=shared["id"]).session_id == first["id"]


def test_another_worker_cannot_upload_to_my_session(town):
    session = start_patrol(signed_in(town.worker1))
    backup = worker_on(town.grid1, kind="backup")
    assert upload(signed_in(backup), session["id"], [point(1)]).status_code == 403
    assert upload(signed_in(town.worker3), session["id"], [point(1)]).status_code == 404
    assert not PatrolPoint.objects.exists()


# Check-ins ---------------------------------------------------------------------------------


def test_a_check_in_is_stored_once_and_flagged_like_points(town):
    client = signed_in(town.worker1)
    session = start_patrol(client)
    url = f"/api/v1/patrols/{session['id']}/checkins/"
    body = {**point(5, lng=LNG_IN + factories.CELL_DEG), "note": "Building 3, east gate"}
    body.pop("accuracy")
    first = client.post(url, body, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["outside"] is True
    assert first.json()["located_grid"] == town.grid2.pk
    again = client.post(url, body, format="json")
    assert again.status_code == 200
    assert again.content == first.content
    assert PatrolCheckIn.objects.count() == 1
    assert client.get(f"/api/v1/patrols/{session['id']}/").json()["checkin_count"] == 1


def test_a_check_in_id_of_another_session_is_refused(town):
    client = signed_in(town.worker1)
    first = start_patrol(client)
    second = start_patrol(client)
    body = {**point(5), "note": ""}
    assert client.post(f"/api/v1/patrols/{first['id']}/checkins/", body).status_code == 201
    response = client.post(f"/api/v1/patrols/{second['id']}/checkins/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "id"


# Who sees what -----------------------------------------------------------------------------


def test_a_worker_does_not_see_the_patrols_of_a_worker_on_another_grid(town):
    mine = start_patrol(signed_in(town.worker1))
    theirs = start_patrol(signed_in(town.worker2))
    client = signed_in(town.worker1)
    listed = [row["id"] for row in client.get("/api/v1/patrols/").json()["results"]]
    assert listed == [mine["id"]]
    assert client.get(f"/api/v1/patrols/{theirs['id']}/").status_code == 404
    assert client.get(f"/api/v1/patrols/{mine['id']}/").status_code == 200


def test_street_staff_see_their_streets_patrols_and_filter_them(town):
    one = start_patrol(signed_in(town.worker1))
    two = start_patrol(signed_in(town.worker2), started_at=START + timedelta(days=1))
    start_patrol(signed_in(town.worker3))
    staff = signed_in(people.with_role("street_staff", town.street))
    rows = staff.get("/api/v1/patrols/").json()["results"]
    assert {row["id"] for row in rows} == {one["id"], two["id"]}
    by_worker = staff.get("/api/v1/patrols/", {"worker": town.worker2.pk}).json()["results"]
    assert [row["id"] for row in by_worker] == [two["id"]]
    by_grid = staff.get("/api/v1/patrols/", {"grid": town.grid1.pk}).json()["results"]
    assert [row["id"] for row in by_grid] == [one["id"]]
    by_day = staff.get("/api/v1/patrols/", {"date": "2025-03-11"}).json()["results"]
    assert [row["id"] for row in by_day] == [two["id"]]
