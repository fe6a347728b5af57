"""Volunteers are residents or users of a community, with skills and availability checked
against the choices; their names are masked as residents' are; a volunteer who signs in
reads their own record and balance."""

from __future__ import annotations

import pytest

from participation.models import PersonalDataView, PointsAccount, Volunteer
from participation.services import resident_create
from participation.services.community import organisation_create, volunteer_create
from tests import people
from tests.participation.life import api_for, build_town, give

VOLUNTEERS = "/api/v1/volunteers/"


@pytest.fixture
def town(db):
    return build_town()


def test_a_keeper_registers_a_resident_as_volunteer_in_their_community(town):
    neighbour = resident_create(grid=town["grid2"], name="赵敏", building="5")
    body = {
        "resident": neighbour.pk,
        "skills": ["elderly_care", "first_aid"],
        "availability": {"5": ["morning", "evening"], "6": []},
    }
    response = api_for(town["keeper"]).post(VOLUNTEERS, body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["community"] == town["community"].pk  # the resident's
    assert data["availability"] == {"5": ["morning", "evening"]}
    assert data["balance"] == 0 and data["masked"] is True  # community staff read masked
    assert PointsAccount.objects.filter(volunteer_id=data["id"]).exists()


def test_a_user_becomes_a_volunteer(town):
    person = people.user("new-volunteer", full_name="陈静")
    body = {"community": town["community"].pk, "user": person.pk}
    response = api_for(town["staff"]).post(VOLUNTEERS, body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "陈静" and response.json()["masked"] is False


@pytest.mark.parametrize(
    ("body", "attr"),
    [
        ({"community": "C"}, None),  # neither a resident nor a user
        ({"resident": "R", "skills": ["juggling"]}, "skills.0"),
        ({"resident": "R", "skills": "first_aid"}, "skills"),
        ({"resident": "R", "availability": {"7": ["morning"]}}, "availability"),
        ({"resident": "R", "availability": {"1": ["night"]}}, "availability.1.0"),
        ({"resident": "R", "availability": ["morning"]}, "availability"),
        ({"resident": "R", "community": "C2"}, "resident"),
        ({"resident": "taken"}, "resident"),
        ({"user": "taken"}, "user"),
        ({}, "community"),
    ],
)
def test_bad_volunteers_are_400s_and_write_nothing(town, body, attr):
    fresh = resident_create(grid=town["grid"], name="孙丽", building="7")
    values = {
        "C": town["community"].pk,
        "C2": town["other"].pk,
        "R": fresh.pk,
        "taken": None,
    }
    body = dict(body)
    if body.get("resident") == "taken":
        body["resident"] = town["resident"].pk
    if body.get("user") == "taken":
        body["user"] = town["vol_user"].pk
        body["community"] = town["community"].pk
    body = {k: values.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    before = Volunteer.objects.count()
    response = api_for(town["staff"]).post(VOLUNTEERS, body, format="json")
    assert response.status_code == 400, response.content
    assert attr in {error["attr"] for error in response.json()["errors"]}, response.json()
    assert Volunteer.objects.count() == before


def test_another_communitys_staff_cannot_register_here(town):
    fresh = resident_create(grid=town["grid"], name="孙丽", building="7")
    response = api_for(town["other_keeper"]).post(VOLUNTEERS, {"resident": fresh.pk}, format="json")
    assert response.status_code == 400  # the resident is out of their reach
    assert not Volunteer.objects.filter(resident=fresh).exists()


def test_names_are_masked_as_residents_are(town):
    def names(who) -> dict[int, str]:
        rows = api_for(town[who]).get(VOLUNTEERS).json()["results"]
        return {row["id"]: row["name"] for row in rows}

    ids = (town["volunteer"].pk, town["resident_volunteer"].pk)
    assert [names("staff")[i] for i in ids] == ["李明", "王秀英"]
    assert [names("keeper")[i] for i in ids] == ["李*", "王**"]
    assert [names("supervisor")[i] for i in ids] == ["李*", "王**"]
    assert [names("worker")[i] for i in ids] == ["李*", "王秀英"]
    assert names("vol_user") == {town["volunteer"].pk: "李明"}  # their own record only
    assert names("plain") == {}


def test_a_volunteer_reads_their_balance(town):
    give(town, town["volunteer"], 35)
    row = api_for(town["vol_user"]).get(f"{VOLUNTEERS}{town['volunteer'].pk}/").json()
    assert row["balance"] == 35 and row["earned"] == 0
    hidden = api_for(town["vol_user"]).get(f"{VOLUNTEERS}{town['resident_volunteer'].pk}/")
    assert hidden.status_code == 404


def test_an_update_changes_skills_and_team_with_if_match(town):
    team = organisation_create(
        created_by=town["staff"], street=town["street"], name="巡逻队", kind="volunteer_team"
    )
    client = api_for(town["keeper"])
    url = f"{VOLUNTEERS}{town['volunteer'].pk}/"
    etag = client.get(url)["ETag"]
    body = {"skills": ["patrol"], "organisation": team.pk, "resident": town["resident"].pk}
    response = client.patch(url, body, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    assert response.json()["skills"] == ["patrol"] and response.json()["organisation"] == team.pk
    assert response.json()["resident"] is None  # who the volunteer is does not change here
    assert (
        client.patch(url, {"active": False}, format="json", HTTP_IF_MATCH=etag).status_code == 412
    )


def test_readers_cannot_register_volunteers(town):
    body = {"community": town["community"].pk, "user": town["plain"].pk}
    for who in ("worker", "supervisor", "vol_user"):
        assert api_for(town[who]).post(VOLUNTEERS, body, format="json").status_code == 403


def test_filter_by_skill(town):
    volunteer_create(
        created_by=town["staff"], community=town["community"], user=people.user(), skills=["legal"]
    )
    rows = api_for(town["staff"]).get(VOLUNTEERS, {"skill": "first_aid"}).json()["results"]
    assert [row["id"] for row in rows] == [town["volunteer"].pk]
    assert api_for(town["staff"]).get(VOLUNTEERS, {"skill": "juggling"}).status_code == 400


def test_unmasked_resident_names_are_logged_and_masked_ones_are_not(town):
    api_for(town["keeper"]).get(VOLUNTEERS)
    assert not PersonalDataView.objects.exists()
    api_for(town["staff"]).get(VOLUNTEERS)
    logged = PersonalDataView.objects.get()
    assert (logged.viewer, logged.resident) == (town["staff"], town["resident"])
