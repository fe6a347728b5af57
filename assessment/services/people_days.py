"""The department and worker rollups (``DepartmentDay``, ``WorkerDay``) of a range of local
days, read off the facts (``EventFact``), linked tasks, the grid totals, grid assignments
and the patrol coverage days of the personnel app.

Department figures, on the local day of the event, for the lead department in force (the
ticket's latest dispatch up to the event; a dispatch to the grid has none): dispatched,
returned, reworks (rework and reopen), handled (submitted) and ``handled_on_time`` (the
rule of ``assessment.services.events``), closed, extensions approved; the handling time
from the start of the handle stage to the submission (sum and count); cooperating tasks
received (created), done and returned.

Worker figures, for the user who acted: reports made from patrol or self-handled, and the
valid ones among them (filed, or self-handled and closed, and never voided, rejected or
merged); verifications and checks (close or rework on site), each with those on time. For
the grids the user was the primary worker of that day (a handover day counts for the new
primary): cases filed, public reports filed, ratings, read off those grids' ``GridDayTotal``
rows (ratings are whole stars, so their sums add up the same). From patrols: time patrolled and
grids patrolled (``personnel.PatrolDay``), grids assigned (primary or backup) and how
many of those were patrolled.

A department's or a worker's row depends on nobody else's figures, so the rows of a few
can be rewritten without the rest of the day (``departments``, ``workers``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum

from assessment.models import DepartmentDay, EventFact, GridDayTotal, WorkerDay
from assessment.models.facts import OWN_WORK
from assessment.services.events import (
    CHECKS,
    FIELD_SOURCES,
    REWORKS,
    day_bounds,
    local_day,
    per_day,
)
from incidents.choices import Action, TaskRole
from incidents.models import LinkageTask
from personnel.choices import AssignmentKind
from personnel.models import GridAssignment, PatrolDay

A = Action
# The rows of a few departments or workers on each day (by id), or every row (None).
Within = Mapping[date, Collection[int]] | None
# A worker's figure of their own grids: the grid total it adds up.
GRID_FIGURES = {
    "grid_filed": "filed",
    "grid_public_filed": "public_filed",
    "grid_rated": "rated",
    "grid_rating_sum": "rating_sum",
    "grid_unsatisfied": "unsatisfied",
}


def _everyone(workers: Mapping[date, Collection[int]]) -> set[int]:
    return set().union(*workers.values())


def _picked(workers: Within, day: date, worker_id: int) -> bool:
    return workers is None or worker_id in workers.get(day, ())


def _n(condition: Q) -> Count:
    return Count("pk", filter=condition)


def _plain(value: Any) -> int:
    if isinstance(value, timedelta):
        return int(value.total_seconds())
    return round(value or 0)


def _collect(rows: dict, key_names: tuple[str, str], found: QuerySet) -> None:
    for values in found:
        key = (values[key_names[0]], values[key_names[1]])
        row = rows[key]
        for name, value in values.items():
            if name not in key_names:
                row[name] = row.get(name, 0) + _plain(value)


def _tasks_of(day: date, departments: Collection[int]) -> Q:
    start, end = day_bounds(day, day)
    return Q(created_at__gte=start, created_at__lt=end, department_id__in=departments)


def department_days(first: date, last: date, departments: Within = None) -> list[DepartmentDay]:
    """The DepartmentDay rows of local days ``first``…``last`` (of those ``departments``
    of each day only, when given)."""
    facts = EventFact.objects.filter(department__isnull=False)
    tasks = LinkageTask.objects.filter(role=TaskRole.COOPERATING)
    if departments is None:
        start, end = day_bounds(first, last)
        facts = facts.filter(day__gte=first, day__lte=last)
        tasks = tasks.filter(created_at__gte=start, created_at__lt=end)
    else:  # each day's condition alone bounds its rows (see grid_days_write_keys)
        facts = facts.filter(
            per_day(departments, lambda day, ids: Q(day=day, department_id__in=ids))
        )
        tasks = tasks.filter(per_day(departments, _tasks_of))
    rows: dict[tuple, dict[str, int]] = defaultdict(dict)
    _collect(
        rows,
        ("day", "department_id"),
        facts.values("day", "department_id")
        .annotate(
            dispatched=_n(Q(action=A.DISPATCH)),
            returned=_n(Q(action=A.RETURN)),
            reworks=_n(Q(action__in=REWORKS)),
            handled=_n(Q(action=A.SUBMIT)),
            handled_on_time=_n(Q(action=A.SUBMIT, late=False)),
            closed=_n(Q(action=A.CLOSE)),
            extensions=_n(Q(action=A.APPROVE_EXTENSION)),
            tasks_done=_n(Q(action=A.TASK_DONE)),
            tasks_returned=_n(Q(action=A.TASK_RETURN)),
            handling_seconds=Sum("handling", filter=Q(action=A.SUBMIT)),
            handling_count=_n(Q(action=A.SUBMIT, handling__isnull=False)),
        )
        .order_by(),
    )
    _collect(
        rows,
        ("day", "department_id"),
        tasks.values("department_id", day=local_day("created_at"))
        .annotate(tasks_assigned=Count("pk"))
        .order_by(),
    )
    return [
        DepartmentDay(day=day, department_id=department_id, **figures)
        for (day, department_id), figures in rows.items()
        if any(figures.values())
    ]


def _on(day_ref: str) -> Q:
    """Assignments in force on the outer row's day (``until`` is the last day served)."""
    return Q(since__lte=OuterRef(day_ref)) & (
        Q(until__isnull=True) | Q(until__gte=OuterRef(day_ref))
    )


