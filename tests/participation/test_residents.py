"""The resident register through the API: masking per role, the ID number kept only as a
keyed hash, the personal-data view log, scope 404s, validation, and no write on refusal.

Masking rule: superusers, administrators and street staff of the resident's street, and
grid workers of the resident's grid see names and phones; supervisors (and community staff,
grid chiefs) read the register masked: they supervise the handling of cases, they do not
call residents.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from participation.models import PersonalDataView, Resident, Visit
from participation.personal_data import id_check_character
from participation.services import household_create, resident_create
from personnel.services.workers import grid_assignment_create
from tests import factories, people

FIRST17 = "11010519491231002"
ID_NUMBER = FIRST17 + id_check_character(FIRST17)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def worker_on(grid, name: str):
    person = people.user(name)
    profile = people.worker_profile(person, street=grid.street)
    grid_assignment_create(created_by=people.root(), worker=profile, grid=grid, kind="primary")
    return person


@pytest.fixture
def town(db):
    grid, grid2 = factories.grids(2)
    resident = resident_create(
        grid=grid,
        name="王秀英",
        building="3",
        unit="2",
        room="201",
        phone="13912345678",
        id_number=ID_NUMBER,
        care_tags=["elderly_alone"],
    )
    return {
        "grid": grid,
        "grid2": grid2,
        "resident": resident,
        "worker": worker_on(grid, "res-worker"),
        "outsider": worker_on(grid2, "res-outsider"),
        "staff": people.with_role("street_staff", grid.street, "res-staff"),
        "supervisor": people.with_role("supervisor", grid.district, "res-supervisor"),
    }


def detail(resident) -> str:
    return f"/api/v1/residents/{resident.pk}/"


@pytest.mark.parametrize(
    ("caller", "name", "phone"),
    [
        ("worker", "王秀英", "13912345678"),
        ("staff", "王秀英", "13912345678"),
        ("supervisor", "王**", "139****5678"),
    ],
)
def test_personal_data_is_masked_unless_the_role_needs_it(town, caller, name, phone):
    response = client_for(town[caller]).get(detail(town["resident"]))
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["phone"], body["masked"]) == (name, phone, caller == "supervisor")
    assert body["care_tags"] == ["elderly_alone"]
    assert "id_number" not in body and body["has_id_number"] is True
    assert ID_NUMBER not in response.content.decode()
    assert town["resident"].id_number_hash not in response.content.decode()


def test_unmasked_reads_are_logged_and_masked_ones_are_not(town):
    resident = town["resident"]
    client_for(town["supervisor"]).get(detail(resident))
    client_for(town["supervisor"]).get("/api/v1/residents/")
    assert not PersonalDataView.objects.exists()
    client_for(town["worker"]).get(detail(resident))
    client_for(town["worker"]).get("/api/v1/residents/")
    views = list(PersonalDataView.objects.values_list("viewer", "resident", "fields"))
    assert views == [(town["worker"].pk, resident.pk, ["name", "phone"])] * 2


def test_another_grids_worker_gets_404_and_nothing_is_written(town):
    resident = town["resident"]
    client = client_for(town["outsider"])
    assert client.get(detail(resident)).status_code == 404
    patch = client.patch(detail(resident), {"name": "李四"}, format="json", HTTP_IF_MATCH="*")
    assert patch.status_code == 404
    assert client.post(f"{detail(resident)}visits/", {}, format="json").status_code == 404
    assert client.get("/api/v1/residents/").json()["results"] == []
    resident.refresh_from_db()
    assert resident.name == "王秀英" and resident.version == 1
    assert not Visit.objects.exists() and not PersonalDataView.objects.exists()


def test_a_worker_cannot_register_a_resident_in_another_grid(town):
    body = {"grid": town["grid2"].pk, "name": "李四", "building": "1"}
    response = client_for(town["worker"]).post("/api/v1/residents/", body, format="json")
    assert response.status_code == 400
    assert {error["attr"] for error in response.json()["errors"]} == {"grid"}
    assert Resident.objects.count() == 1


def test_supervisors_read_but_do_not_write(town):
    client = client_for(town["supervisor"])
    body = {"grid": town["grid"].pk, "name": "李四", "building": "1"}
    assert client.post("/api/v1/residents/", body, format="json").status_code == 403
    assert client.post(f"{detail(town['resident'])}visits/", {}).status_code == 403
    assert Resident.objects.count() == 1 and not Visit.objects.exists()


def test_bad_input_is_a_400_with_field_errors(town):
    body = {
        "grid": town["grid"].pk,
        "name": "",
        "building": "1",
        "phone": "not a phone",
        "id_number": "110105194912310020",
        "care_tags": ["rich"],
    }
    response = client_for(town["worker"]).post("/api/v1/residents/", body, format="json")
    assert response.status_code == 400
    attrs = {error["attr"] for error in response.json()["errors"]}
    assert {"name", "phone", "care_tags.0"} <= attrs
    body.update(name="李四", phone="13800138000", care_tags=[])
    response = client_for(town["worker"]).post("/api/v1/residents/", body, format="json")
    assert response.status_code == 400
    assert [error["attr"] for error in response.json()["errors"]] == ["id_number"]
    assert Resident.objects.count() == 1


def test_a_worker_registers_and_updates_with_if_match(town):
    client = client_for(town["worker"])
    household = household_create(grid=town["grid"], building="3", unit="2", room="201")
    body = {
        "grid": town["grid"].pk,
        "name": "李四",
        "building": "3",
        "household": household.pk,
        "care_tags": ["veteran", "disabled"],
    }
    created = client.post("/api/v1/residents/", body, format="json")
    assert created.status_code == 201, created.content
    url = f"/api/v1/residents/{created.json()['id']}/"
    etag = created["ETag"]
    assert client.patch(url, {"room": "202"}, format="json").status_code == 428
    stale = client.patch(url, {"room": "202"}, format="json", HTTP_IF_MATCH='"0-0"')
    assert stale.status_code == 412
    changed = client.patch(
        url, {"room": "202", "care_tags": ["veteran"]}, format="json", HTTP_IF_MATCH=etag
    )
    assert changed.status_code == 200, changed.content
    assert (changed.json()["room"], changed.json()["care_tags"]) == ("202", ["veteran"])
    assert changed.json()["version"] == 2


def test_the_id_number_is_stored_only_hashed_and_matches(town):
    resident = town["resident"]
    row = Resident.objects.filter(pk=resident.pk).values().get()
    assert ID_NUMBER not in str(row)
    assert len(resident.id_number_hash) == 64
    lookup = client_for(town["worker"]).post(
        "/api/v1/residents/lookup/", {"id_number": ID_NUMBER.lower()}, format="json"
    )
    assert lookup.status_code == 200
    assert [found["id"] for found in lookup.json()] == [resident.pk]
    outsider = client_for(town["outsider"]).post(
        "/api/v1/residents/lookup/", {"id_number": ID_NUMBER}, format="json"
    )
    assert outsider.json() == []
    duplicate = {"grid": town["grid"].pk, "name": "李四", "building": "1", "id_number": ID_NUMBER}
    response = client_for(town["worker"]).post("/api/v1/residents/", duplicate, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "id_number"


def test_a_lookup_with_a_malformed_number_is_a_400(town):
    response = client_for(town["worker"]).post(
        "/api/v1/residents/lookup/", {"id_number": "12345"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "id_number"
