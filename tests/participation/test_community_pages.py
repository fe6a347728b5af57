"""The community-life pages: the landing page and its nav link; lists with filters read by
everyone working in the place (names masked as in the register); activity, volunteer and
organisation pages that answer 404 outside the reader's reach; keepers' forms (announce,
sign up, withdraw, cancel, attendance, adjust, redeem, rewards, restock, hand over) that
only keepers get and that show a service's refusal with a 400; and a fixed number of
queries whatever the number of rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from participation.models import Activity, ActivitySignup, PointsEntry, Redemption, Reward
from participation.services.community import activity_signup, organisation_create
from participation.services.points import redemption_create, reward_create
from tests.participation.life import (
    browser_as,
    build_town,
    give,
    served,
    upcoming,
    volunteers,
)

HOME = "/participation/"


@pytest.fixture
def town(db):
    town = build_town()
    town["team"] = organisation_create(
        created_by=town["staff"],
        street=town["street"],
        name="红马甲志愿服务队",
        kind="volunteer_team",
        contacts=[{"name": "张伟", "phone": "13812345678"}],
    )
    town["cup"] = reward_create(
        created_by=town["staff"], street=town["street"], name="保温杯", cost=30, stock=4
    )
    return town


def html(response) -> str:
    return response.content.decode()


def test_the_nav_links_the_landing_page_which_links_every_page(town):
    page = html(browser_as(town["worker"]).get("/"))
    assert f'href="{HOME}"' in page
    landing = html(browser_as(town["worker"]).get(HOME))
    for path in ("organisations/", "volunteers/", "activities/", "points/", "rewards/", "ranking/"):
        assert f'href="{HOME}{path}"' in landing


def test_the_pages_need_a_sign_in(town):
    response = Client().get(f"{HOME}activities/")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_activity_page_shows_sign_ups_masked_for_community_staff(town):
    activity = town["activity"]
    for volunteer in (town["volunteer"], town["resident_volunteer"]):
        activity_signup(activity=activity, volunteer=volunteer, by=town["staff"])
    url = f"{HOME}activities/{activity.pk}/"
    staff_page = html(browser_as(town["staff"]).get(url))
    assert "王秀英" in staff_page and "李明" in staff_page
    keeper_page = html(browser_as(town["keeper"]).get(url))
    assert "王秀英" not in keeper_page and "王**" in keeper_page
    assert "2 / 2" in keeper_page


def test_outside_the_reach_pages_are_404(town):
    other = upcoming(town, community=town["other"], created_by=town["other_keeper"])
    client = browser_as(town["keeper"])
    assert client.get(f"{HOME}activities/{other.pk}/").status_code == 404
    (stranger,) = volunteers(town, 1, community=town["other"])
    assert client.get(f"{HOME}volunteers/{stranger.pk}/").status_code == 404
    plain = browser_as(town["plain"])
    assert plain.get(f"{HOME}organisations/{town['team'].pk}/").status_code == 404
    assert plain.post(f"{HOME}activities/{town['activity'].pk}/cancel/").status_code == 404
    assert Activity.objects.get(pk=town["activity"].pk).status == "open"


def test_a_keeper_announces_an_activity_and_a_bad_one_is_a_400(town):
    starts = timezone.localtime() + timedelta(days=5)
    body = {
        "community": town["community"].pk,
        "title": "义诊",
        "kind": "service",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "place": "社区服务中心",
        "capacity": 6,
        "points_per_hour": 10,
    }
    client = browser_as(town["keeper"])
    bad = client.post(f"{HOME}activities/", body)
    assert bad.status_code == 400 and "ends after it starts" in html(bad)
    assert not Activity.objects.filter(title="义诊").exists()
    body["ends_at"] = (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    good = client.post(f"{HOME}activities/", body)
    assert good.status_code == 302
    assert Activity.objects.get(title="义诊").created_by == town["keeper"]


def test_readers_get_no_forms(town):
    page = html(browser_as(town["worker"]).get(f"{HOME}activities/"))
    assert 'id="announce"' not in page
    activity_page = html(browser_as(town["worker"]).get(f"{HOME}activities/{town['activity'].pk}/"))
    assert (
        "Cancel the activity" not in activity_page and "Sign up this volunteer" not in activity_page
    )


def test_a_volunteer_signs_up_and_withdraws_on_the_page(town):
    client = browser_as(town["vol_user"])
    url = f"{HOME}activities/{town['activity'].pk}/"
    assert "Sign me up" in html(client.get(url))
    assert client.post(f"{url}signup/").status_code == 302
    signup = ActivitySignup.objects.get(volunteer=town["volunteer"])
    assert "Sign me up" not in html(client.get(url))
    assert client.post(f"{url}withdraw/", {"signup": signup.pk}).status_code == 302
    assert Activity.objects.get(pk=town["activity"].pk).signed_up == 0


def test_a_full_activity_refuses_on_the_page_with_a_400(town):
    a, b, c = volunteers(town, 3)
    for volunteer in (a, b):
        activity_signup(activity=town["activity"], volunteer=volunteer, by=town["staff"])
    url = f"{HOME}activities/{town['activity'].pk}/signup/"
    response = browser_as(town["keeper"]).post(url, {"volunteer": c.pk})
    assert response.status_code == 400 and "This activity is full." in html(response)
    assert Activity.objects.get(pk=town["activity"].pk).signed_up == 2


def test_the_attendance_form_records_hours_and_points(town):
    activity = upcoming(town, capacity=5, days=1)
    for volunteer in (town["volunteer"], town["resident_volunteer"]):
        activity_signup(activity=activity, volunteer=volunteer, by=town["staff"])
    starts = timezone.now() - timedelta(hours=4)
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=starts, ends_at=starts + timedelta(hours=3)
    )
    mine, theirs = (
        ActivitySignup.objects.get(volunteer=town["volunteer"]),
        ActivitySignup.objects.get(volunteer=town["resident_volunteer"]),
    )
    client = browser_as(town["keeper"])
    url = f"{HOME}activities/{activity.pk}/"
    assert 'id="attendance"' in html(client.get(url))
    bad = client.post(f"{url}attendance/", {f"attended_{mine.pk}": "on", f"hours_{mine.pk}": "30"})
    assert bad.status_code == 400 and not PointsEntry.objects.exists()
    body = {f"attended_{mine.pk}": "on", f"hours_{mine.pk}": "", f"hours_{theirs.pk}": ""}
    assert client.post(f"{url}attendance/", body).status_code == 302
    assert dict(PointsEntry.objects.values_list("account__volunteer_id", "amount")) == {
        town["volunteer"].pk: 30
    }
    assert 'id="attendance"' not in html(client.get(url))


def test_the_attendance_form_is_for_keepers(town):
    activity = served(town, town["volunteer"])
    response = browser_as(town["worker"]).post(f"{HOME}activities/{activity.pk}/attendance/", {})
    assert response.status_code == 403


def test_a_keeper_cancels_on_the_page(town):
    url = f"{HOME}activities/{town['activity'].pk}/cancel/"
    assert browser_as(town["worker"]).post(url).status_code == 403
    assert browser_as(town["keeper"]).post(url).status_code == 302
    assert Activity.objects.get(pk=town["activity"].pk).status == "cancelled"
    assert browser_as(town["keeper"]).post(url).status_code == 400


def test_the_volunteer_page_adjusts_and_redeems(town):
    volunteer = town["volunteer"]
    client = browser_as(town["keeper"])
    url = f"{HOME}volunteers/{volunteer.pk}/"
    bad = client.post(f"{url}adjust/", {"amount": "-5", "reason": "更正"})
    assert bad.status_code == 400 and "Not enough points" in html(bad)
    assert client.post(f"{url}adjust/", {"amount": "40", "reason": "优秀"}).status_code == 302
    assert client.post(f"{url}redeem/", {"reward": town["cup"].pk}).status_code == 302
    assert Redemption.objects.get().volunteer == volunteer
    page = html(client.get(url))
    assert 'id="balance">10<' in page and "保温杯" in page
    broke = client.post(f"{url}redeem/", {"reward": town["cup"].pk})
    assert broke.status_code == 400 and Reward.objects.get(pk=town["cup"].pk).stock == 3
    assert (
        browser_as(town["worker"]).post(f"{url}adjust/", {"amount": "5", "reason": "x"}).status_code
        == 403
    )


def test_a_volunteer_redeems_on_their_own_page(town):
    give(town, town["volunteer"], 30)
    client = browser_as(town["vol_user"])
    url = f"{HOME}volunteers/{town['volunteer'].pk}/"
    page = html(client.get(url))
    assert 'id="redeem"' in page and 'id="adjust"' not in page
    assert client.post(f"{url}redeem/", {"reward": town["cup"].pk}).status_code == 302


def test_rewards_page_adds_restocks_and_hands_over(town):
    client = browser_as(town["staff"])
    added = client.post(
        f"{HOME}rewards/",
        {"where": f"S{town['street'].pk}", "name": "雨伞", "cost": "40", "stock": "2"},
    )
    assert added.status_code == 302 and Reward.objects.filter(name="雨伞").exists()
    bad = client.post(
        f"{HOME}rewards/", {"where": f"S{town['street'].pk}", "name": "雨伞", "cost": "0"}
    )
    assert bad.status_code == 400
    restock = client.post(f"{HOME}rewards/{town['cup'].pk}/restock/", {"count": "-9"})
    assert restock.status_code == 400 and Reward.objects.get(pk=town["cup"].pk).stock == 4
    assert (
        client.post(f"{HOME}rewards/{town['cup'].pk}/restock/", {"count": "3"}).status_code == 302
    )
    give(town, town["volunteer"], 30)
    redemption = redemption_create(
        reward=town["cup"], volunteer=town["volunteer"], by=town["vol_user"]
    )
    assert "李明" in html(client.get(f"{HOME}rewards/"))
    assert (
        browser_as(town["worker"]).post(f"{HOME}redemptions/{redemption.pk}/hand-over/").status_code
        == 403
    )
    assert client.post(f"{HOME}redemptions/{redemption.pk}/hand-over/").status_code == 302
    assert Redemption.objects.get().handed_over_at is not None
    assert browser_as(town["worker"]).post(f"{HOME}rewards/", {}).status_code == 403


def test_the_ranking_page(town):
    served(town, town["volunteer"], hours="2")
    served(town, town["resident_volunteer"], hours="3")
    # The last 30 days: the default period, this year, misses a service 10 days ago in
    # the first days of January.
    period = {"start": (timezone.localdate() - timedelta(days=30)).isoformat()}
    page = html(
        browser_as(town["keeper"]).get(
            f"{HOME}ranking/", {"community": town["community"].pk, **period}
        )
    )
    assert page.index("王**") < page.index("李*")
    assert "3.00" in page and "20" in page


def test_the_volunteers_page_filters_and_masks(town):
    page = html(browser_as(town["staff"]).get(f"{HOME}volunteers/", {"skill": "first_aid"}))
    assert "李明" in page and "王秀英" not in page
    masked = html(browser_as(town["keeper"]).get(f"{HOME}volunteers/"))
    assert "王**" in masked and "王秀英" not in masked


def test_the_organisation_page_masks_contact_phones(town):
    url = f"{HOME}organisations/{town['team'].pk}/"
    assert "13812345678" in html(browser_as(town["staff"]).get(url))
    masked = html(browser_as(town["keeper"]).get(url))
    assert "13812345678" not in masked and "138****5678" in masked


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["staff", "keeper"])
def test_the_pages_read_in_a_fixed_number_of_queries(town, who):
    client = browser_as(town[who])
    activity = upcoming(town, capacity=40)
    volunteer = town["volunteer"]
    urls = [
        f"{HOME}organisations/",
        f"{HOME}volunteers/",
        f"{HOME}activities/",
        f"{HOME}activities/{activity.pk}/",
        f"{HOME}volunteers/{volunteer.pk}/",
        f"{HOME}points/",
        f"{HOME}rewards/",
        f"{HOME}ranking/?community={town['community'].pk}",
    ]

    def add(count: int) -> None:
        for index, person in enumerate(volunteers(town, count)):
            activity_signup(activity=activity, volunteer=person, by=town["staff"])
            upcoming(town, days=3 + index)
            organisation_create(
                created_by=town["staff"],
                street=town["street"],
                name=f"队{person.pk}",
                kind="social",
            )
            reward = reward_create(
                created_by=town["staff"],
                street=town["street"],
                name=f"奖{person.pk}",
                cost=5,
                stock=2,
            )
            served(town, person)
            served(town, volunteer, days_ago=3 + index)
            redemption_create(reward=reward, volunteer=person, by=town["staff"])
            redemption_create(reward=reward, volunteer=volunteer, by=town["staff"])

    for url in urls:
        client.get(url)  # warm up: the session, the first sign-in's writes
    add(3)
    few = {url: _queries(client, url) for url in urls}
    add(9)
    many = {url: _queries(client, url) for url in urls}
    assert many == few
