"""Granting and revoking roles through the API: the granting rule, scope ids that are not
leaked, history that is never deleted."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from personnel.models import Notification, RoleAssignment
from tests import factories, people

pytestmark = pytest.mark.django_db

URL = "/api/v1/role-assignments/"


@pytest.fixture
def town():
    street1 = factories.street(number=1)
    street2 = factories.street(number=2)
    community1 = factories.community(parent=street1, number=1)
    community2 = factories.community(parent=street1, number=2)
    return {
        "district": street1.district,
        "street1": street1,
        "street2": street2,
        "community1": community1,
        "grid1": factories.grid(parent=community1, number=1),
        "grid2": factories.grid(parent=community2, number=1),
        "grid_street2": factories.grid(parent=factories.community(parent=street2)),
    }


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def grant_body(user, role: str, scope_type: str, scope) -> dict:
    return {"user": user.pk, "role": role, "scope_type": scope_type, "scope_id": scope.pk}


def test_street_staff_grants_grid_worker_on_a_grid_of_their_street(town):
    staff = people.with_role("street_staff", town["street1"])
    newcomer = people.user("newcomer")

    response = client_for(staff).post(
        URL, grant_body(newcomer, "grid_worker", "grid", town["grid1"]), format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["role"] == "grid_worker"
    assert body["scope_type"] == "grid"
    assert body["scope_id"] == town["grid1"].pk
    assert body["state"] == "active"
    assert body["granted_by"] == staff.pk
    # The grant takes effect: the newcomer now reaches the grid.
    assert client_for(newcomer).get(f"/api/v1/grids/{town['grid1'].pk}/").status_code == 200


def test_a_grid_of_another_street_is_not_found_for_the_granter(town):
    staff = people.with_role("street_staff", town["street1"])
    newcomer = people.user()

    response = client_for(staff).post(
        URL, grant_body(newcomer, "grid_worker", "grid", town["grid_street2"]), format="json"
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [error["attr"] for error in errors] == ["scope_id"]
    assert "does not exist" in errors[0]["detail"]
    assert not RoleAssignment.objects.filter(user=newcomer).exists()


@pytest.mark.parametrize(
    ("role", "scope_type"),
    [("admin", "district"), ("street_staff", "district")],
)
def test_street_staff_cannot_grant_above_their_scope(town, role, scope_type):
    staff = people.with_role("street_staff", town["street1"])
    newcomer = people.user()

    response = client_for(staff).post(
        URL, grant_body(newcomer, role, scope_type, town["district"]), format="json"
    )

    assert response.status_code == 403
    detail = response.json()["errors"][0]["detail"]
    assert "at or below your own, inside your own scope" in detail
    assert not RoleAssignment.objects.filter(user=newcomer).exists()


def test_community_staff_cannot_grant_street_staff_but_can_grant_a_grid_worker(town):
    community_staff = people.with_role("community_staff", town["community1"])
    newcomer = people.user()
    client = client_for(community_staff)

    refused = client.post(
        URL, grant_body(newcomer, "street_staff", "street", town["street1"]), format="json"
    )
    other_community = client.post(
        URL, grant_body(newcomer, "grid_worker", "grid", town["grid2"]), format="json"
    )
    allowed = client.post(
        URL, grant_body(newcomer, "grid_worker", "grid", town["grid1"]), format="json"
    )

    assert refused.status_code == 403
    assert other_community.status_code == 400  # grid2 lies in another community: unseen
    assert allowed.status_code == 201, allowed.content


def test_a_user_outside_the_granters_reach_is_not_found(town):
    staff = people.with_role("street_staff", town["street1"])
    elsewhere = people.with_role("grid_worker", town["grid_street2"])

    response = client_for(staff).post(
        URL, grant_body(elsewhere, "grid_worker", "grid", town["grid1"]), format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "user"


def test_a_role_at_the_wrong_kind_of_scope_is_a_field_error(town):
    staff = people.with_role("street_staff", town["street1"])
    newcomer = people.user()

    response = client_for(staff).post(
        URL, grant_body(newcomer, "grid_worker", "street", town["street1"]), format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "scope_type"


def test_revoke_ends_the_role_and_its_access_and_keeps_the_row(town):
    staff = people.with_role("street_staff", town["street1"])
    worker = people.with_role("grid_worker", town["grid1"])
    assignment = RoleAssignment.objects.get(user=worker)
    client = client_for(staff)

    response = client.post(f"{URL}{assignment.pk}/revoke/")

    assert response.status_code == 200, response.content
    assert response.json()["state"] == "ended"
    assert response.json()["ended_by"] == staff.pk
    assert client_for(worker).get(f"/api/v1/grids/{town['grid1'].pk}/").status_code == 404
    assert RoleAssignment.objects.filter(pk=assignment.pk, state="ended").exists()
    # Revoking twice is a clear error, not a second revocation.
    again = client.post(f"{URL}{assignment.pk}/revoke/")
    assert again.status_code == 400
    assert "already ended" in again.json()["errors"][0]["detail"]


def test_a_role_above_ones_reach_cannot_be_revoked(town):
    staff = people.with_role("street_staff", town["street1"])
    supervisor = people.with_role("supervisor", town["district"])
    above = RoleAssignment.objects.get(user=supervisor)

    response = client_for(staff).post(f"{URL}{above.pk}/revoke/")

    # The district-level row is outside the street's reach: not even shown.
    assert response.status_code == 404
    assert RoleAssignment.objects.get(pk=above.pk).state == "active"


def test_role_assignments_are_never_deleted(town):
    worker = people.with_role("grid_worker", town["grid1"])
    assignment = RoleAssignment.objects.get(user=worker)
    root_client = client_for(people.root())

    response = root_client.delete(f"{URL}{assignment.pk}/")

    assert response.status_code == 405
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_the_list_shows_assignments_in_reach_only(town):
    staff = people.with_role("street_staff", town["street1"])
    mine = people.with_role("grid_worker", town["grid1"])
    people.with_role("grid_worker", town["grid_street2"])

    response = client_for(staff).get(URL, {"page_size": 100})

    users = {row["user"] for row in response.json()["results"]}
    assert users == {staff.pk, mine.pk}


def test_filters_by_role_and_state(town):
    staff = people.with_role("street_staff", town["street1"])
    worker = people.with_role("grid_worker", town["grid1"])
    client = client_for(staff)

    rows = client.get(URL, {"role": "grid_worker", "state": "active"}).json()["results"]

    assert [row["user"] for row in rows] == [worker.pk]


def test_the_list_costs_the_same_queries_for_any_page_size(town):
    for number in range(12):
        people.with_role("grid_worker", town["grid1"], f"w{number}")
    people.with_role("dept_handler", people.department(street=town["street1"]))
    client = client_for(people.root())

    def count(size: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, {"page_size": size}).status_code == 200
        return len(queries)

    assert count(3) == count(100)


def test_revoking_needs_the_right_to_grant(town):
    chief = people.with_role("grid_chief", town["grid1"])
    worker = people.with_role("grid_worker", town["grid1"])
    assignment = RoleAssignment.objects.get(user=worker)

    response = client_for(chief).post(f"{URL}{assignment.pk}/revoke/")

    assert response.status_code == 403
    assert RoleAssignment.objects.get(pk=assignment.pk).state == "active"


def test_the_person_granted_or_revoked_is_told(town):
    staff = people.with_role("street_staff", town["street1"])
    newcomer = people.user()
    client = client_for(staff)

    granted = client.post(
        URL, grant_body(newcomer, "grid_worker", "grid", town["grid1"]), format="json"
    )
    client.post(f"{URL}{granted.json()['id']}/revoke/")

    kinds = list(
        Notification.objects.filter(user=newcomer).order_by("pk").values_list("kind", flat=True)
    )
    assert kinds == ["role", "role"]
