"""Keeping the rollups current: an incremental refresh every few minutes and a rebuild of
recent days every night. Both write whole local days (delete the day's rows, insert them
again from ``grid_days``, ``department_days`` and ``worker_days``), so a day's rows are
always a function of the data as it stood when the day was last written.

Why an incremental run equals a rebuild
---------------------------------------
A day's rows depend on: the events of that day (and the ticket's current grid, category
and source); for a report, whether the ticket was later filed, closed, voided or rejected;
the red alerts of that day (written with an escalation or supervision event at the same
instant); patrol days; grid assignments in force that day. The refresh marks a day dirty
whenever one of these may have changed since its last run:

* the local day of every event it has not read yet (id above the cursor, or time within
  ``SAFETY_WINDOW`` of the last run, to catch a transaction that committed late with a
  lower id);
* every day of the history of a ticket with a new ``edit`` (an edit can move its grid or
  category, and its whole history with it);
* the report day of a ticket with a new filing, closure, void or rejection (validity);
* the day of every patrol day row updated, and from the start or end of every grid
  assignment made or ended since the last run up to today;
* every day from the last run's day to today (an assigned worker's day exists even when
  nothing happened in it).

Then it rewrites exactly those days. Every other day's inputs are unchanged, so its rows
are what a rebuild would write. What the refresh cannot see: a patrol day row deleted, or
data changed behind the services' back; the nightly rebuild of the last 35 days repairs
those.

Every write locks the one ``RollupCursor`` row first, so concurrent runs (two refreshes,
or a refresh and a rebuild) take turns: nothing is counted twice, and running a job again
rewrites the same rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.models import DepartmentDay, GridDay, RollupCursor, WorkerDay
from assessment.services.events import ENDS_UNFILED, local_day
from assessment.services.grid_days import grid_days
from assessment.services.people_days import department_days, worker_days
from incidents.choices import Action, SlaColour
from incidents.models import StageAlert, TicketEvent
from personnel.models import GridAssignment, PatrolDay

# How far back of the last run an event's time must reach for it to be read again: longer
# than any transaction that writes ticket events.
SAFETY_WINDOW = timedelta(minutes=10)
# The nightly rebuild's reach, today included.
REBUILD_DAYS = 35
BATCH = 2000
ROLLUPS = (GridDay, DepartmentDay, WorkerDay)

Progress = Callable[[date, int, int], None]


@dataclass
class RollupResult:
    """What a run wrote: the local days rewritten and the rows inserted; ``events``, for a
    refresh, is how many events it read as new."""

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


def _without_jit() -> None:
    """PostgreSQL's JIT compiler costs more than it saves on the rollup's grouped queries:
    their correlated subqueries push the planner's estimate far over the JIT thresholds,
    and compiling took 2.7 s of a 4.8 s day at 100,000 tickets (0.17 s without). Off for
    the rest of the caller's transaction only."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


def _write(first: date, last: date) -> int:
    """Replace the rows of local days ``first``…``last`` (the caller holds the cursor)."""
    _without_jit()
    for model in ROLLUPS:
        model.objects.filter(day__gte=first, day__lte=last).delete()
    rows = 0
    for build in (grid_days, department_days, worker_days):
        built = build(first, last)
        if built:
            type(built[0]).objects.bulk_create(built, batch_size=BATCH)
        rows += len(built)
    return rows


def _span(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def _runs(days: Iterable[date]) -> list[tuple[date, date]]:
    """Sorted days as runs of consecutive days: each run is one range query."""
    runs: list[list[date]] = []
    for day in sorted(days):
        if runs and day - runs[-1][1] == timedelta(days=1):
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return [(first, last) for first, last in runs]


def _days_of(queryset: QuerySet, field: str = "at") -> set[date]:
    return set(
        queryset.annotate(local=local_day(field))
        .order_by()
        .values_list("local", flat=True)
        .distinct()
    )


def _assignment_changes(after: datetime | None) -> list[date]:
    """The earliest days that grid assignments made or ended since ``after`` changed (all
    assignments when there was no run before)."""
    assignments = GridAssignment.objects.all()
    if after is None:
        found = [assignments.aggregate(first=Min("since"))["first"]]
    else:
        found = [
            assignments.filter(created_at__gte=after).aggregate(first=Min("since"))["first"],
            assignments.filter(role_assignment__ended_at__gte=after, until__isnull=False).aggregate(
                first=Min("until")
            )["first"],
        ]
    return [day for day in found if day is not None]


def _dirty_days(cursor: RollupCursor, *, fresh: QuerySet, today: date) -> set[date]:
    """The days whose rows may differ from a rebuild's (see the module docstring)."""
    after = cursor.last_run_at - SAFETY_WINDOW if cursor.last_run_at else None
    days = _days_of(fresh)
    edited = fresh.filter(action=Action.EDIT).values("ticket_id")
    days |= _days_of(TicketEvent.objects.filter(ticket_id__in=edited))
    days |= _days_of(StageAlert.objects.filter(ticket_id__in=edited, colour=SlaColour.RED))
    decided = fresh.filter(
        Q(action__in=[Action.FILE, Action.CLOSE]) | Q(to_status__in=ENDS_UNFILED)
    ).values("ticket_id")
    days |= _days_of(TicketEvent.objects.filter(ticket_id__in=decided, action=Action.REPORT))
    patrols = (
        PatrolDay.objects.all()
        if after is None
        else PatrolDay.objects.filter(updated_at__gte=after)
    )
    days |= set(patrols.order_by().values_list("day", flat=True).distinct())
    starts = _assignment_changes(after)
    last_day = timezone.localdate(cursor.last_run_at) if cursor.last_run_at else today
    first = min([last_day, *starts])
    days |= set(_span(min(first, today), today))
    return days


@transaction.atomic
def rollups_refresh(*, now: datetime | None = None) -> RollupResult:
    """Bring the rollups up to date with everything written since the last run, rewriting
    only the days it may have changed. Safe to run twice or at once: runs take turns on the
    cursor row, and a second run finds little new and rewrites the same rows."""
    now = now or timezone.now()
    cursor = _locked_cursor()
    top = TicketEvent.objects.aggregate(top=Max("pk"))["top"] or 0
    new = Q(pk__gt=cursor.last_event_id)
    if cursor.last_run_at is not None:
        new |= Q(at__gte=cursor.last_run_at - SAFETY_WINDOW)
    fresh = TicketEvent.objects.filter(new)
    result = RollupResult(events=fresh.count())
    days = _dirty_days(cursor, fresh=fresh, today=timezone.localdate(now))
    for first, last in _runs(days):
        result.rows += _write(first, last)
    result.days = sorted(days)
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
    still dirty days outside this range.
    """
    until = until or timezone.localdate()
    if until < since:
        raise ValidationError({"until": _("The last day cannot come before the first.")})
    days = _span(since, until)
    result = RollupResult(days=days)
    for done, day in enumerate(days, 1):
        with transaction.atomic():
            _locked_cursor()
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
