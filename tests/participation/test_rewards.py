"""Rewards and redemption: keepers keep a catalogue with stock; a volunteer (or a keeper
for them) redeems points for a reward, which takes one from the stock and writes the redeem
entry together; without stock or points nothing at all is written."""

from __future__ import annotations

import pytest

from participation.models import PointsAccount, PointsEntry, Redemption, Reward
from participation.services.points import redemption_create, reward_create
from tests import factories
from tests.participation.life import api_for, build_town, give, volunteers

REWARDS = "/api/v1/rewards/"
REDEMPTIONS = "/api/v1/redemptions/"


@pytest.fixture
def town(db):
    town = build_town()
    town["cup"] = reward_create(
        created_by=town["staff"], street=town["street"], name="保温杯", cost=30, stock=2
    )
    return town


def redeem(client, reward, body=None):
    return client.post(f"{REWARDS}{reward.pk}/redeem/", body or {}, format="json")


def balance(volunteer) -> int:
    return PointsAccount.objects.get(volunteer=volunteer).balance


def test_a_volunteer_redeems_their_points(town):
    give(town, town["volunteer"], 50)

    response = redeem(api_for(town["vol_user"]), town["cup"])

    assert response.status_code == 201, response.content
    assert response.json()["points"] == 30 and response.json()["reward_name"] == "保温杯"
    assert balance(town["volunteer"]) == 20
    assert Reward.objects.get(pk=town["cup"].pk).stock == 1
    entry = PointsEntry.objects.get(kind="redeem")
    assert entry.amount == -30 and entry.balance_after == 20
    assert Redemption.objects.get().entry == entry


def test_without_enough_points_nothing_is_written(town):
    give(town, town["volunteer"], 29)
    response = redeem(api_for(town["vol_user"]), town["cup"])
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "insufficient_points"
    assert Reward.objects.get(pk=town["cup"].pk).stock == 2  # the stock came back
    assert not Redemption.objects.exists()
    assert PointsEntry.objects.filter(kind="redeem").count() == 0
    assert balance(town["volunteer"]) == 29


def test_out_of_stock_writes_nothing(town):
    give(town, town["volunteer"], 200)
    client = api_for(town["vol_user"])
    assert redeem(client, town["cup"]).status_code == 201
    assert redeem(client, town["cup"]).status_code == 201
    response = redeem(client, town["cup"])
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "code": "out_of_stock",
        "detail": "This reward is out of stock.",
        "attr": "reward",
    }
    assert balance(town["volunteer"]) == 140 and Redemption.objects.count() == 2


def test_a_keeper_redeems_for_a_volunteer_and_a_reader_may_not(town):
    give(town, town["resident_volunteer"], 40)
    body = {"volunteer": town["resident_volunteer"].pk}
    assert redeem(api_for(town["worker"]), town["cup"], body).status_code == 403
    assert redeem(api_for(town["keeper"]), town["cup"], body).status_code == 201
    assert Redemption.objects.get().redeemed_by == town["keeper"]


def test_a_communitys_reward_is_for_its_volunteers_only(town):
    tea = reward_create(
        created_by=town["other_keeper"],
        street=town["street"],
        community=town["other"],
        name="茶叶",
        cost=10,
        stock=5,
    )
    give(town, town["volunteer"], 50)
    assert redeem(api_for(town["vol_user"]), tea).status_code == 404  # not in their catalogue
    response = redeem(api_for(town["staff"]), tea, {"volunteer": town["volunteer"].pk})
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "reward"
    assert Reward.objects.get(pk=tea.pk).stock == 5


def test_an_inactive_reward_cannot_be_redeemed(town):
    Reward.objects.filter(pk=town["cup"].pk).update(active=False)
    give(town, town["volunteer"], 50)
    response = redeem(api_for(town["vol_user"]), town["cup"])
    assert response.status_code == 400
    assert balance(town["volunteer"]) == 50


def test_a_volunteer_without_the_record_must_name_one(town):
    response = redeem(api_for(town["staff"]), town["cup"])
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "volunteer"


def test_keepers_add_change_and_restock_rewards(town):
    client = api_for(town["keeper"])
    body = {
        "street": town["street"].pk,
        "community": town["community"].pk,
        "name": "雨伞",
        "cost": 40,
        "stock": 3,
    }
    created = client.post(REWARDS, body, format="json")
    assert created.status_code == 201, created.content
    url = f"{REWARDS}{created.json()['id']}/"
    # The street's catalogue is the street staff's; community staff keep their community's.
    street_wide = client.post(REWARDS, {**body, "community": None}, format="json")
    assert street_wide.status_code == 403

    changed = client.patch(
        url, {"cost": 45, "stock": 99}, format="json", HTTP_IF_MATCH=created["ETag"]
    )
    assert changed.status_code == 200
    assert changed.json()["cost"] == 45 and changed.json()["stock"] == 3  # stock is read-only here

    restocked = client.post(f"{url}restock/", {"count": 5}, format="json")
    assert restocked.status_code == 200 and restocked.json()["stock"] == 8
    too_many = client.post(f"{url}restock/", {"count": -9}, format="json")
    assert too_many.status_code == 400 and too_many.json()["errors"][0]["attr"] == "count"
    assert Reward.objects.get(pk=created.json()["id"]).stock == 8


@pytest.mark.parametrize(
    ("overrides", "attr"),
    [
        ({"cost": 0}, "cost"),
        ({"cost": "many"}, "cost"),
        ({"stock": -1}, "stock"),
        ({"name": ""}, "name"),
        ({"street": 10**12}, "street"),
        ({"community": "other"}, "community"),
    ],
)
def test_bad_rewards_are_400s_and_write_nothing(town, overrides, attr):
    if overrides.get("community") == "other":
        overrides = {"community": factories.community(parent=factories.street(number=5)).pk}
    body = {"street": town["street"].pk, "name": "雨伞", "cost": 40, "stock": 3, **overrides}
    before = Reward.objects.count()
    response = api_for(town["staff"]).post(REWARDS, body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["attr"] == attr
    assert Reward.objects.count() == before


def test_redemptions_are_read_by_the_volunteer_and_handed_over_by_keepers(town):
    give(town, town["volunteer"], 100)
    (stranger,) = volunteers(town, 1, community=town["other"])
    give(town, stranger, 100)
    mine = redemption_create(reward=town["cup"], volunteer=town["volunteer"], by=town["vol_user"])
    redemption_create(reward=town["cup"], volunteer=stranger, by=stranger.user)

    def seen(who) -> list[int]:
        return [row["id"] for row in api_for(town[who]).get(REDEMPTIONS).json()["results"]]

    assert seen("vol_user") == [mine.pk]
    assert seen("keeper") == [mine.pk]
    assert len(seen("staff")) == 2
    hand_over = f"{REDEMPTIONS}{mine.pk}/hand-over/"
    assert api_for(town["vol_user"]).post(hand_over).status_code == 403
    assert api_for(town["other_keeper"]).post(hand_over).status_code == 404
    done = api_for(town["keeper"]).post(hand_over)
    assert done.status_code == 200 and done.json()["handed_over_at"]
    first = done.json()["handed_over_at"]
    assert api_for(town["keeper"]).post(hand_over).json()["handed_over_at"] == first
    pending = api_for(town["staff"]).get(REDEMPTIONS, {"handed_over": "false"}).json()["results"]
    assert [row["volunteer"] for row in pending] == [stranger.pk]
