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
rewrites the same rows. Rollup rows are deleted and inserted, never updated in place (a
row just inserted may get its stages overdue added): a rewritten row gets a new id, which
the forecast's cache key relies on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.models import DepartmentDay, GridDay, GridDayTotal, RollupCursor, WorkerDay
from assessment.services.changes import SAFETY_WINDOW, Changes, changes_since, span
from assessment.services.events import per_day
from assessment.services.facts import facts_write
from assessment.services.grid_days import (
    grid_day_totals_write,
    grid_days_write,
    grid_days_write_keys,
    on_keys,
)
from assessment.services.people_days import department_days, worker_days
from incidents.models import TicketEvent

# The nightly rebuild's reach, today included.
REBUILD_DAYS = 35
BATCH = 2000
ROLLUPS = (GridDay, GridDayTotal, DepartmentDay, WorkerDay)

Progress = Callable[[date, int, int], None]


@dataclass
class RollupResult:
    """What a run wrote: the local days some rows of which it rewrote and the rollup rows
    written; ``events``, for a refresh, is how many events it read as new."""

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


def _write_totals(picked: Q) -> int:
    """Sum the GridDayTotal rows of the grids and days ``picked`` again from their GridDay
    rows."""
    GridDayTotal.objects.filter(picked).delete()
    return grid_day_totals_write(GridDay.objects.filter(picked))


def _write(first: date, last: date) -> int:
    """Replace the facts and every rollup row of local days ``first``…``last`` (the caller
    holds the cursor). The grid totals come before the worker rows, which read them."""
    facts_write(first, last)
    for model in ROLLUPS:
        model.objects.filter(day__gte=first, day__lte=last).delete()
    rows = grid_days_write(first, last) + _write_totals(Q(day__gte=first, day__lte=last))
    return rows + _insert(department_days(first, last)) + _insert(worker_days(first, last))


def _write_some(changes: Changes) -> int:
    """Replace the rows ``changes`` names on days not written whole, each table in one go
    for all days: keys and their grid totals first, then departments, then workers (whose
    grid figures read the totals)."""
    rows = 0
    if changes.keys:
        GridDay.objects.filter(on_keys(changes.keys)).delete()
        grids = {day: {key[0] for key in keys} for day, keys in changes.keys.items()}
        rows += grid_days_write_keys(changes.keys)
        rows += _write_totals(per_day(grids, lambda day, ids: Q(day=day, grid_id__in=ids)))
    if changes.departments:
        first, last = min(changes.departments), max(changes.departments)
        DepartmentDay.objects.filter(
            per_day(changes.departments, lambda day, ids: Q(day=day, department_id__in=ids))
        ).delete()
        rows += _insert(department_days(first, last, changes.departments))
    if changes.workers:
        first, last = min(changes.workers), max(changes.workers)
        WorkerDay.objects.filter(
            per_day(changes.workers, lambda day, ids: Q(day=day, worker_id__in=ids))
        ).delete()
        rows += _insert(worker_days(first, last, changes.workers))
    return rows


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
    result.rows += _write_some(changes)
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
