"""Keeping the rollups current: an incremental refresh every few minutes and a rebuild of
recent days every night. A rebuild writes whole local days: the facts of their events
(``assessment.services.facts``), then every rollup row read off them (``grid_days``,
``department_days``, ``worker_days``). A refresh brings the facts up to date and writes
only the rows that may have changed since its last run (``assessment.services.changes``
says what, and why that equals a rebuild): some GridDay keys, some departments' and
workers' rows, and new days whole. Either way the ``GridDayTotal`` rows of every grid and
day touched are summed again from its GridDay rows in the same transaction, so a total
always equals the rows it sums.

Every write locks the one ``RollupCursor`` row first, so concurrent runs (two refreshes,
or a refresh and a rebuild) take turns: nothing is counted twice, and running a job again
rewrites the same rows. Rows are deleted and inserted, never updated: a rewritten row gets
a new id, which the forecast's cache key relies on.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.models import DepartmentDay, GridDay, GridDayTotal, RollupCursor, WorkerDay
from assessment.services.changes import SAFETY_WINDOW, changes_since, span
from assessment.services.facts import facts_write
from assessment.services.grid_days import Key, grid_day_totals, grid_days_write, keys_q
from assessment.services.people_days import department_days, worker_days
from incidents.models import TicketEvent

# The nightly rebuild's reach, today included.
REBUILD_DAYS = 35
BATCH = 2000
ROLLUPS = (GridDay, GridDayTotal, DepartmentDay, WorkerDay)

Progress = Callable[[date, int, int], None]


@dataclass
class RollupResult:
    """What a run wrote: the local days some rows of which it rewrote and the rows
    inserted; ``events``, for a refresh, is how many events it read as new."""

    days: list[date] = field(default_factory=list)
    rows: int = 0
    events: int = 0

    def as_dict(self) -> dict:
        return {
            "days": [day.isoformat() for day in self.days],
            "rows": self.rows,
            "events": self.events,
        }


def _locked_cursor() -> RollupCursor:
    RollupCursor.objects.get_or_create(pk=RollupCursor.SINGLETON)
    return RollupCursor.objects.select_for_update().get(pk=RollupCursor.SINGLETON)


def _planned_for_rollups() -> None:
    """Planner settings for the rest of the caller's transaction, on PostgreSQL. JIT off:
    the rollup's correlated subqueries push the planner's estimates far over the JIT
    thresholds, and compiling took 2.7 s of a 4.8 s day at 100,000 tickets (0.17 s
    without). Random reads priced as on a cached or solid-state disk: at the default (4,
    a spinning disk's) the planner hash-joined a full scan of a million tickets to a day's
    events instead of looking each ticket up by its key, about twice as slow for a day
    and ten times for the grid workers' filings."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL random_page_cost = 1.1")


def _insert(rows: list) -> int:
    if rows:
        type(rows[0]).objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def _write_totals(first: date, last: date, grids: Collection[int] | None = None) -> int:
    """Sum the GridDayTotal rows of days ``first``…``last`` (of ``grids`` only, when
    given) again from their GridDay rows."""
    totals = GridDayTotal.objects.filter(day__gte=first, day__lte=last)
    rows = GridDay.objects.filter(day__gte=first, day__lte=last)
    if grids is not None:
        totals, rows = totals.filter(grid_id__in=grids), rows.filter(grid_id__in=grids)
    totals.delete()
    return _insert(grid_day_totals(rows))


def _write(first: date, last: date) -> int:
    """Replace the facts and every rollup row of local days ``first``…``last`` (the caller
    holds the cursor). The grid totals come before the worker rows, which read them."""
    facts_write(first, last)
    for model in ROLLUPS:
        model.objects.filter(day__gte=first, day__lte=last).delete()
    rows = grid_days_write(first, last) + _write_totals(first, last)
    return rows + _insert(department_days(first, last)) + _insert(worker_days(first, last))


def _write_keys(day: date, keys: Collection[Key]) -> int:
    """Replace the GridDay rows of ``keys`` on ``day``, and the totals of their grids."""
    GridDay.objects.filter(keys_q(keys), day=day).delete()
    rows = grid_days_write(day, day, keys)
    return rows + _write_totals(day, day, {grid_id for grid_id, _category, _source in keys})


def _write_departments(first: date, last: date, departments: Collection[int]) -> int:
    DepartmentDay.objects.filter(
        day__gte=first, day__lte=last, department_id__in=departments
    ).delete()
    return _insert(department_days(first, last, departments))


def _write_workers(first: date, last: date, workers: Collection[int]) -> int:
    WorkerDay.objects.filter(day__gte=first, day__lte=last, worker_id__in=workers).delete()
    return _insert(worker_days(first, last, workers))


def _same_runs(rows: dict[date, set[int]]) -> list[tuple[date, date, set[int]]]:
    """Consecutive days with the same departments or workers as one run: an assignment
    made for the past touches every day since, for the same few workers."""
    runs: list[tuple[date, date, set[int]]] = []
    for day in sorted(rows):
        if runs and runs[-1][2] == rows[day] and day - runs[-1][1] == timedelta(days=1):
            runs[-1] = (runs[-1][0], day, rows[day])
        else:
            runs.append((day, day, rows[day]))
    return runs


@transaction.atomic
def rollups_refresh(*, now: datetime | None = None) -> RollupResult:
    """Bring the rollups up to date with everything written since the last run, rewriting
    only the rows it may have changed. Safe to run twice or at once: runs take turns on
    the cursor row, and a second run finds little new and rewrites the same rows."""
    now = now or timezone.now()
    cursor = _locked_cursor()
    _planned_for_rollups()
    top = TicketEvent.objects.aggregate(top=Max("pk"))["top"] or 0
    new = Q(pk__gt=cursor.last_event_id)
    if cursor.last_run_at is not None:
        new |= Q(at__gte=cursor.last_run_at - SAFETY_WINDOW)
    fresh = TicketEvent.objects.filter(new)
    result = RollupResult(events=fresh.count())
    changes = changes_since(cursor, fresh=fresh, today=timezone.localdate(now))
    for day in sorted(changes.days):  # one day at a time: a first run writes them all
        result.rows += _write(day, day)
    # Keys (and their grid totals) before the workers, whose grid figures read the totals.
    for day, keys in sorted(changes.keys.items()):
        result.rows += _write_keys(day, keys)
    for first, last, departments in _same_runs(changes.departments):
        result.rows += _write_departments(first, last, departments)
    for first, last, workers in _same_runs(changes.workers):
        result.rows += _write_workers(first, last, workers)
    result.days = changes.touched
    cursor.last_event_id = max(cursor.last_event_id, top)
    cursor.last_run_at = now
    cursor.save(update_fields=["last_event_id", "last_run_at"])
    return result


def rollups_rebuild(
    *, since: date, until: date | None = None, progress: Progress | None = None
) -> RollupResult:
    """Rewrite the rollups of local days ``since``…``until`` (today by default) from
    scratch, one day per transaction so that a long rebuild holds no lock for long and
    shows progress: ``progress(day, done, total)`` is called after each day.

    It leaves the refresh's cursor where it is: the events the refresh has not read may
    still change rows outside this range.
    """
    until = until or timezone.localdate()
    if until < since:
        raise ValidationError({"until": _("The last day cannot come before the first.")})
    days = span(since, until)
    result = RollupResult(days=days)
    for done, day in enumerate(days, 1):
        with transaction.atomic():
            _locked_cursor()
            _planned_for_rollups()
            result.rows += _write(day, day)
        if progress is not None:
            progress(day, done, len(days))
    return result


def rollups_rebuild_recent(*, progress: Progress | None = None) -> RollupResult:
    """The nightly rebuild: the last ``REBUILD_DAYS`` local days, today included."""
    today = timezone.localdate()
    return rollups_rebuild(
        since=today - timedelta(days=REBUILD_DAYS - 1), until=today, progress=progress
    )
