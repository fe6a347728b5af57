"""Grid-worker profiles through the API: phones masked below street staff, open assignments
in the list, edits under If-Match, workers managed only in one's own street."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from personnel.models import GridWorker
from personnel.selectors import mask_phone
from personnel.services.workers import grid_assignment_create
from tests import factories, people

pytestmark = pytest.mark.django_db

URL = "/api/v1/workers/"
PHONE = "13800138000"


@pytest.fixture
def town():
    street1 = factories.street(number=1)
    community = factories.community(parent=street1)
    return {
        "district": street1.district,
        "street1": street1,
        "street2": factories.street(number=2),
        "grid1": factories.grid(parent=community, number=1),
    }


@pytest.fixture
def worker(town):
    """A worker of street 1, primary of grid 1."""
    profile = people.worker_profile(people.user("zhangwei"), street=town["street1"], phone=PHONE)
    grid_assignment_create(
        created_by=people.root(), worker=profile, grid=town["grid1"], kind="primary"
    )
    return profile


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def phone_seen_by(user, worker) -> str:
    response = client_for(user).get(f"{URL}{worker.pk}/")
    assert response.status_code == 200, response.content
    return response.json()["phone"]


def test_mask_keeps_the_first_three_and_last_four_digits():
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phone("0538-8120001") == "053*****0001"
    assert mask_phone("12345") == "***45"


def test_phone_is_masked_for_a_grid_worker_and_a_supervisor(town, worker):
    backup = people.worker_profile(people.user(), street=town["street1"])
    grid_assignment_create(
        created_by=people.root(), worker=backup, grid=town["grid1"], kind="backup"
    )
    supervisor = people.with_role("supervisor", town["street1"])

    assert phone_seen_by(backup.user, worker) == "138****8000"
    assert phone_seen_by(supervisor, worker) == "138****8000"


def test_phone_is_shown_in_full_to_street_staff_and_superusers(town, worker):
    staff = people.with_role("street_staff", town["street1"])

    assert phone_seen_by(staff, worker) == PHONE
    assert phone_seen_by(people.root(), worker) == PHONE


def test_list_masks_every_row_and_shows_open_assignments(town, worker):
    supervisor = people.with_role("supervisor", town["street1"])

    rows = client_for(supervisor).get(URL).json()["results"]

    assert [row["id"] for row in rows] == [worker.pk]
    assert rows[0]["phone"] == "138****8000"
    assert rows[0]["user_name"] == "zhangwei"
    [assignment] = rows[0]["open_assignments"]
    assert (assignment["grid"], assignment["kind"]) == (town["grid1"].pk, "primary")
    assert assignment["grid_code"] == town["grid1"].code


def test_workers_of_another_street_are_hidden(town, worker):
    staff2 = people.with_role("street_staff", town["street2"])

    assert client_for(staff2).get(URL).json()["results"] == []
    assert client_for(staff2).get(f"{URL}{worker.pk}/").status_code == 404


def test_street_staff_create_a_worker_in_their_street(town):
    staff = people.with_role("street_staff", town["street1"])
    # A new account, not placed anywhere yet, can be given its profile.
    newcomer = people.user("newcomer")
    body = {
        "user": newcomer.pk,
        "street": town["street1"].pk,
        "employee_number": "WY00099",
        "employment_type": "part_time",
        "origin": "community_staff",
        "hire_date": "2025-09-01",
        "phone": PHONE,
    }

    response = client_for(staff).post(URL, body, format="json")

    assert response.status_code == 201, response.content
    assert response["ETag"] == f'"{response.json()["id"]}-1"'
    assert response.json()["status"] == "active"
    assert GridWorker.objects.get(user=newcomer).street == town["street1"]
    # A second profile for the same person is refused.
    again = client_for(staff).post(URL, {**body, "employee_number": "WY00100"}, format="json")
    assert again.status_code == 400


def test_a_worker_cannot_be_created_in_another_street(town):
    staff = people.with_role("street_staff", town["street1"])
    body = {
        "user": people.user().pk,
        "street": town["street2"].pk,
        "employee_number": "WY00098",
        "employment_type": "full_time",
        "origin": "recruited",
        "hire_date": "2025-09-01",
        "phone": PHONE,
    }

    response = client_for(staff).post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "street"


def test_a_supervisor_may_read_but_not_create(town):
    supervisor = people.with_role("supervisor", town["street1"])

    response = client_for(supervisor).post(URL, {}, format="json")

    assert response.status_code == 403


def test_edits_need_if_match_and_stale_ones_are_refused(town, worker):
    staff = people.with_role("street_staff", town["street1"])
    client = client_for(staff)
    url = f"{URL}{worker.pk}/"
    etag = client.get(url)["ETag"]

    missing = client.patch(url, {"status": "on_leave"}, format="json")
    saved = client.patch(url, {"status": "on_leave"}, format="json", HTTP_IF_MATCH=etag)
    stale = client.patch(url, {"phone": "13900000000"}, format="json", HTTP_IF_MATCH=etag)

    assert missing.status_code == 428
    assert saved.status_code == 200, saved.content
    assert saved.json()["status"] == "on_leave"
    assert saved["ETag"] == f'"{worker.pk}-2"'
    assert stale.status_code == 412
    worker.refresh_from_db()
    assert (worker.status, worker.phone, worker.version) == ("on_leave", PHONE, 2)


def test_the_user_of_a_profile_cannot_be_changed(town, worker):
    client = client_for(people.root())
    url = f"{URL}{worker.pk}/"
    etag = client.get(url)["ETag"]

    response = client.patch(url, {"user": people.user().pk}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 200
    worker.refresh_from_db()
    assert worker.user.username == "zhangwei"


def test_a_worker_still_assigned_cannot_be_marked_as_left(town, worker):
    client = client_for(people.root())
    url = f"{URL}{worker.pk}/"
    etag = client.get(url)["ETag"]

    response = client.patch(url, {"status": "left"}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "status"


def test_profiles_are_never_deleted(worker):
    response = client_for(people.root()).delete(f"{URL}{worker.pk}/")

    assert response.status_code == 405


def test_the_list_costs_the_same_queries_for_any_page_size(town):
    staff = people.with_role("street_staff", town["street1"])
    grids = factories.grids(12, parent=factories.community(parent=town["street1"], number=2))
    for grid in grids:
        profile = people.worker_profile(people.user(), street=town["street1"])
        grid_assignment_create(created_by=staff, worker=profile, grid=grid, kind="primary")
    client = client_for(staff)

    def count(size: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, {"page_size": size})
        assert response.status_code == 200
        assert all(row["open_assignments"] for row in response.json()["results"])
        return len(queries)

    assert count(3) == count(100)
