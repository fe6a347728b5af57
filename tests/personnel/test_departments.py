"""Functional departments through the API: their handlers, their scope, edits in one's own
area only and under If-Match."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from personnel.models import Department, RoleAssignment
from personnel.services.roles import role_assignment_revoke
from tests import factories, people

pytestmark = pytest.mark.django_db

URL = "/api/v1/departments/"


@pytest.fixture
def town():
    street1 = factories.street(number=1)
    return {"district": street1.district, "street1": street1, "street2": factories.street(number=2)}


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def body(town, **overrides) -> dict:
    data = {
        "code": "CG-01",
        "name": "城管中队",
        "kind": "urban_management",
        "district": town["district"].pk,
        "street": town["street1"].pk,
        "contact_name": "周强",
        "contact_phone": "0538-8120001",
    }
    data.update(overrides)
    return data


def test_handlers_are_the_users_holding_dept_handler_on_it(town):
    department = people.department(district=town["district"])
    other = people.department(district=town["district"])
    zhou = people.with_role("dept_handler", department, "zhou", full_name="周强")
    people.with_role("dept_handler", other, "elsewhere")
    leaving = people.with_role("dept_handler", department, "leaving")
    role_assignment_revoke(
        assignment=RoleAssignment.objects.get(user=leaving), revoked_by=people.root()
    )

    response = client_for(zhou).get(f"{URL}{department.pk}/")

    assert response.status_code == 200
    assert response.json()["handlers"] == [{"id": zhou.pk, "username": "zhou", "full_name": "周强"}]


def test_street_staff_create_a_department_of_their_street(town):
    staff = people.with_role("street_staff", town["street1"])

    response = client_for(staff).post(URL, body(town), format="json")

    assert response.status_code == 201, response.content
    assert response.json()["handlers"] == []
    assert response["ETag"] == f'"{response.json()["id"]}-1"'
    assert Department.objects.get(code="CG-01").street == town["street1"]


def test_street_staff_cannot_create_a_district_level_department(town):
    staff = people.with_role("street_staff", town["street1"])

    response = client_for(staff).post(URL, body(town, street=None), format="json")

    assert response.status_code == 403
    assert "your own street or district" in response.json()["errors"][0]["detail"]
    assert not Department.objects.exists()


def test_a_street_of_another_district_is_a_field_error(town):
    elsewhere = factories.street(parent=factories.district("371524"))

    response = client_for(people.root()).post(URL, body(town, street=elsewhere.pk), format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "street"


def test_street_level_departments_are_seen_in_their_street_only(town):
    district_level = people.department(district=town["district"])
    street1_level = people.department(street=town["street1"])
    staff2 = people.with_role("street_staff", town["street2"])

    rows = client_for(staff2).get(URL).json()["results"]

    assert [row["id"] for row in rows] == [district_level.pk]
    assert client_for(staff2).get(f"{URL}{street1_level.pk}/").status_code == 404


def test_edits_need_if_match_and_the_editors_area(town):
    department = people.department(street=town["street1"])
    staff = people.with_role("street_staff", town["street1"])
    client = client_for(staff)
    url = f"{URL}{department.pk}/"
    etag = client.get(url)["ETag"]

    assert client.patch(url, {"name": "新名"}, format="json").status_code == 428
    saved = client.patch(url, {"name": "新名"}, format="json", HTTP_IF_MATCH=etag)
    stale = client.patch(url, {"name": "旧名"}, format="json", HTTP_IF_MATCH=etag)
    lifted = client.patch(url, {"street": None}, format="json", HTTP_IF_MATCH=saved["ETag"])

    assert saved.status_code == 200, saved.content
    assert stale.status_code == 412
    assert lifted.status_code == 403  # to district level: beyond the street's reach
    department.refresh_from_db()
    assert (department.name, department.street, department.version) == (
        "新名",
        town["street1"],
        2,
    )


def test_a_finance_officer_reads_but_does_not_write(town):
    finance = people.with_role("finance_officer", town["street1"])
    people.department(street=town["street1"])

    assert client_for(finance).get(URL).status_code == 200
    assert client_for(finance).post(URL, body(town), format="json").status_code == 403


def test_departments_are_never_deleted(town):
    department = people.department(district=town["district"])

    response = client_for(people.root()).delete(f"{URL}{department.pk}/")

    assert response.status_code == 405


def test_the_list_costs_the_same_queries_for_any_page_size(town):
    for _number in range(12):
        department = people.department(district=town["district"])
        people.with_role("dept_handler", department)

    def count(size: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client_for(people.root()).get(URL, {"page_size": size})
        assert response.status_code == 200
        assert all(row["handlers"] for row in response.json()["results"])
        return len(queries)

    assert count(3) == count(100)
