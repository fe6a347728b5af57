"""What the incremental refresh must rewrite, found while it brings the facts
(``EventFact``) up to date: the rollup rows that may differ from what a rebuild would write
now, given what was written since the refresh last ran.

Why a refresh equals a rebuild
------------------------------
Every rollup row is a grouped read of facts, red alerts, patrol days and grid assignments:
a ``GridDay`` (day, grid, category, source) of the facts and red alerts of that day under
that key, a ``GridDayTotal`` of its grid's GridDay rows, a ``DepartmentDay`` of the facts
of its day and department (and the tasks created that day), a ``WorkerDay`` of the facts
of the steps the worker took that day, of the totals of the grids they were the primary
worker of, of their patrol days and of the grid assignments. A fact depends on its event
and the history before it, which never change, and on three things that do: the ticket's
key and scope, and whether a report was valid. So after a run, what may differ from a
rebuild is what these reach, and the refresh rewrites exactly that:

* the events it has not read yet (id above the cursor, or time within ``SAFETY_WINDOW``
  of the last run, to catch a transaction that committed late with a lower id): their
  facts are written again, and the key, department and worker rows those facts counted in
  before and count in now are rewritten; and, read the same way by their time, the red
  alerts (their key) and the cooperating tasks (their department) written since;
* an ``edit`` can move a ticket to another grid or category: its facts whose key is no
  longer the ticket's take the ticket's again, and both keys are rewritten on their days;
* a filing, closure, void or rejection decides whether a report was valid: the report's
  fact is worked out again and the reporter's row of its day rewritten;
* patrol days recomputed, and grid assignments made or ended: those days of the worker,
  and of the grid's primary workers, to today;
* for every key rewritten, its grid's primary workers of the day (their grid figures).

A local day after the last run's is new: it is written whole (its assigned workers have a
row though nothing happened). The first run writes every day. What the refresh cannot
see (a patrol day deleted, data changed behind the services' back) the nightly rebuild of
the last 35 days repairs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Min, Q, QuerySet
from django.utils import timezone

from assessment.models import RollupCursor
from assessment.models.facts import OWN_WORK
from assessment.services.events import ENDS_UNFILED, local_day
from assessment.services.facts import facts_follow, facts_replace, facts_revalidate
from assessment.services.grid_days import Key
from incidents.choices import Action, SlaColour, TaskRole
from incidents.models import LinkageTask, StageAlert, TicketEvent
from personnel.choices import AssignmentKind
from personnel.models import GridAssignment, PatrolDay

# How far back of the last run an event's time must reach for it to be read again: longer
# than any transaction that writes ticket events.
SAFETY_WINDOW = timedelta(minutes=10)
# A day with more changed keys than this is rewritten whole: one range read then costs
# less than an IN list of thousands of keys (and SQLite caps a query's parameters).
KEYS_PER_DAY = 2000
KEY_NAMES = ("grid_id", "category_id", "source")


@dataclass
class Changes:
    """What a refresh rewrites: whole local days (facts and every rollup); on other days,
    GridDay keys, departments' and workers' rows (by department and user id)."""

    days: set[date] = field(default_factory=set)
    keys: defaultdict[date, set[Key]] = field(default_factory=lambda: defaultdict(set))
    departments: defaultdict[date, set[int]] = field(default_factory=lambda: defaultdict(set))
    workers: defaultdict[date, set[int]] = field(default_factory=lambda: defaultdict(set))

    def trace(self, facts: Iterable[tuple]) -> None:
        """The rows that facts (as ``facts.TRACE`` lists them) count in."""
        for day, grid_id, category_id, source, department_id, actor_id, action in facts:
            self.keys[day].add((grid_id, category_id, source))
            if department_id is not None:
                self.departments[day].add(department_id)
            if actor_id is not None and action in OWN_WORK:
                self.workers[day].add(actor_id)

    def settle(self, primaries_of: dict[int, set[int]]) -> None:
        """The workers whose grid figures the rewritten keys change; then days with too
        many keys become whole, and a whole day needs nothing more."""
        for day, keys in self.keys.items():
            for grid_id, _category, _source in keys:
                self.workers[day] |= primaries_of.get(grid_id, set())
        self.days |= {day for day, keys in self.keys.items() if len(keys) > KEYS_PER_DAY}
        for day in self.days:
            for found in (self.keys, self.departments, self.workers):
                found.pop(day, None)

    @property
    def touched(self) -> list[date]:
        """Every day some of whose rows are rewritten."""
        return sorted(self.days | set(self.keys) | set(self.departments) | set(self.workers))


def span(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def _primaries_of_grids() -> dict[int, set[int]]:
    """Every worker (user id) ever the primary of each grid: those whose grid figures a
    change in the grid's totals can touch (the table is small: a few rows per grid)."""
    found: dict[int, set[int]] = defaultdict(set)
    primaries = GridAssignment.objects.filter(kind=AssignmentKind.PRIMARY)
    for grid_id, user_id in primaries.values_list("grid_id", "worker__user_id"):
        found[grid_id].add(user_id)
    return found


