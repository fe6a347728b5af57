"""Patrol coverage per grid, worker and local day: minutes and distance from the track,
recomputed after every batch by a task that may run any number of times."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest

from personnel.models import PatrolDay
from personnel.tasks.patrols import patrol_days_recompute
from tests import factories, people
from tests.personnel.test_patrols import (
    LAT_IN,
    LNG_IN,
    SHANGHAI,
    START,
    point,
    signed_in,
    start_patrol,
    upload,
    worker_on,
)

pytestmark = pytest.mark.django_db

STEP_DEG = 0.00008  # northward between points: ten steps stay inside the 0.001° grid
# One step due north on the haversine sphere is an arc of R·Δφ: 6,371,008.8 m × 0.00008° in
# radians = 8.8956 m; ten steps are 88.956 m.
TEN_STEPS_M = 10 * 6_371_008.8 * math.radians(STEP_DEG)


@pytest.fixture
def beat():
    """Street 1 with grids 1 and 2 side by side, a worker on grid 1; street 2 with a grid."""
    street = factories.street(number=1)
    grid1, grid2 = factories.grids(2, parent=factories.community(parent=street))
    far_grid = factories.grid(parent=factories.community(parent=factories.street(number=2)))
    return SimpleNamespace(
        street=street, grid1=grid1, grid2=grid2, far_grid=far_grid, worker=worker_on(grid1)
    )


def walk(beat, minutes, *, start=START, lng=LNG_IN, on_commit=None) -> dict:
    """Record one patrol whose points are ``minutes`` after ``start``, a step north each,
    and run the coverage jobs queued after the commit."""
    client = signed_in(beat.worker)
    session = start_patrol(client, started_at=start)
    points = [
        point(minute, lat=LAT_IN + index * STEP_DEG, lng=lng, start=start)
        for index, minute in enumerate(minutes)
    ]
    with on_commit(execute=True):
        assert upload(client, session["id"], points).status_code == 200
    return session


def test_eleven_points_a_minute_apart_are_ten_minutes_and_their_distance(
    beat, django_capture_on_commit_callbacks
):
    walk(beat, range(11), on_commit=django_capture_on_commit_callbacks)
    row = PatrolDay.objects.get()
    assert (row.grid, row.worker, row.day) == (beat.grid1, beat.worker, date(2025, 3, 10))
    assert row.points == 11
    assert row.minutes == pytest.approx(10)
    assert row.distance_m == pytest.approx(TEN_STEPS_M, abs=0.01)
    assert row.distance_m == pytest.approx(88.956, abs=0.01)
    assert (row.street, row.community, row.district) == (
        beat.grid1.street,
        beat.grid1.community,
        beat.grid1.district,
    )


def test_a_gap_longer_than_five_minutes_is_a_pause_not_patrol(
    beat, django_capture_on_commit_callbacks
):
    # 0→1→2 walked, 2→9 a pause (7 min), 9→10 walked: 3 minutes, 3 steps.
    walk(beat, [0, 1, 2, 9, 10], on_commit=django_capture_on_commit_callbacks)
    row = PatrolDay.objects.get()
    assert row.minutes == pytest.approx(3)
    assert row.distance_m == pytest.approx(3 * TEN_STEPS_M / 10, abs=0.01)


def test_the_longest_gap_is_a_setting(beat, django_capture_on_commit_callbacks, settings):
    settings.PATROL_MAX_GAP_MINUTES = 10
    walk(beat, [0, 1, 2, 9, 10], on_commit=django_capture_on_commit_callbacks)
    assert PatrolDay.objects.get().minutes == pytest.approx(10)


def test_time_outside_the_grid_counts_for_neither(beat, django_capture_on_commit_callbacks):
    client = signed_in(beat.worker)
    session = start_patrol(client)
    next_door = LNG_IN + factories.CELL_DEG
    points = [point(0), point(1), point(2, lng=next_door), point(3), point(4)]
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, session["id"], points)
    home = PatrolDay.objects.get(grid=beat.grid1)
    assert (home.points, home.minutes) == (4, pytest.approx(2))  # 0→1 and 3→4
    visited = PatrolDay.objects.get(grid=beat.grid2)
    assert (visited.points, visited.minutes, visited.distance_m) == (1, 0, 0)


def test_points_in_no_grid_make_no_coverage(beat, django_capture_on_commit_callbacks):
    walk(beat, range(5), lng=117.5, on_commit=django_capture_on_commit_callbacks)
    assert not PatrolDay.objects.exists()


def test_days_are_local_days(beat, django_capture_on_commit_callbacks):
    late = datetime(2025, 3, 10, 23, 57, tzinfo=SHANGHAI)
    walk(beat, [0, 1, 2, 4, 5, 6], start=late, on_commit=django_capture_on_commit_callbacks)
    rows = {row.day: row for row in PatrolDay.objects.all()}
    # 23:57-23:59 on the 10th and 00:01-00:03 on the 11th; the gap over midnight is lost.
    assert set(rows) == {date(2025, 3, 10), date(2025, 3, 11)}
    assert rows[date(2025, 3, 10)].minutes == pytest.approx(2)
    assert rows[date(2025, 3, 11)].minutes == pytest.approx(2)


def test_a_second_batch_extends_the_days_coverage(beat, django_capture_on_commit_callbacks):
    client = signed_in(beat.worker)
    session = start_patrol(client)
    points = [point(minute, lat=LAT_IN + minute * STEP_DEG) for minute in range(11)]
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, session["id"], points[:6])
    assert PatrolDay.objects.get().minutes == pytest.approx(5)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, session["id"], points[5:])
    assert PatrolDay.objects.get().minutes == pytest.approx(10)


def test_the_recompute_task_run_twice_leaves_the_same_row(beat, django_capture_on_commit_callbacks):
    walk(beat, range(11), on_commit=django_capture_on_commit_callbacks)
    first = PatrolDay.objects.get()
    for _ in range(2):
        patrol_days_recompute.delay(beat.worker.pk, beat.grid1.pk, "2025-03-10")
    again = PatrolDay.objects.get()
    assert again.pk == first.pk
    fields = ("points", "minutes", "distance_m", "grid_id", "worker_id", "day")
    assert [getattr(again, f) for f in fields] == [getattr(first, f) for f in fields]


def test_the_recompute_task_for_a_day_without_points_writes_nothing(beat):
    patrol_days_recompute.delay(beat.worker.pk, beat.grid1.pk, "2025-03-10")
    assert not PatrolDay.objects.exists()


def test_coverage_rows_are_listed_within_scope_and_filtered(
    beat, django_capture_on_commit_callbacks
):
    walk(beat, range(11), on_commit=django_capture_on_commit_callbacks)
    walk(
        beat,
        range(3),
        start=START + timedelta(days=2),
        on_commit=django_capture_on_commit_callbacks,
    )
    staff = signed_in(people.with_role("street_staff", beat.street))
    rows = staff.get("/api/v1/patrol-days/").json()["results"]
    assert {(row["day"], row["minutes"], row["patrolled"]) for row in rows} == {
        ("2025-03-10", 10.0, True),
        ("2025-03-12", 2.0, True),
    }
    assert rows[0]["grid_code"] == beat.grid1.code
    ranged = staff.get("/api/v1/patrol-days/", {"day_from": "2025-03-11", "day_to": "2025-03-31"})
    assert [row["day"] for row in ranged.json()["results"]] == ["2025-03-12"]
    assert len(staff.get("/api/v1/patrol-days/", {"grid": beat.grid2.pk}).json()["results"]) == 0
    mine = signed_in(beat.worker).get("/api/v1/patrol-days/", {"day": "2025-03-10"}).json()
    assert [row["points"] for row in mine["results"]] == [11]
    outsider = signed_in(people.with_role("street_staff", beat.far_grid.street))
    assert outsider.get("/api/v1/patrol-days/").json()["results"] == []
