"""Organisations of a street with the grids they serve and their contacts: kept by street
staff, read by everyone working in the street; contacts' phones and e-mails are masked for
readers who do not keep the street."""

from __future__ import annotations

import pytest

from participation.models import Organisation, OrganisationContact
from participation.services.community import organisation_create
from tests import factories, people
from tests.participation.life import api_for, build_town

ORGANISATIONS = "/api/v1/organisations/"
CONTACT = {"name": "张伟", "title": "队长", "phone": "13812345678", "email": "zhang@example.cn"}


@pytest.fixture
def town(db):
    town = build_town()
    town["team"] = organisation_create(
        created_by=town["staff"],
        street=town["street"],
        name="红马甲志愿服务队",
        kind="volunteer_team",
        grids_served=[town["grid"]],
        contacts=[CONTACT],
    )
    return town


def _body(town, **overrides) -> dict:
    return {
        "street": town["street"].pk,
        "name": "幸福物业",
        "kind": "property",
        "grids_served": [town["grid"].pk, town["grid2"].pk],
        "contacts": [CONTACT],
        **overrides,
    }


def test_street_staff_register_an_organisation_with_contacts(town):
    response = api_for(town["staff"]).post(ORGANISATIONS, _body(town), format="json")
    assert response.status_code == 201, response.content
    assert sorted(response.json()["grids_served"]) == sorted([town["grid"].pk, town["grid2"].pk])
    assert response.json()["contacts"][0]["phone"] == "13812345678"
    assert response.json()["contacts_masked"] is False


@pytest.mark.parametrize(
    ("who", "phone", "email"),
    [
        ("staff", "13812345678", "zhang@example.cn"),
        ("keeper", "138****5678", "z***@example.cn"),
        ("worker", "138****5678", "z***@example.cn"),
        ("supervisor", "138****5678", "z***@example.cn"),
        ("vol_user", "138****5678", "z***@example.cn"),
    ],
)
def test_contacts_are_masked_unless_the_reader_keeps_the_street(town, who, phone, email):
    response = api_for(town[who]).get(f"{ORGANISATIONS}{town['team'].pk}/")
    assert response.status_code == 200
    contact = response.json()["contacts"][0]
    assert (contact["name"], contact["phone"], contact["email"]) == ("张伟", phone, email)


def test_community_staff_read_but_do_not_keep_the_streets_organisations(town):
    response = api_for(town["keeper"]).post(ORGANISATIONS, _body(town), format="json")
    assert response.status_code == 403
    assert not Organisation.objects.filter(name="幸福物业").exists()


def test_another_streets_organisation_is_hidden(town):
    elsewhere = factories.street(number=3)
    outsider = organisation_create(
        created_by=people.root(),
        street=elsewhere,
        name="外街商会",
        kind="enterprise",
    )
    assert api_for(town["staff"]).get(f"{ORGANISATIONS}{outsider.pk}/").status_code == 404
    assert api_for(town["plain"]).get(ORGANISATIONS).json()["results"] == []


@pytest.mark.parametrize(
    ("overrides", "attr"),
    [
        ({"kind": "club"}, "kind"),
        ({"name": ""}, "name"),
        ({"name": "红马甲志愿服务队"}, None),  # the name is taken in this street
        ({"grids_served": [10**12]}, "grids_served"),
        ({"contacts": [{"name": "", "phone": "1"}]}, "contacts.0.name"),
        ({"contacts": [{"name": "李", "phone": "call me"}]}, "contacts.0.phone"),
        ({"contacts": [{"name": "李", "email": "nope"}]}, "contacts.0.email"),
        ({"contacts": [CONTACT] * 11}, "contacts"),
    ],
)
def test_bad_organisations_are_400s_and_write_nothing(town, overrides, attr):
    response = api_for(town["staff"]).post(ORGANISATIONS, _body(town, **overrides), format="json")
    assert response.status_code == 400, response.content
    assert attr in {error["attr"] for error in response.json()["errors"]}
    assert Organisation.objects.count() == 1 and OrganisationContact.objects.count() == 1


def test_grids_of_another_street_cannot_be_served(town):
    root = people.root()
    far = factories.grid(parent=factories.community(parent=factories.street(number=4)))
    response = api_for(root).post(ORGANISATIONS, _body(town, grids_served=[far.pk]), format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "grids_served"


def test_an_update_replaces_the_contacts_and_needs_if_match(town):
    client = api_for(town["staff"])
    url = f"{ORGANISATIONS}{town['team'].pk}/"
    assert client.patch(url, {"active": False}, format="json").status_code == 428
    etag = client.get(url)["ETag"]
    body = {"contacts": [{"name": "刘洋", "phone": "13900001111"}], "grids_served": []}
    response = client.patch(url, body, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    assert [c["name"] for c in response.json()["contacts"]] == ["刘洋"]
    assert response.json()["grids_served"] == []
    assert OrganisationContact.objects.count() == 1


def test_filters(town):
    organisation_create(
        created_by=town["staff"], street=town["street"], name="社区党委", kind="party"
    )
    client = api_for(town["worker"])
    by_kind = client.get(ORGANISATIONS, {"kind": "party"}).json()["results"]
    assert [row["name"] for row in by_kind] == ["社区党委"]
    by_grid = client.get(ORGANISATIONS, {"grid": town["grid"].pk}).json()["results"]
    assert [row["name"] for row in by_grid] == ["红马甲志愿服务队"]
    assert client.get(ORGANISATIONS, {"kind": "club"}).status_code == 400
