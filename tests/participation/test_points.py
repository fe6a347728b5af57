"""The points ledger: earned by service, spent on rewards, adjusted by keepers with a reason;
entries are append-only, a key pays once, and a balance never goes negative — not for any
sequence of changes (a Hypothesis property), and not when redemptions race (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from participation.models import PointsAccount, PointsEntry, Redemption, Reward
from participation.services.points import (
    points_adjust,
    points_earn,
    redemption_create,
    reward_create,
)
from tests.participation.life import api_for, build_town, give, served, volunteers

POINTS = "/api/v1/points/"
ADJUST = "/api/v1/points/adjust/"


@pytest.fixture
def town(db):
    return build_town()


def balance(volunteer) -> int:
    return PointsAccount.objects.get(volunteer=volunteer).balance


def entries_sum(volunteer) -> int:
    total = PointsEntry.objects.filter(account__volunteer=volunteer).aggregate(s=Sum("amount"))
    return total["s"] or 0


def test_an_earning_key_pays_once(town):
    volunteer = town["volunteer"]
    first = points_earn(volunteer=volunteer, amount=30, reason="服务", key="attendance:1")
    again = points_earn(volunteer=volunteer, amount=30, reason="服务", key="attendance:1")
    assert again.pk == first.pk
    assert balance(volunteer) == 30 and PointsEntry.objects.count() == 1
    account = PointsAccount.objects.get(volunteer=volunteer)
    assert account.earned == 30 and first.balance_after == 30


def test_attendance_earns_through_the_ledger_with_its_key(town):
    activity = served(town, town["volunteer"], hours="2.5")
    entry = PointsEntry.objects.get()
    signup = activity.signups.get()
    assert entry.key == f"attendance:{signup.pk}" and entry.kind == "earn" and entry.amount == 25


def test_an_adjustment_never_takes_the_balance_below_zero(town):
    volunteer = town["volunteer"]
    give(town, volunteer, 20)
    with pytest.raises(ValidationError) as refused:
        points_adjust(volunteer=volunteer, amount=-21, reason="更正", by=town["staff"])
    assert "amount" in refused.value.message_dict
    points_adjust(volunteer=volunteer, amount=-20, reason="更正", by=town["staff"])
    assert balance(volunteer) == 0 == entries_sum(volunteer)
    assert PointsAccount.objects.get(volunteer=volunteer).earned == 0  # adjustments do not rank


def test_only_keepers_of_the_community_adjust(town):
    for who in ("worker", "supervisor", "other_keeper", "vol_user"):
        with pytest.raises(PermissionDenied):
            points_adjust(volunteer=town["volunteer"], amount=5, reason="奖励", by=town[who])
    points_adjust(volunteer=town["volunteer"], amount=5, reason="奖励", by=town["keeper"])


def test_entries_are_never_changed_or_deleted(town):
    entry = give(town, town["volunteer"], 10)
    entry.reason = "改"
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()


def test_the_api_adjusts_with_a_reason(town):
    body = {"volunteer": town["volunteer"].pk, "amount": 15, "reason": "优秀志愿者"}
    response = api_for(town["keeper"]).post(ADJUST, body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "adjust" and response.json()["balance_after"] == 15
    assert response.json()["created_by"] == town["keeper"].pk


@pytest.mark.parametrize(
    ("body", "attr"),
    [
        ({"amount": 5, "reason": "x"}, "volunteer"),
        ({"volunteer": "me", "amount": 0, "reason": "x"}, "amount"),
        ({"volunteer": "me", "amount": "ten", "reason": "x"}, "amount"),
        ({"volunteer": "me", "amount": 10**9, "reason": "x"}, "amount"),
        ({"volunteer": "me", "amount": 5}, "reason"),
        ({"volunteer": "me", "amount": 5, "reason": "   "}, "reason"),
        ({"volunteer": "me", "amount": -1, "reason": "扣"}, "amount"),
        ({"volunteer": "stranger", "amount": 5, "reason": "x"}, "volunteer"),
    ],
)
def test_bad_adjustments_are_400s_and_write_nothing(town, body, attr):
    (stranger,) = volunteers(town, 1, community=town["other"])
    ids = {"me": town["volunteer"].pk, "stranger": stranger.pk}
    if "volunteer" in body:
        body = {**body, "volunteer": ids[body["volunteer"]]}
    response = api_for(town["keeper"]).post(ADJUST, body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["attr"] == attr
    assert not PointsEntry.objects.exists()


def test_readers_cannot_adjust(town):
    body = {"volunteer": town["volunteer"].pk, "amount": 5, "reason": "奖励"}
    assert api_for(town["worker"]).post(ADJUST, body, format="json").status_code == 403
    assert api_for(town["vol_user"]).post(ADJUST, body, format="json").status_code == 403
    assert not PointsEntry.objects.exists()


def test_a_volunteer_reads_their_own_entries_and_staff_their_communitys(town):
    give(town, town["volunteer"], 10)
    give(town, town["resident_volunteer"], 20)
    (stranger,) = volunteers(town, 1, community=town["other"])
    give(town, stranger, 30)

    def amounts(who) -> list[int]:
        rows = api_for(town[who]).get(POINTS).json()["results"]
        return sorted(row["amount"] for row in rows)

    assert amounts("vol_user") == [10]
    assert amounts("keeper") == [10, 20]
    assert amounts("staff") == [10, 20, 30]
    assert amounts("plain") == []
    filtered = api_for(town["staff"]).get(POINTS, {"volunteer": stranger.pk}).json()["results"]
    assert [row["amount"] for row in filtered] == [30]


OPS = st.lists(
    st.tuples(
        st.sampled_from(["earn", "redeem", "adjust"]),
        st.integers(min_value=1, max_value=60),
        st.booleans(),
    ),
    max_size=25,
)


# CI's budget; another Hypothesis profile (make nightly: tests/conftest.py) brings its own.
CI_BUDGET = {"max_examples": 40} if settings.get_current_profile_name() == "default" else {}


@settings(**CI_BUDGET, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_the_balance_is_the_sum_of_entries_and_never_negative(town, ops):
    with transaction.atomic():
        (volunteer,) = volunteers(town, 1)
        expected = 0
        for serial, (kind, size, down) in enumerate(ops):
            amount = -size if kind == "redeem" or (kind == "adjust" and down) else size
            try:
                if kind == "earn":
                    points_earn(volunteer=volunteer, amount=size, reason="服务", key=f"p{serial}")
                elif kind == "adjust":
                    points_adjust(
                        volunteer=volunteer, amount=amount, reason="更正", by=town["staff"]
                    )
                else:
                    reward = reward_create(
                        created_by=town["staff"],
                        street=town["street"],
                        name=f"R{serial}",
                        cost=size,
                        stock=1,
                    )
                    redemption_create(reward=reward, volunteer=volunteer, by=volunteer.user)
            except ValidationError:
                assert expected + amount < 0, "refused although the points sufficed"
            else:
                assert expected + amount >= 0
                expected += amount
            assert balance(volunteer) == expected == entries_sum(volunteer)
            running = PointsEntry.objects.filter(account__volunteer=volunteer).order_by("pk")
            assert all(entry.balance_after >= 0 for entry in running)
        redemptions = Redemption.objects.filter(volunteer=volunteer).count()
        assert (
            redemptions
            == PointsEntry.objects.filter(account__volunteer=volunteer, kind="redeem").count()
        )
        transaction.set_rollback(True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_redemptions_never_overdraw():
    """8 threads redeem a 30-point reward for one volunteer holding 100 points: 3 succeed,
    the balance stays 10, and the stock and the entries agree."""
    town = build_town()
    volunteer = town["volunteer"]
    give(town, volunteer, 100)
    reward = reward_create(
        created_by=town["staff"], street=town["street"], name="保温杯", cost=30, stock=50
    )
    start = threading.Barrier(8)
    outcomes: list[str] = []

    def redeem() -> None:
        try:
            start.wait()
            redemption_create(reward=reward, volunteer=volunteer, by=volunteer.user)
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        except BaseException as error:  # any other failure fails the assertion below
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=redeem) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["ok"] * 3 + ["refused"] * 5
    assert balance(volunteer) == 10 == entries_sum(volunteer)
    assert Reward.objects.get(pk=reward.pk).stock == 47
    assert Redemption.objects.count() == 3