def _first_day(today: date) -> date:
    """The earliest day any rollup has an input for (today when there is none)."""
    first_event = TicketEvent.objects.aggregate(first=Min("at"))["first"]
    found = [
        timezone.localdate(first_event) if first_event else None,
        PatrolDay.objects.aggregate(first=Min("day"))["first"],
        GridAssignment.objects.aggregate(first=Min("since"))["first"],
    ]
    return min([today, *(day for day in found if day is not None)])


def _alerts_and_tasks(changes: Changes, after) -> None:
    """Red alerts (stages overdue, by key) and cooperating tasks (by department) written
    since ``after``: a case at the top of the ladder turns red with no counted step, a
    dispatch counts for its lead but gives its cooperating departments a task."""
    alerts = StageAlert.objects.filter(colour=SlaColour.RED, at__gte=after)
    for day, *key in (
        alerts.values_list(local_day("at"), *(f"ticket__{name}" for name in KEY_NAMES))
        .distinct()
        .order_by()
    ):
        changes.keys[day].add(tuple(key))
    tasks = LinkageTask.objects.filter(role=TaskRole.COOPERATING, created_at__gte=after)
    for day, department_id in (
        tasks.values_list(local_day("created_at"), "department_id").distinct().order_by()
    ):
        changes.departments[day].add(department_id)


def _people(changes: Changes, after, today: date, primaries_of: dict[int, set[int]]) -> None:
    """Patrol days recomputed; grid assignments made or ended (from the day they change
    to today, for the assigned worker and every primary of the grid)."""
    patrols = PatrolDay.objects.filter(updated_at__gte=after)
    for day, worker_id in patrols.values_list("day", "worker_id").distinct().order_by():
        changes.workers[day].add(worker_id)
    fields = ("grid_id", "worker__user_id")
    made = GridAssignment.objects.filter(created_at__gte=after).values_list(*fields, "since")
    ended = GridAssignment.objects.filter(
        role_assignment__ended_at__gte=after, until__isnull=False
    ).values_list(*fields, "until")
    for grid_id, user_id, first in (*made, *ended):
        workers = {user_id, *primaries_of.get(grid_id, ())}
        for day in span(min(first, today), today):
            changes.workers[day] |= workers


def changes_since(cursor: RollupCursor, *, fresh: QuerySet, today: date) -> Changes:
    """Bring the facts up to date with what was written since the last run recorded by
    ``cursor`` (``fresh``: the events not read yet) and say which rollup rows to rewrite
    (see the module docstring). Whole days are left to the caller, facts included."""
    changes = Changes()
    if cursor.last_run_at is None:
        changes.days = set(span(_first_day(today), today))
        return changes
    after = cursor.last_run_at - SAFETY_WINDOW
    changes.days |= set(span(timezone.localdate(cursor.last_run_at) + timedelta(days=1), today))
    changes.trace(facts_replace(fresh))
    # Ticket ids in hand: a few hundred, each found by the facts' ticket index.
    tickets = fresh.order_by().values_list("ticket_id", flat=True).distinct()
    for day, *key in facts_follow(list(tickets.filter(action=Action.EDIT))):
        changes.keys[day].add(tuple(key))
    decided = tickets.filter(
        Q(action__in=[Action.FILE, Action.CLOSE]) | Q(to_status__in=ENDS_UNFILED)
    )
    for day, actor_id in facts_revalidate(list(decided)):
        changes.workers[day].add(actor_id)
    _alerts_and_tasks(changes, after)
    primaries_of = _primaries_of_grids()
    _people(changes, after, today, primaries_of)
    changes.settle(primaries_of)
    return changes
