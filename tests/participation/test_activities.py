"""Activities: keepers announce, change and cancel them; volunteers sign up and withdraw
themselves (or a keeper does it for them) within the capacity; attendance is recorded once,
gives service hours and earns round(hours × points per hour) points."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from participation.models import Activity, ActivitySignup, PointsEntry
from participation.selectors.community import public_activity_list
from participation.services.attendance import (
    Attendance,
    activity_attendance_record,
    attendance_points,
)
from participation.services.community import (
    activity_signup,
)
from personnel.models import Notification
from tests.participation.life import api_for, build_town, upcoming, volunteers

ACTIVITIES = "/api/v1/activities/"


@pytest.fixture
def town(db):
    return build_town()


def url(activity, step: str = "") -> str:
    return f"{ACTIVITIES}{activity.pk}/{step + '/' if step else ''}"


def past(town, *, hours_ago: int = 5, length: int = 2, **fields) -> Activity:
    """An activity of C that began ``hours_ago`` hours ago, with two volunteers signed up
    before it began."""
    activity = upcoming(town, capacity=5, days=1, **fields)
    starts = timezone.now() - timedelta(hours=hours_ago)
    for volunteer in (town["volunteer"], town["resident_volunteer"]):
        activity_signup(activity=activity, volunteer=volunteer, by=town["staff"], at=timezone.now())
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=starts, ends_at=starts + timedelta(hours=length)
    )
    activity.refresh_from_db()
    return activity


def test_a_volunteer_signs_up_themself_and_the_place_is_taken(town):
    response = api_for(town["vol_user"]).post(url(town["activity"], "signup"), {}, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["volunteer"] == town["volunteer"].pk
    assert response.json()["name"] == "李明" and not response.json()["masked"]
    activity = Activity.objects.get(pk=town["activity"].pk)
    assert activity.signed_up == 1 and activity.places_left == 1


def test_a_full_activity_refuses_the_next_sign_up_and_writes_nothing(town):
    first, second, third = volunteers(town, 3)
    for volunteer in (first, second):
        activity_signup(activity=town["activity"], volunteer=volunteer, by=volunteer.user)

    response = api_for(third.user).post(url(town["activity"], "signup"), {}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "activity"
    assert "full" in response.json()["errors"][0]["detail"]
    assert ActivitySignup.objects.filter(activity=town["activity"]).count() == 2
    assert Activity.objects.get(pk=town["activity"].pk).signed_up == 2


def test_signing_up_twice_is_refused(town):
    client = api_for(town["vol_user"])
    assert client.post(url(town["activity"], "signup"), {}, format="json").status_code == 201
    response = client.post(url(town["activity"], "signup"), {}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "volunteer"
    assert Activity.objects.get(pk=town["activity"].pk).signed_up == 1


def test_someone_without_a_volunteer_record_must_name_one(town):
    response = api_for(town["worker"]).post(url(town["activity"], "signup"), {}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "volunteer"


def test_a_keeper_signs_up_for_a_volunteer_and_a_reader_may_not(town):
    body = {"volunteer": town["resident_volunteer"].pk}
    refused = api_for(town["worker"]).post(url(town["activity"], "signup"), body, format="json")
    assert refused.status_code == 403
    done = api_for(town["keeper"]).post(url(town["activity"], "signup"), body, format="json")
    assert done.status_code == 201
    assert ActivitySignup.objects.get().signed_up_by == town["keeper"]


def test_outside_the_community_the_activity_is_hidden(town):
    for who in ("plain", "other_keeper"):
        response = api_for(town[who]).post(url(town["activity"], "signup"), {}, format="json")
        assert response.status_code == 404, who
    assert api_for(town["other_keeper"]).get(url(town["activity"])).status_code == 404


def test_a_volunteer_of_another_community_cannot_sign_up(town):
    (stranger,) = volunteers(town, 1, community=town["other"])
    body = {"volunteer": stranger.pk}
    response = api_for(town["staff"]).post(url(town["activity"], "signup"), body, format="json")
    assert response.status_code == 400
    assert "another community" in response.json()["errors"][0]["detail"]


def test_withdrawing_frees_the_place_and_a_new_sign_up_is_a_new_row(town):
    client = api_for(town["vol_user"])
    client.post(url(town["activity"], "signup"), {}, format="json")

    response = client.post(url(town["activity"], "withdraw"), {}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert Activity.objects.get(pk=town["activity"].pk).signed_up == 0
    assert client.post(url(town["activity"], "signup"), {}, format="json").status_code == 201
    assert ActivitySignup.objects.filter(volunteer=town["volunteer"]).count() == 2
    again = client.post(url(town["activity"], "withdraw"), {}, format="json")
    assert again.status_code == 200
    assert client.post(url(town["activity"], "withdraw"), {}, format="json").status_code == 400


def test_attendance_gives_hours_and_points_once(town):
    activity = past(town, length=2, points_per_hour=15)
    signups = {s.volunteer_id: s for s in activity.signups.all()}
    body = {
        "records": [
            {"signup": signups[town["volunteer"].pk].pk, "attended": True},
            {"signup": signups[town["resident_volunteer"].pk].pk, "attended": True, "hours": "1.5"},
        ]
    }
    client = api_for(town["keeper"])

    response = client.post(url(activity, "attendance"), body, format="json")

    assert response.status_code == 200, response.content
    hours = {row["volunteer"]: row["hours"] for row in response.json()}
    assert hours == {town["volunteer"].pk: "2.00", town["resident_volunteer"].pk: "1.50"}
    earned = dict(PointsEntry.objects.values_list("account__volunteer_id", "amount"))
    assert earned == {town["volunteer"].pk: 30, town["resident_volunteer"].pk: 23}
    assert Activity.objects.get(pk=activity.pk).status == "done"
    second = client.post(url(activity, "attendance"), body, format="json")
    assert second.status_code == 400
    assert PointsEntry.objects.count() == 2


def test_an_absent_volunteer_gets_no_hours_and_no_points(town):
    activity = past(town)
    records = [
        Attendance(s.pk, s.volunteer_id == town["volunteer"].pk) for s in activity.signups.all()
    ]
    activity_attendance_record(activity=activity, by=town["staff"], records=records)
    absent = ActivitySignup.objects.get(volunteer=town["resident_volunteer"])
    assert absent.attended is False and absent.hours is None
    assert not PointsEntry.objects.filter(account__volunteer=town["resident_volunteer"]).exists()


def test_attendance_must_name_every_sign_up_and_writes_nothing_otherwise(town):
    activity = past(town)
    first = activity.signups.first()
    body = {"records": [{"signup": first.pk, "attended": True}]}

    response = api_for(town["keeper"]).post(url(activity, "attendance"), body, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "records"
    assert not PointsEntry.objects.exists()
    assert Activity.objects.get(pk=activity.pk).status == "open"
    assert not ActivitySignup.objects.filter(attendance_recorded_at__isnull=False).exists()


@pytest.mark.parametrize(
    ("record", "attr"),
    [
        ({"signup": 999999, "attended": True}, "records.0.signup"),
        ({"signup": "x", "attended": True}, "records.0.signup"),
        ({"attended": True}, "records.0.signup"),
        ({"signup": 1, "attended": True, "hours": "99"}, "records.0.hours"),
        ({"signup": 1, "attended": False, "hours": "2"}, "records.0.hours"),
    ],
)
def test_bad_attendance_rows_are_400s_naming_the_field(town, record, attr):
    activity = past(town)
    if record.get("signup") == 1:
        record = {**record, "signup": activity.signups.first().pk}
    body = {"records": [record]}
    response = api_for(town["keeper"]).post(url(activity, "attendance"), body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == attr
    assert not PointsEntry.objects.exists()


def test_attendance_waits_for_the_start_and_is_for_keepers(town):
    activity = town["activity"]
    assert (
        api_for(town["worker"])
        .post(url(activity, "attendance"), {"records": []}, format="json")
        .status_code
        == 403
    )
    early = api_for(town["keeper"]).post(
        url(activity, "attendance"), {"records": []}, format="json"
    )
    assert early.status_code == 400
    assert "began" in early.json()["errors"][0]["detail"]


def test_points_are_hours_times_rate_rounded_half_up():
    assert attendance_points(Decimal("1.25"), 10) == 13
    assert attendance_points(Decimal("1.24"), 10) == 12
    assert attendance_points(Decimal("0.04"), 10) == 0


def test_cancelling_tells_the_signed_up_and_closes_sign_up(town):
    activity = town["activity"]
    activity_signup(activity=activity, volunteer=town["volunteer"], by=town["vol_user"])

    response = api_for(town["keeper"]).post(url(activity, "cancel"), {}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert Notification.objects.filter(user=town["vol_user"], title__contains="cancelled").exists()
    late = api_for(town["staff"]).post(
        url(activity, "signup"), {"volunteer": town["resident_volunteer"].pk}, format="json"
    )
    assert late.status_code == 400
    again = api_for(town["keeper"]).post(url(activity, "cancel"), {}, format="json")
    assert again.status_code == 400


def _body(town, **overrides) -> dict:
    starts = timezone.now() + timedelta(days=7)
    return {
        "community": town["community"].pk,
        "title": "义诊",
        "kind": "service",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(),
        "place": "社区服务中心",
        "capacity": 8,
        **overrides,
    }


def test_a_keeper_announces_an_activity(town):
    response = api_for(town["keeper"]).post(
        ACTIVITIES, _body(town, grid=town["grid"].pk), format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "open" and response.json()["places_left"] == 8
    assert response.json()["created_by"] == town["keeper"].pk
    assert response["ETag"]


@pytest.mark.parametrize(
    ("overrides", "attr"),
    [
        ({"ends_at": (timezone.now() + timedelta(days=6)).isoformat()}, "ends_at"),
        ({"kind": "party"}, "kind"),
        ({"capacity": 0}, "capacity"),
        ({"title": ""}, "title"),
        ({"community": 10**12}, "community"),
        ({"grid": "other_grid"}, "grid"),
        ({"points_per_hour": -1}, "points_per_hour"),
    ],
)
def test_bad_activities_are_400s_and_nothing_is_written(town, overrides, attr):
    if overrides.get("grid") == "other_grid":
        overrides = {"grid": town["other_grid"].pk}
    before = Activity.objects.count()
    response = api_for(town["staff"]).post(ACTIVITIES, _body(town, **overrides), format="json")
    assert response.status_code == 400, response.content
    assert attr in {error["attr"] for error in response.json()["errors"]}
    assert Activity.objects.count() == before


def test_another_communitys_keeper_cannot_announce_here(town):
    response = api_for(town["other_keeper"]).post(ACTIVITIES, _body(town), format="json")
    assert response.status_code == 400  # C is not among the communities they may pick
    assert response.json()["errors"][0]["attr"] == "community"


def test_changes_need_if_match_and_keep_the_capacity_above_sign_ups(town):
    activity = town["activity"]
    for volunteer in (town["volunteer"], town["resident_volunteer"]):
        activity_signup(activity=activity, volunteer=volunteer, by=town["staff"])
    client = api_for(town["keeper"])
    assert client.patch(url(activity), {"capacity": 3}, format="json").status_code == 428
    etag = client.get(url(activity))["ETag"]

    shrunk = client.patch(url(activity), {"capacity": 1}, format="json", HTTP_IF_MATCH=etag)
    assert shrunk.status_code == 400
    assert shrunk.json()["errors"][0]["attr"] == "capacity"

    grown = client.patch(url(activity), {"capacity": 4}, format="json", HTTP_IF_MATCH=etag)
    assert grown.status_code == 200
    assert grown.json()["capacity"] == 4 and grown.json()["signed_up"] == 2
    stale = client.patch(url(activity), {"capacity": 5}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412


def test_the_sign_up_list_masks_names_for_community_staff(town):
    for volunteer in (town["volunteer"], town["resident_volunteer"]):
        activity_signup(activity=town["activity"], volunteer=volunteer, by=town["staff"])
    names = {
        who: sorted(
            row["name"] for row in api_for(town[who]).get(url(town["activity"], "signups")).json()
        )
        for who in ("staff", "keeper", "worker")
    }
    assert names["staff"] == ["李明", "王秀英"]
    assert names["worker"] == ["李*", "王秀英"]  # the resident of their grid, not the user
    assert names["keeper"] == ["李*", "王**"]


def test_a_volunteer_reads_the_activities_of_their_community_only(town):
    other = upcoming(town, community=town["other"], created_by=town["other_keeper"])
    seen = {row["id"] for row in api_for(town["vol_user"]).get(ACTIVITIES).json()["results"]}
    assert town["activity"].pk in seen and other.pk not in seen
    assert api_for(town["plain"]).get(ACTIVITIES).json()["results"] == []


def test_the_public_list_has_the_communitys_upcoming_open_activities_soonest_first(town):
    later = upcoming(town, days=9)
    cancelled = upcoming(town, days=4)
    api_for(town["keeper"]).post(url(cancelled, "cancel"), {}, format="json")
    past_one = past(town)
    upcoming(town, community=town["other"], created_by=town["other_keeper"])

    shown = list(public_activity_list(community=town["community"]))

    assert shown == [town["activity"], later]
    assert past_one not in shown
