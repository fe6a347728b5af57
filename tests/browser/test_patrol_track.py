"""A worker's patrol track in a real browser: one line per patrol, flagged points in their own
colour with a legend, the worker's grid outlined, and the day picker."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from personnel.services import patrols
from personnel.services.workers import grid_assignment_create
from tests import factories, people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

START = datetime(2025, 3, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
LNG, LAT = factories.ORIGIN_LNG + 0.0005, factories.ORIGIN_LAT + 0.0001


def record(worker, start: datetime, coordinates: list[tuple[float, float]]) -> None:
    """A patrol from ``start`` with a point a minute at each (lat, lng), through the services."""
    session, _created = patrols.patrol_session_start(
        worker=worker, client_id=uuid.uuid4(), started_at=start
    )
    patrols.patrol_points_record(
        session=session,
        worker=worker,
        points=[
            patrols.TrackPoint(
                client_id=uuid.uuid4(),
                recorded_at=start + timedelta(minutes=minute),
                lat=lat,
                lng=lng,
                accuracy_m=5.0,
            )
            for minute, (lat, lng) in enumerate(coordinates)
        ],
    )


@pytest.fixture
def worker_with_a_day():
    """A worker on grid 1 who patrolled twice on 10 March, once straying into grid 2."""
    grid, _next_door = factories.grids(2)
    worker = people.user("li.wei", full_name="李伟")
    profile = people.worker_profile(worker, street=grid.street)
    grid_assignment_create(created_by=people.root(), worker=profile, grid=grid, kind="primary")
    morning = [(LAT + n * 0.00008, LNG) for n in range(8)]
    afternoon = [(LAT + 0.0004, LNG + n * 0.00015) for n in range(6)]  # the last two in grid 2
    record(worker, START, morning)
    record(worker, START + timedelta(hours=5), afternoon)
    return worker


def test_track_page_draws_each_patrol_and_the_flagged_points(
    signed_in_page: Page, live_server, worker_with_a_day, screenshot_dir
):
    page = signed_in_page
    page.goto(f"{live_server.url}/personnel/workers/{worker_with_a_day.pk}/track/?day=2025-03-10")
    expect(page.locator("#track-map[data-ready=true]")).to_be_attached()

    expect(page.locator("#track-map path.track-line")).to_have_count(2)
    expect(page.locator("#track-map path.track-flagged")).to_have_count(2)
    expect(page.locator("#track-map path.track-grid")).to_have_count(1)
    expect(page.locator("#legend-flagged")).to_be_visible()
    expect(page.locator("#legend-flagged")).to_contain_text("(2)")
    expect(page.locator("#total-points")).to_have_text("14")
    expect(page.locator("#total-flagged")).to_have_text("2")
    expect(page.locator("#total-minutes")).to_have_text("12")  # 7 + 5 one-minute steps
    page.screenshot(path=str(screenshot_dir / "gridgov-patrol-track.png"))

    # The day picker is a plain GET form: the next day has no track.
    page.fill("#id_day", "2025-03-11")
    with page.expect_navigation():
        page.locator(".day-picker button[type=submit]").click()
    assert page.url.endswith("?day=2025-03-11")
    expect(page.locator("#track-map[data-ready=true]")).to_be_attached()
    expect(page.locator("#track-map path.track-line")).to_have_count(0)
    expect(page.locator("#total-points")).to_have_text("0")
