"""forecast_for on grid-day rollups built by hand, its cache and scope, the API's answers,
and the acceptance check on (a small) demo city: the model beats last week."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from assessment.forecasts import HISTORY_WEEKS, forecast_for
from assessment.models import GridDay
from assessment.scopes import Scope
from gridgov import demo as registry
from gridgov.demo import DemoContext, run_steps
from incidents.services import category_create
from tests import factories, people
from tests.assessment.test_forecast import poisson

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()  # the API forecasts from the real today
URL = "/api/v1/assessment/forecast/"
WEEK = [6, 7, 6, 6, 5, 1, 1]  # Monday first
DEMO_TICKETS = 400


@pytest.fixture
def city():
    """Two grids of one street with 16 weeks of a working-week rhythm; the second grid's
    last week is four times its usual; and a grid of another district."""
    first_grid, second_grid = factories.grids(2)
    far = factories.grid(
        parent=factories.community(
            parent=factories.street(parent=factories.district(code="371599"))
        )
    )
    major = category_create(code="E01", kind="event", name="市容环境")
    minor = category_create(code="E0101", kind="event", name="暴露垃圾", parent=major)
    rng = random.Random(11)
    rows = []
    for back in range(1, HISTORY_WEEKS * 7 + 1):
        day = TODAY - timedelta(days=back)
        usual = WEEK[day.weekday()]
        for grid, mean in ((first_grid, usual), (second_grid, usual * (4 if back <= 7 else 1))):
            for category, share in ((major, 0.3), (minor, 0.7)):
                cases = poisson(rng, mean * share)
                if cases:
                    rows.append(_row(grid, category, day, cases))
        rows.append(_row(far, minor, day, 1))
    GridDay.objects.bulk_create(rows)
    return {"grids": (first_grid, second_grid, far), "major": major, "minor": minor}


def _row(grid, category, day: date, reported: int) -> GridDay:
    return GridDay(
        day=day,
        district_id=grid.district_id,
        street_id=grid.street_id,
        community_id=grid.community_id,
        grid=grid,
        category=category,
        source="patrol",
        reported=reported,
    )


def test_each_grid_and_major_category_is_forecast_with_its_backtest(city, admin_user):
    first_grid, second_grid, far = city["grids"]
    found = forecast_for(user=admin_user, today=TODAY)
    assert found["first"] == TODAY - timedelta(days=HISTORY_WEEKS * 7)
    assert found["last"] == TODAY - timedelta(days=1)
    series = {(s["grid"]["id"], s["category"]["id"]): s for s in found["series"]}
    # The minor class's cases count for its major class: one series per grid.
    assert set(series) == {(g.pk, city["major"].pk) for g in (first_grid, second_grid, far)}
    mine = series[(first_grid.pk, city["major"].pk)]
    assert [d["day"] for d in mine["days"]] == [TODAY + timedelta(days=h) for h in range(7)]
    by_weekday = {d["day"].weekday(): d["expected"] for d in mine["days"]}
    assert by_weekday[0] > 3 * by_weekday[6]  # Mondays are busy, Sundays quiet
    # A usual week is 32 cases. The draws fall on other weekdays as today moves, so the
    # forecast's week ranges from 28 to 42 over the seven weekdays the suite may run on.
    assert 25 < mine["total"]["expected"] < 45
    assert mine["total"]["low"] <= mine["total"]["expected"] <= mine["total"]["high"]
    assert mine["backtest"]["days"] == 28
    assert mine["backtest"]["model_mae"] < mine["backtest"]["naive_mae"]
    assert found["backtest"]["days"] == 3 * 28
    assert found["backtest"]["model_rmse"] < found["backtest"]["naive_rmse"]
    # The second grid's busy week makes it the one hotspot.
    assert [h["grid"]["id"] for h in found["hotspots"]] == [second_grid.pk]
    assert found["hotspots"][0]["z"] > 2


def test_the_answer_is_cached_until_the_rollups_change(city, admin_user):
    first = forecast_for(user=admin_user, today=TODAY)
    with CaptureQueriesContext(connection) as queries:
        again = forecast_for(user=admin_user, today=TODAY)
    assert again == first
    assert len(queries) <= 2  # the user's reach and the rows' fingerprint
    grid = city["grids"][0]
    GridDay.objects.filter(grid=grid, day=TODAY - timedelta(days=1)).delete()
    GridDay.objects.create(
        **{
            "day": TODAY - timedelta(days=1),
            "district_id": grid.district_id,
            "street_id": grid.street_id,
            "community_id": grid.community_id,
            "grid": grid,
            "category": city["minor"],
            "source": "hotline",
            "reported": 40,
        }
    )
    changed = forecast_for(user=admin_user, today=TODAY)
    assert changed != first
    assert forecast_for(user=admin_user, today=TODAY + timedelta(days=1)) != changed


def test_a_place_limits_the_series_and_the_reach_limits_the_places(city):
    first_grid, _second, far = city["grids"]
    staff = people.with_role("street_staff", first_grid.street)
    found = forecast_for(user=staff, today=TODAY)
    assert {s["grid"]["id"] for s in found["series"]} == {g.pk for g in city["grids"][:2]}
    one = forecast_for(user=staff, within=Scope("grid", first_grid.pk), today=TODAY)
    assert [s["grid"]["id"] for s in one["series"]] == [first_grid.pk]
    with pytest.raises(Http404):
        forecast_for(user=staff, within=Scope("street", far.street_id), today=TODAY)
    with pytest.raises(Http404):
        forecast_for(user=staff, within=Scope("street", 999_999), today=TODAY)
    assert forecast_for(user=people.user(), today=TODAY)["series"] == []


def test_the_api_answers_filters_and_refuses(city, admin_user):
    first_grid, _second, far = city["grids"]
    client = APIClient()
    assert client.get(URL).status_code in (401, 403)
    client.force_authenticate(admin_user)
    body = client.get(URL, {"scope": f"street:{first_grid.street_id}"}).json()
    assert body["count"] == 2 and len(body["series"]) == 2
    assert body["hotspots"][0]["grid"]["code"] == city["grids"][1].code
    assert body["series"][0]["days"][0]["day"] == timezone.localdate().isoformat()
    page = client.get(URL, {"grid": far.pk, "category": city["major"].pk, "limit": 1}).json()
    assert page["count"] == 1 and page["series"][0]["grid"]["id"] == far.pk
    for bad in ("street:abc", "planet:1", "department:1"):
        response = client.get(URL, {"scope": bad})
        assert response.status_code == 400, bad
        assert response.json()["errors"][0]["attr"] == "scope"
    assert client.get(URL, {"limit": 0}).status_code == 400
    assert client.get(URL, {"scope": "street:999999"}).status_code == 404
    staff = APIClient()
    staff.force_authenticate(people.with_role("street_staff", first_grid.street))
    assert staff.get(URL, {"scope": f"grid:{far.pk}"}).status_code == 404


def test_on_the_demo_city_the_model_beats_last_week():
    """The acceptance check on a small demo (the full one is ``bench/run.py forecast``);
    the demo's own last step rolls the history up."""
    steps = [s for s in registry.demo_steps() if s.name != "patrols: recent patrol history"]
    run_steps(DemoContext(tickets=DEMO_TICKETS), steps)
    today = timezone.localdate()
    assert GridDay.objects.filter(day__lt=today - timedelta(days=60)).exists()
    found = forecast_for(user=people.root(), today=today)["backtest"]
    assert found["days"] > 1000
    assert found["model_mae"] < found["naive_mae"]
    assert found["model_rmse"] < found["naive_rmse"]
