"""Assigning workers to grids: one open primary per grid, replacement, ending (which takes
the worker's access), history kept, the granting rule applied to whoever assigns."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from personnel.models import GridAssignment, Notification, RoleAssignment
from personnel.services import workers as worker_services
from personnel.services.workers import grid_assignment_create
from tests import factories, people

pytestmark = pytest.mark.django_db

URL = "/api/v1/grid-assignments/"


@pytest.fixture
def town():
    street1 = factories.street(number=1)
    street2 = factories.street(number=2)
    community1 = factories.community(parent=street1, number=1)
    return {
        "street1": street1,
        "street2": street2,
        "grid1": factories.grid(parent=community1, number=1),
        "grid2": factories.grid(parent=community1, number=2),
        "grid_street2": factories.grid(parent=factories.community(parent=street2)),
    }


@pytest.fixture
def staff(town):
    return people.with_role("street_staff", town["street1"], "staff1")


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def new_worker(street, username: str | None = None):
    person = people.user(username)
    return people.worker_profile(person, street=street)


def assign_body(worker, grid, kind: str = "primary", **extra) -> dict:
    return {"worker": worker.pk, "grid": grid.pk, "kind": kind, **extra}


def test_assigning_a_worker_gives_them_the_grid_and_tells_them(town, staff):
    worker = new_worker(town["street1"], "zhang")
    assert client_for(worker.user).get(f"/api/v1/grids/{town['grid1'].pk}/").status_code == 404

    response = client_for(staff).post(URL, assign_body(worker, town["grid1"]), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "primary"
    assert body["open"] is True
    assert body["since"] == timezone.localdate().isoformat()
    assert body["worker_name"] == "zhang"
    role = RoleAssignment.objects.get(pk=body["role_assignment"])
    assert (role.user, role.role, role.grid) == (worker.user, "grid_worker", town["grid1"])
    assert client_for(worker.user).get(f"/api/v1/grids/{town['grid1'].pk}/").status_code == 200
    notice = Notification.objects.get(user=worker.user)
    assert notice.kind == "assignment"
    assert town["grid1"].code in notice.title


def test_a_second_open_primary_is_refused_with_a_field_error(town, staff):
    first, second = new_worker(town["street1"]), new_worker(town["street1"])
    client = client_for(staff)
    assert client.post(URL, assign_body(first, town["grid1"]), format="json").status_code == 201

    response = client.post(URL, assign_body(second, town["grid1"]), format="json")

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["attr"] == "grid"
    assert "already has a primary worker" in error["detail"]
    assert not RoleAssignment.objects.filter(user=second.user).exists()
    # A backup beside the primary is fine.
    backup = client.post(URL, assign_body(second, town["grid1"], "backup"), format="json")
    assert backup.status_code == 201


def test_replace_primary_ends_the_old_one_and_history_shows_both(town, staff):
    first, second = new_worker(town["street1"]), new_worker(town["street1"])
    client = client_for(staff)
    start = timezone.localdate() - timedelta(days=30)
    client.post(URL, assign_body(first, town["grid1"], since=start.isoformat()), format="json")

    response = client.post(
        URL, assign_body(second, town["grid1"], replace_primary=True), format="json"
    )

    assert response.status_code == 201, response.content
    history = client.get(URL, {"grid": town["grid1"].pk}).json()["results"]
    by_worker = {row["worker"]: row for row in history}
    assert set(by_worker) == {first.pk, second.pk}
    assert by_worker[first.pk]["until"] == timezone.localdate().isoformat()
    assert by_worker[first.pk]["open"] is False
    assert by_worker[second.pk]["open"] is True
    # The replaced worker lost the grid; the new one has it.
    assert client_for(first.user).get(f"/api/v1/grids/{town['grid1'].pk}/").status_code == 404
    assert client_for(second.user).get(f"/api/v1/grids/{town['grid1'].pk}/").status_code == 200


def test_ending_an_assignment_removes_access_and_keeps_the_row(town, staff):
    worker = new_worker(town["street1"])
    client = client_for(staff)
    created = client.post(URL, assign_body(worker, town["grid1"]), format="json").json()

    response = client.post(f"{URL}{created['id']}/end/", {}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["until"] == timezone.localdate().isoformat()
    assert client_for(worker.user).get(f"/api/v1/grids/{town['grid1'].pk}/").status_code == 404
    assert RoleAssignment.objects.get(pk=created["role_assignment"]).state == "ended"
    assert GridAssignment.objects.filter(pk=created["id"]).exists()
    titles = Notification.objects.filter(user=worker.user).values_list("title", flat=True)
    assert any("ended" in title for title in titles)
    # The worker still sees their own history.
    mine = client_for(worker.user).get(URL).json()["results"]
    assert [row["id"] for row in mine] == [created["id"]]
    # Ending twice is a clear error.
    again = client.post(f"{URL}{created['id']}/end/", {}, format="json")
    assert again.status_code == 400


@pytest.mark.parametrize("days", [1, -400])
def test_an_end_in_the_future_or_before_the_start_is_refused(town, staff, days):
    worker = new_worker(town["street1"])
    client = client_for(staff)
    since = (timezone.localdate() - timedelta(days=10)).isoformat()
    created = client.post(URL, assign_body(worker, town["grid1"], since=since), format="json")
    until = timezone.localdate() + timedelta(days=days)

    response = client.post(
        f"{URL}{created.json()['id']}/end/", {"until": until.isoformat()}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "until"


def test_a_grid_of_another_street_is_not_found_for_the_assigner(town, staff):
    worker = new_worker(town["street1"])

    response = client_for(staff).post(URL, assign_body(worker, town["grid_street2"]), format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "grid"


def test_assigning_needs_the_permission(town):
    worker = new_worker(town["street1"])
    chief = people.with_role("grid_chief", town["grid1"])

    response = client_for(chief).post(URL, assign_body(worker, town["grid1"]), format="json")

    assert response.status_code == 403


def test_a_worker_who_left_cannot_be_assigned(town, staff):
    worker = new_worker(town["street1"])
    worker.status = "left"
    worker.save()

    response = client_for(staff).post(URL, assign_body(worker, town["grid1"]), format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "worker"


def test_a_race_past_the_check_is_a_validation_error_not_a_500(town, staff, monkeypatch):
    first, second = new_worker(town["street1"]), new_worker(town["street1"])
    grid_assignment_create(created_by=staff, worker=first, grid=town["grid1"], kind="primary")
    # As if a concurrent request had passed the check before the first primary committed.
    monkeypatch.setattr(worker_services, "grid_assignment_validate", lambda **kwargs: None)

    with pytest.raises(ValidationError):
        grid_assignment_create(created_by=staff, worker=second, grid=town["grid1"], kind="primary")

    assert GridAssignment.objects.filter(grid=town["grid1"]).count() == 1


def test_filters_give_the_open_primaries_of_a_street(town, staff):
    client = client_for(staff)
    a, b, c = (new_worker(town["street1"]) for _ in range(3))
    client.post(URL, assign_body(a, town["grid1"]), format="json")
    client.post(URL, assign_body(b, town["grid1"], "backup"), format="json")
    ended = client.post(URL, assign_body(c, town["grid2"]), format="json").json()
    client.post(f"{URL}{ended['id']}/end/", {}, format="json")

    query = {"street": town["street1"].pk, "open": "true", "kind": "primary"}
    rows = client.get(URL, query).json()["results"]
    closed = client.get(URL, {"open": "false"}).json()["results"]

    assert [(row["worker"], row["grid"]) for row in rows] == [(a.pk, town["grid1"].pk)]
    assert [row["id"] for row in closed] == [ended["id"]]


def test_assignments_are_never_deleted(town, staff):
    worker = new_worker(town["street1"])
    assignment = grid_assignment_create(
        created_by=staff, worker=worker, grid=town["grid1"], kind="primary"
    )

    response = client_for(people.root()).delete(f"{URL}{assignment.pk}/")

    assert response.status_code == 405
    assert GridAssignment.objects.filter(pk=assignment.pk).exists()


def test_a_future_start_gives_access_only_from_that_day(town, staff):
    worker = new_worker(town["street1"])
    since = timezone.localdate() + timedelta(days=7)

    assignment = grid_assignment_create(
        created_by=staff, worker=worker, grid=town["grid1"], kind="backup", since=since
    )

    assert assignment.role_assignment.state == "pending"
    assert client_for(worker.user).get(f"/api/v1/grids/{town['grid1'].pk}/").status_code == 404


def test_the_list_costs_the_same_queries_for_any_page_size(town, staff):
    grids = factories.grids(12, parent=factories.community(parent=town["street1"], number=3))
    for grid in grids:
        grid_assignment_create(
            created_by=staff, worker=new_worker(town["street1"]), grid=grid, kind="primary"
        )
    client = client_for(staff)

    def count(size: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, {"page_size": size})
        assert response.status_code == 200
        return len(queries)

    assert count(3) == count(100)


def test_revoking_the_role_of_an_assignment_ends_the_assignment_too(town, staff):
    worker = new_worker(town["street1"])
    client = client_for(staff)
    created = client.post(URL, assign_body(worker, town["grid1"]), format="json").json()

    response = client.post(f"/api/v1/role-assignments/{created['role_assignment']}/revoke/")

    assert response.status_code == 200, response.content
    assert response.json()["state"] == "ended"
    ended = client.get(f"{URL}{created['id']}/").json()
    assert ended["open"] is False
    # The map no longer names them as the grid's worker.
    query = {"street": town["street1"].pk, "open": "true", "kind": "primary"}
    assert client.get(URL, query).json()["results"] == []
