"""The volunteer ranking of a community: service hours of activities in a period and the
points earned in it (adjustments and spending do not rank), best first; names masked as
residents' are."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from participation.services.points import points_adjust
from tests.participation.life import api_for, build_town, served, volunteers

RANKING = "/api/v1/volunteer-ranking/"


@pytest.fixture
def town(db):
    town = build_town()
    ace, second = town["volunteer"], town["resident_volunteer"]
    served(town, ace, days_ago=5)  # 3 h, 30 points
    served(town, ace, hours="2", days_ago=8)
    served(town, second, hours="4", days_ago=6)
    served(town, second, days_ago=90)  # before the period below
    (adjusted,) = volunteers(town, 1)
    points_adjust(volunteer=adjusted, amount=500, reason="期初积分", by=town["staff"])
    (elsewhere,) = volunteers(town, 1, community=town["other"])
    served(town, elsewhere, days_ago=5)
    return town


def _query(town, **extra) -> dict:
    today = timezone.localdate()
    return {
        "community": town["community"].pk,
        "start": (today - timedelta(days=30)).isoformat(),
        "end": today.isoformat(),
        **extra,
    }


def test_volunteers_rank_by_hours_then_points(town):
    response = api_for(town["staff"]).get(RANKING, _query(town))
    assert response.status_code == 200, response.content
    rows = [(r["rank"], r["name"], r["hours"], r["points"]) for r in response.json()["results"]]
    assert rows == [(1, "李明", "5.00", 50), (2, "王秀英", "4.00", 40)]


def test_by_points_and_over_a_longer_period(town):
    today = timezone.localdate()
    query = _query(town, order="points", start=(today - timedelta(days=120)).isoformat())
    rows = api_for(town["staff"]).get(RANKING, query).json()["results"]
    assert [(r["volunteer"], r["hours"], r["points"]) for r in rows] == [
        (town["resident_volunteer"].pk, "7.00", 70),
        (town["volunteer"].pk, "5.00", 50),
    ]


def test_names_are_masked_for_community_staff(town):
    rows = api_for(town["keeper"]).get(RANKING, _query(town)).json()["results"]
    assert [(r["name"], r["masked"]) for r in rows] == [("李*", True), ("王**", True)]


@pytest.mark.parametrize(
    ("who", "query", "attr"),
    [
        ("staff", {"community": None}, "community"),
        ("staff", {"community": 10**12}, "community"),
        ("other_keeper", {}, "community"),  # not a community they read
        ("staff", {"end": "2020-01-01"}, "end"),
        ("staff", {"start": "yesterday"}, "start"),
        ("staff", {"order": "age"}, "order"),
        ("staff", {"limit": 0}, "limit"),
    ],
)
def test_bad_queries_are_400s(town, who, query, attr):
    params = {k: v for k, v in _query(town, **query).items() if v is not None}
    response = api_for(town[who]).get(RANKING, params)
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == attr


def test_the_default_period_is_this_year(town):
    response = api_for(town["staff"]).get(RANKING, {"community": town["community"].pk})
    assert response.status_code == 200
    today = timezone.localdate()
    assert response.json()["start"] == f"{today.year}-01-01"
    assert response.json()["end"] == today.isoformat()


def test_anonymous_callers_are_refused(town):
    assert api_for(None).get(RANKING, _query(town)).status_code in (401, 403)