class Primaries:
    """The primary worker (user id) of grids on given days, from their primary assignments
    read once: the latest begun that covers the day, so that a handover day counts for the
    new primary. Assignments are few per grid: looked up in Python rather than once per
    event in SQL."""

    def __init__(self, grids: Collection[int] | None = None) -> None:
        assignments = GridAssignment.objects.filter(kind=AssignmentKind.PRIMARY)
        if grids is not None:
            assignments = assignments.filter(grid_id__in=grids)
        self.of_grid: dict[int, list[tuple]] = defaultdict(list)
        for grid_id, *held in assignments.order_by("-since", "-pk").values_list(
            "grid_id", "since", "until", "worker__user_id"
        ):
            self.of_grid[grid_id].append(held)

    def on(self, grid_id: int, day: date) -> int | None:
        for first, last, user_id in self.of_grid.get(grid_id, ()):
            if first <= day and (last is None or last >= day):
                return user_id
        return None


def _own_work(first: date, last: date, workers: Within) -> QuerySet:
    facts = EventFact.objects.filter(actor__isnull=False, action__in=OWN_WORK)
    if workers is None:
        facts = facts.filter(day__gte=first, day__lte=last)
    else:  # each day's condition alone bounds its rows (see grid_days_write_keys)
        facts = facts.filter(per_day(workers, lambda day, ids: Q(day=day, actor_id__in=ids)))
    made = Q(action=A.REPORT, source__in=FIELD_SOURCES)
    return (
        facts.values("day", worker_id=F("actor_id"))
        .annotate(
            reports=_n(made),
            valid_reports=_n(made & Q(valid=True)),
            verifications=_n(Q(action=A.VERIFY)),
            verifications_on_time=_n(Q(action=A.VERIFY, late=False)),
            checks=_n(Q(action__in=CHECKS)),
            checks_on_time=_n(Q(action__in=CHECKS, late=False)),
        )
        .order_by()
    )


def _own_grids(first: date, last: date, workers: Within) -> list[dict[str, Any]]:
    """The filings and ratings of each grid's day (its ``GridDayTotal``, written before the
    worker rows), given to the grid's primary worker of that day."""
    totals = GridDayTotal.objects.filter(day__gte=first, day__lte=last)
    grids = None
    if workers is not None:
        # Only the grids these workers were ever the primary of can be theirs.
        grids = set(
            GridAssignment.objects.filter(
                worker__user_id__in=_everyone(workers), kind=AssignmentKind.PRIMARY
            ).values_list("grid_id", flat=True)
        )
        totals = totals.filter(grid_id__in=grids, day__in=list(workers))
    primaries = Primaries(grids)
    by_worker: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for day, grid_id, *figures in totals.values_list("day", "grid_id", *GRID_FIGURES.values()):
        worker_id = primaries.on(grid_id, day)
        if worker_id is None or not _picked(workers, day, worker_id):
            continue
        row = by_worker[(day, worker_id)]
        for name, value in zip(GRID_FIGURES, figures, strict=True):
            row[name] += value
    return [
        {"day": day, "worker_id": worker_id, **row} for (day, worker_id), row in by_worker.items()
    ]


def _patrols(first: date, last: date, workers: Within) -> QuerySet:
    assigned = GridAssignment.objects.filter(
        _on("day"), worker__user_id=OuterRef("worker_id"), grid_id=OuterRef("grid_id")
    )
    if workers is None:
        patrols = PatrolDay.objects.filter(day__gte=first, day__lte=last)
    else:
        patrols = PatrolDay.objects.filter(
            per_day(workers, lambda day, ids: Q(day=day, worker_id__in=ids))
        )
    return (
        patrols.annotate(assigned=Exists(assigned))
        .values("day", "worker_id")
        .annotate(
            patrol_seconds=Sum(F("minutes") * 60),
            patrolled_grids=Count("pk"),
            covered_grids=_n(Q(assigned=True)),
        )
        .order_by()
    )


def _assigned(first: date, last: date, workers: Within) -> list[dict[str, Any]]:
    """Grids assigned to each worker on each day (distinct grids: a handover to oneself
    on the same day counts once). Assignments are few per worker: expanded in Python."""
    grids: dict[tuple, set[int]] = defaultdict(set)
    assignments = GridAssignment.objects.filter(
        Q(until__isnull=True) | Q(until__gte=first), since__lte=last
    )
    if workers is not None:
        assignments = assignments.filter(worker__user_id__in=_everyone(workers))
    for user_id, grid_id, since_day, until_day in assignments.values_list(
        "worker__user_id", "grid_id", "since", "until"
    ):
        day = max(since_day, first)
        end = min(until_day or last, last)
        while day <= end:
            if _picked(workers, day, user_id):
                grids[(day, user_id)].add(grid_id)
            day += timedelta(days=1)
    return [
        {"day": day, "worker_id": user_id, "assigned_grids": len(ids)}
        for (day, user_id), ids in grids.items()
    ]


def worker_days(first: date, last: date, workers: Within = None) -> list[WorkerDay]:
    """The WorkerDay rows of local days ``first``…``last`` (of those ``workers`` of each
    day only, by user id, when given)."""
    rows: dict[tuple, dict[str, int]] = defaultdict(dict)
    for found in (
        _own_work(first, last, workers),
        _own_grids(first, last, workers),
        _patrols(first, last, workers),
        _assigned(first, last, workers),
    ):
        _collect(rows, ("day", "worker_id"), found)
    return [
        WorkerDay(day=day, worker_id=worker_id, **figures)
        for (day, worker_id), figures in rows.items()
        if any(figures.values())
    ]
