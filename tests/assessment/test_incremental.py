"""The incremental job against a rebuild from scratch: after any sequence of changes, the
rows it keeps are the rows a rebuild writes; running it again changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from assessment import tasks
from assessment.models import (
    DepartmentDay,
    EventFact,
    GridDay,
    GridDayTotal,
    RollupCursor,
    WorkerDay,
)
from assessment.services import rollups_rebuild, rollups_refresh
from incidents.models import Ticket
from incidents.services.tickets import ticket_update
from personnel.models import PatrolDay
from tests.assessment.story import day_zero, do
from tests.incidents.cases import report

# The facts too: the refresh keeps them as a rebuild writes them.
ROLLUPS = (EventFact, GridDay, GridDayTotal, DepartmentDay, WorkerDay)


def snapshot() -> dict[str, list[tuple]]:
    """Every rollup row (and fact), without its id, sorted."""
    return {
        model.__name__: sorted(
            (
                tuple(sorted(row.items()))
                for row in model.objects.values().iterator()
                for row in [{k: v for k, v in row.items() if k != "id"}]
            ),
            key=repr,  # facts hold None beside numbers
        )
        for model in ROLLUPS
    }


def _patrolled(place, day, minutes: float) -> None:
    # The coverage row the personnel app derives from track points (its own job).
    grid = place["grid"]
    PatrolDay.objects.create(
        grid=grid,
        street_id=grid.street_id,
        community_id=grid.community_id,
        district_id=grid.district_id,
        worker=place["worker"],
        day=day,
        points=12,
        minutes=minutes,
        distance_m=800,
    )


def _more_changes(place, clock, story) -> None:
    """Day 1: a resident's report filed then voided, a patrol, and the grid of the day-0
    patrol case corrected to the next grid (its whole history moves); a refresh between."""
    staff, other = place["staff"], place["other_grid"]
    clock.at(1, 9)
    resident = report(place, "resident")
    clock.at(1, 9, 20)
    do(resident, staff, "accept")
    clock.at(1, 9, 40)
    do(resident, staff, "file")
    _patrolled(place, clock.day(1), 42.5)
    clock.at(1, 10)
    rollups_refresh()
    clock.at(1, 11)
    do(resident, staff, "void", note="already fixed by the owner")
    patrol = Ticket.objects.get(pk=story["patrol"].pk)
    ticket_update(
        ticket=patrol,
        actor=staff,
        expected_version=patrol.version,
        lat=other.centroid_lat,
        lng=other.centroid_lng,
    )
    clock.at(2, 8)


def test_an_incremental_run_after_changes_equals_a_rebuild_row_for_row(place, clock):
    rollups_refresh()  # the first run: nothing yet but the worker's assigned day
    story = day_zero(place, clock)
    rollups_refresh()
    _more_changes(place, clock, story)

    result = rollups_refresh()
    incremental = snapshot()

    # The edited ticket's day 0 was rewritten though nothing new happened on day 0.
    assert clock.day(0) in result.days
    moved = GridDay.objects.get(grid=place["other_grid"], day=clock.day(0), source="patrol")
    assert (moved.reported, moved.closed, moved.reworks) == (1, 1, 1)
    stayed = GridDay.objects.get(grid=place["grid"], day=clock.day(0), source="patrol")
    assert (stayed.reported, stayed.rejected, stayed.closed) == (1, 1, 0)
    day_one = GridDay.objects.get(grid=place["grid"], day=clock.day(1), source="resident")
    assert (day_one.filed, day_one.voided, day_one.voided_after_filing) == (1, 1, 1)
    worker = WorkerDay.objects.get(worker=place["worker"], day=clock.day(1))
    assert (worker.patrol_seconds, worker.covered_grids, worker.assigned_grids) == (2550, 1, 1)

    for model in ROLLUPS:
        model.objects.all().delete()
    rollups_rebuild(since=clock.day(0), until=clock.day(2))
    assert snapshot() == incremental


def test_the_report_day_follows_a_later_decision_on_the_report(place, clock):
    """A report is valid once filed: filing it the next day rewrites the report's day."""
    clock.at(0, 9)
    ticket = report(place, "patrol", reporter=place["worker"])
    rollups_refresh()
    assert WorkerDay.objects.get(worker=place["worker"], day=clock.day(0)).valid_reports == 0

    clock.at(1, 9)
    do(ticket, place["staff"], "accept")
    do(ticket, place["staff"], "file")
    rollups_refresh()

    assert WorkerDay.objects.get(worker=place["worker"], day=clock.day(0)).valid_reports == 1


def test_running_the_job_twice_changes_nothing(place, clock):
    day_zero(place, clock)
    first = tasks.rollups_refresh.apply().get()
    before, cursor = snapshot(), RollupCursor.objects.get()

    again = tasks.rollups_refresh.apply().get()

    assert first["rows"] and again["days"] == [clock.day(0).isoformat()]
    assert snapshot() == before
    assert RollupCursor.objects.get().last_event_id == cursor.last_event_id


def test_the_nightly_rebuild_rewrites_the_same_rows(place, clock):
    day_zero(place, clock)
    rollups_refresh()
    before = snapshot()

    result = tasks.rollups_rebuild_recent.apply().get()

    assert len(result["days"]) == 35
    assert snapshot() == before


def test_a_rebuild_reports_its_progress_day_by_day(place, clock):
    day_zero(place, clock)
    seen = []

    rollups_rebuild(
        since=clock.day(-2), until=clock.day(0), progress=lambda *args: seen.append(args)
    )

    assert seen == [(clock.day(-2), 1, 3), (clock.day(-1), 2, 3), (clock.day(0), 3, 3)]
    assert GridDay.objects.filter(day=clock.day(0)).exists()


def test_the_rebuild_command_shows_progress_and_writes_the_rows(place, clock):
    day_zero(place, clock)
    out = io.StringIO()
    first = clock.day(0).isoformat()
    call_command("rollups_rebuild", since=clock.day(0), until=clock.day(1), stdout=out)
    text = out.getvalue()
    assert f"[1/2] {first}" in text and "Rebuilt 2 days" in text
    assert GridDay.objects.filter(day=clock.day(0)).exists()
    with pytest.raises(CommandError):
        call_command("rollups_rebuild", since=clock.day(1), until=clock.day(0), stdout=out)
