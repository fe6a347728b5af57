"""Proposals and needs through the API: raised by anyone signed in (for themself or an
organisation they speak for), supported once per person, answered officially by keepers of
the community (in progress, accepted making a case or an activity, declined with a
reason), the author notified at every status change, and nothing half-written when an
answer is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import Ticket
from participation.models import (
    Activity,
    Organisation,
    OrganisationContact,
    Proposal,
    ProposalAnswer,
    ProposalSupport,
)
from participation.selectors.proposals import public_proposal_list
from participation.services.proposals import proposal_answer, proposal_raise
from personnel.models import Notification
from tests.participation.voice import api_for, build_town

pytestmark = pytest.mark.django_db


@pytest.fixture
def town():
    return build_town()


@pytest.fixture
def proposal(town):
    return proposal_raise(
        author=town["resident"],
        community=town["community"],
        kind="need",
        title="楼道照明",
        body="3号楼楼道灯坏了一个月",
        grid=town["grid"],
    )


def _attrs(response) -> dict[str, str]:
    return {error["attr"]: error["detail"] for error in response.json()["errors"]}


def _answer(client, proposal, body, **headers):
    return client.post(
        f"/api/v1/proposals/{proposal.pk}/answer/", body, format="json", headers=headers
    )


# Raising ----------------------------------------------------------------------------------


def test_anyone_signed_in_raises_a_proposal_and_reads_it_back(town):
    client = api_for(town["neighbour"])

    response = client.post(
        "/api/v1/proposals/",
        {
            "community": town["community"].pk,
            "kind": "proposal",
            "title": "加装座椅",
            "body": "小广场没有座椅",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["supporters"], body["author"]) == ("open", 0, "李明")
    assert response["ETag"] == f'"{body["id"]}-1"'
    listed = client.get("/api/v1/proposals/").json()["results"]
    assert [row["id"] for row in listed] == [body["id"]]


def test_a_proposal_without_its_fields_is_400_naming_each_and_nothing_is_written(town):
    response = api_for(town["neighbour"]).post("/api/v1/proposals/", {}, format="json")

    assert response.status_code == 400
    assert set(_attrs(response)) == {"community", "kind", "title", "body"}
    assert not Proposal.objects.exists()


def test_the_grid_must_lie_in_the_proposal_community(town):
    response = api_for(town["neighbour"]).post(
        "/api/v1/proposals/",
        {
            "community": town["community"].pk,
            "grid": town["other_grid"].pk,
            "kind": "need",
            "title": "修路",
            "body": "路面坑洼",
        },
        format="json",
    )

    assert response.status_code == 400 and list(_attrs(response)) == ["grid"]
    assert not Proposal.objects.exists()


@pytest.fixture
def committee(town):
    committee = Organisation.objects.create(
        street=town["street"],
        district=town["street"].district,
        name="居委会",
        kind="residents_committee",
    )
    OrganisationContact.objects.create(
        organisation=committee, name="王秀英", email="WANG@example.org"
    )
    return committee


def test_a_contact_of_an_organisation_raises_on_its_behalf(town, committee):
    proposal = proposal_raise(
        author=town["resident"],
        community=town["community"],
        kind="proposal",
        title="组织义诊",
        body="请社区医院来义诊",
        organisation=committee,
    )

    assert proposal.organisation == committee


@pytest.mark.parametrize("who", ["keeper", "staff"])
def test_keepers_of_the_community_raise_for_its_organisations(town, committee, who):
    proposal = proposal_raise(
        author=town[who],
        community=town["community"],
        kind="need",
        title="需要志愿者",
        body="独居老人助餐",
        organisation=committee,
    )

    assert proposal.organisation == committee


def test_a_stranger_cannot_speak_for_an_organisation(town, committee):
    response = api_for(town["neighbour"]).post(
        "/api/v1/proposals/",
        {
            "community": town["community"].pk,
            "organisation": committee.pk,
            "kind": "need",
            "title": "需要场地",
            "body": "活动室",
        },
        format="json",
    )

    assert response.status_code == 400 and list(_attrs(response)) == ["organisation"]
    assert not Proposal.objects.exists()


# Reading ----------------------------------------------------------------------------------


def test_proposals_are_read_in_their_community_and_by_their_author(town, proposal):
    url = f"/api/v1/proposals/{proposal.pk}/"
    for who in ("resident", "keeper", "staff", "worker", "outsider", "supervisor"):
        assert api_for(town[who]).get(url).status_code == 200, who
    for who in ("neighbour", "other_keeper"):
        assert api_for(town[who]).get(url).status_code == 404, who
    assert api_for(town["neighbour"]).get("/api/v1/proposals/").json()["results"] == []


def test_only_the_author_and_keepers_read_who_raised_it(town, proposal):
    url = f"/api/v1/proposals/{proposal.pk}/"
    assert api_for(town["resident"]).get(url).json()["author"] == "王秀英"
    assert api_for(town["keeper"]).get(url).json()["author"] == "王秀英"
    assert api_for(town["worker"]).get(url).json()["author"] is None


def test_the_public_list_names_nobody_and_shows_the_latest_answer(town, proposal):
    proposal_answer(
        proposal=proposal, answered_by=town["keeper"], status="in_progress", text="已联系物业"
    )

    [row] = public_proposal_list(community=town["community"])

    assert (row.title, row.status, row.answer_text) == ("楼道照明", "in_progress", "已联系物业")
    assert "author_id" in row.get_deferred_fields()


# Supporting -------------------------------------------------------------------------------


def test_support_is_counted_once_per_person(town, proposal):
    url = f"/api/v1/proposals/{proposal.pk}/support/"
    first = api_for(town["neighbour"]).post(url)
    again = api_for(town["neighbour"]).post(url)
    other = api_for(town["third"]).post(url)

    assert first.status_code == 201 and first.json()["supported"] is True
    assert again.status_code == 400
    assert again.json()["errors"][0]["detail"] == "You support this proposal already."
    assert other.json()["supporters"] == 2
    proposal.refresh_from_db()
    assert proposal.supporters == ProposalSupport.objects.filter(proposal=proposal).count() == 2
    assert proposal.version == 1  # support is no edit: answerers' If-Match stays valid


def test_a_supporter_reads_the_proposal_they_support(town, proposal):
    api_for(town["neighbour"]).post(f"/api/v1/proposals/{proposal.pk}/support/")

    rows = api_for(town["neighbour"]).get("/api/v1/proposals/").json()["results"]

    assert [(row["id"], row["supported"]) for row in rows] == [(proposal.pk, True)]


def test_the_author_does_not_support_their_own_proposal(town, proposal):
    response = api_for(town["resident"]).post(f"/api/v1/proposals/{proposal.pk}/support/")

    assert response.status_code == 400
    assert not ProposalSupport.objects.exists()


def test_an_answered_proposal_takes_no_more_support(town, proposal):
    proposal_answer(
        proposal=proposal, answered_by=town["keeper"], status="declined", text="不在规划内"
    )

    response = api_for(town["neighbour"]).post(f"/api/v1/proposals/{proposal.pk}/support/")

    assert response.status_code == 400
    assert not ProposalSupport.objects.exists()


def test_supporting_needs_a_sign_in(proposal):
    assert api_for(None).post(f"/api/v1/proposals/{proposal.pk}/support/").status_code in (401, 403)


# Answering --------------------------------------------------------------------------------


def test_the_author_is_notified_at_every_status_change_with_a_link(town, proposal):
    keeper = api_for(town["keeper"])

    assert (
        _answer(keeper, proposal, {"status": "in_progress", "text": "已上报街道"}).status_code
        == 200
    )
    assert (
        _answer(keeper, proposal, {"status": "in_progress", "text": "街道已批复"}).status_code
        == 200
    )
    assert (
        _answer(keeper, proposal, {"status": "accepted", "text": "本月内更换"}).status_code == 200
    )

    notes = Notification.objects.filter(user=town["resident"]).order_by("pk")
    assert [(n.title, n.body) for n in notes] == [
        ("Your proposal “楼道照明”: in progress", "已上报街道"),
        ("Your proposal “楼道照明”: in progress", "街道已批复"),
        ("Your proposal “楼道照明”: accepted", "本月内更换"),
    ]
    assert {n.url for n in notes} == {f"/participation/proposals/{proposal.pk}/"}
    proposal.refresh_from_db()
    assert (proposal.status, proposal.version) == ("accepted", 4)
    assert list(proposal.answers.values_list("status", flat=True)) == [
        "in_progress",
        "in_progress",
        "accepted",
    ]


def test_accepting_makes_a_case_from_the_public_in_the_proposal_grid(town, proposal):
    response = _answer(
        api_for(town["staff"]),
        proposal,
        {"status": "accepted", "text": "已立案处理", "category": town["category"].pk},
    )

    assert response.status_code == 200, response.content
    ticket = Ticket.objects.get()
    assert (ticket.source, ticket.reporter, ticket.grid) == (
        "resident",
        town["resident"],
        town["grid"],
    )
    assert (ticket.title, ticket.description) == ("楼道照明", "3号楼楼道灯坏了一个月")
    assert response.json()["ticket"] == ticket.pk
    assert response.json()["answers"][0]["ticket_number"] == ticket.number


def test_accepting_a_case_at_a_point_outside_the_community_writes_nothing(town, proposal):
    other = town["other_grid"]
    response = _answer(
        api_for(town["staff"]),
        proposal,
        {
            "status": "accepted",
            "text": "立案",
            "category": town["category"].pk,
            "lat": other.centroid_lat,
            "lng": other.centroid_lng,
        },
    )

    assert response.status_code == 400 and list(_attrs(response)) == ["lat"]
    assert not Ticket.objects.exists() and not ProposalAnswer.objects.exists()
    proposal.refresh_from_db()
    assert (proposal.status, proposal.version) == ("open", 1)


def test_accepting_makes_an_activity_of_the_community(town, proposal):
    starts = timezone.now() + timedelta(days=3)
    response = _answer(
        api_for(town["keeper"]),
        proposal,
        {
            "status": "accepted",
            "text": "组织志愿者一起检修",
            "activity": {
                "title": "楼道灯检修",
                "kind": "service",
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=2)).isoformat(),
                "place": "3号楼",
                "capacity": 6,
            },
        },
    )

    assert response.status_code == 200, response.content
    activity = Activity.objects.get()
    assert (activity.community, activity.grid, activity.capacity) == (
        town["community"],
        town["grid"],
        6,
    )
    assert response.json()["activity"] == activity.pk


def test_a_bad_activity_is_400_naming_its_fields_and_writes_nothing(town, proposal):
    starts = timezone.now() + timedelta(days=3)
    response = _answer(
        api_for(town["keeper"]),
        proposal,
        {
            "status": "accepted",
            "text": "组织活动",
            "activity": {
                "title": "检修",
                "kind": "service",
                "starts_at": starts.isoformat(),
                "ends_at": (starts - timedelta(hours=1)).isoformat(),
                "place": "3号楼",
                "capacity": 5,
            },
        },
    )

    assert response.status_code == 400
    assert list(_attrs(response)) == ["activity.ends_at"]
    assert not Activity.objects.exists() and not ProposalAnswer.objects.exists()
    assert not Notification.objects.filter(user=town["resident"]).exists()


def test_a_decline_needs_a_reason(town, proposal):
    response = _answer(api_for(town["keeper"]), proposal, {"status": "declined", "text": "  "})

    assert response.status_code == 400 and list(_attrs(response)) == ["text"]
    assert not ProposalAnswer.objects.exists()


def test_an_empty_answer_is_400_naming_status_and_text(town, proposal):
    response = _answer(api_for(town["keeper"]), proposal, {})

    assert response.status_code == 400 and set(_attrs(response)) == {"status", "text"}


def test_only_an_acceptance_makes_a_case(town, proposal):
    response = _answer(
        api_for(town["keeper"]),
        proposal,
        {"status": "in_progress", "text": "研究中", "category": town["category"].pk},
    )

    assert response.status_code == 400 and list(_attrs(response)) == ["status"]
    assert not Ticket.objects.exists()


def test_a_final_answer_is_final(town, proposal):
    keeper = api_for(town["keeper"])
    _answer(keeper, proposal, {"status": "declined", "text": "不在规划内"})

    response = _answer(keeper, proposal, {"status": "accepted", "text": "改主意了"})

    assert response.status_code == 400 and list(_attrs(response)) == ["status"]
    assert ProposalAnswer.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "status"),
    [("worker", 403), ("supervisor", 403), ("other_keeper", 404), ("neighbour", 404)],
)
def test_only_keepers_of_the_community_answer(town, proposal, who, status):
    response = _answer(api_for(town[who]), proposal, {"status": "in_progress", "text": "收到"})

    assert response.status_code == status
    assert not ProposalAnswer.objects.exists()


def test_an_answer_to_a_stale_version_is_412_and_changes_nothing(town, proposal):
    keeper = api_for(town["keeper"])
    etag = keeper.get(f"/api/v1/proposals/{proposal.pk}/")["ETag"]
    _answer(api_for(town["staff"]), proposal, {"status": "in_progress", "text": "街道跟进"})

    response = _answer(
        keeper, proposal, {"status": "declined", "text": "重复"}, **{"If-Match": etag}
    )

    assert response.status_code == 412
    proposal.refresh_from_db()
    assert proposal.status == "in_progress" and ProposalAnswer.objects.count() == 1
