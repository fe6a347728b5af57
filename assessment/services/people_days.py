"""The department and worker rollups (``DepartmentDay``, ``WorkerDay``) of a range of local
days, computed set-wise from the ticket history, linked tasks, grid assignments and the
patrol coverage days of the personnel app.

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
primary): cases filed, public reports filed, ratings. From patrols: time patrolled and
grids patrolled (``personnel.PatrolDay``), grids assigned (primary or backup) and how
many of those were patrolled.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.db.models import (
    Case,
    Count,
    DurationField,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)

from assessment.models import DepartmentDay, WorkerDay
from assessment.services.events import (
    CHECKS,
    REWORKS,
    UNSATISFIED_AT_MOST,
    day_bounds,
    json_int,
    lead_in_force,
    local_day,
    rating,
    since,
    timed_events,
    valid_report,
)
from incidents.choices import PUBLIC_SOURCES, Action, Source, TaskRole
from incidents.models import LinkageTask, TicketEvent
from personnel.choices import AssignmentKind
from personnel.models import GridAssignment, PatrolDay

A = Action
TASK_ACTIONS = (A.TASK_DONE, A.TASK_RETURN)
LEAD_ACTIONS = (
    A.DISPATCH,
    A.RETURN,
    *REWORKS,
    A.SUBMIT,
    A.CLOSE,
    A.APPROVE_EXTENSION,
)
FIELD_SOURCES = (Source.PATROL, Source.SELF_HANDLED)


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


def department_days(first: date, last: date) -> list[DepartmentDay]:
    """The DepartmentDay rows of local days ``first``…``last``."""
    events = (
        timed_events(first, last)
        .filter(action__in=(*LEAD_ACTIONS, *TASK_ACTIONS))
        .annotate(
            department=Case(
                When(action__in=TASK_ACTIONS, then=json_int("department")),
                default=lead_in_force(),
                output_field=IntegerField(),
            ),
            handling=Case(
                When(action=A.SUBMIT, then=since(F("stage_start"))),
                output_field=DurationField(),
            ),
        )
        .filter(department__isnull=False)
    )
    rows: dict[tuple, dict[str, int]] = defaultdict(dict)
    _collect(
        rows,
        ("day", "department_id"),
        events.values("day", department_id=F("department"))
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
    start, end = day_bounds(first, last)
    _collect(
        rows,
        ("day", "department_id"),
        LinkageTask.objects.filter(
            role=TaskRole.COOPERATING, created_at__gte=start, created_at__lt=end
        )
        .values("department_id", day=local_day("created_at"))
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


def _primary_of_grid() -> Subquery:
    """The primary worker (user id) of the event's ticket's grid on the event's day."""
    return Subquery(
        GridAssignment.objects.filter(
            _on("day"), grid_id=OuterRef("ticket__grid_id"), kind=AssignmentKind.PRIMARY
        )
        .order_by("-since", "-pk")
        .values("worker__user_id")[:1],
        output_field=IntegerField(),
    )


def _own_work(first: date, last: date) -> QuerySet:
    events = timed_events(first, last).filter(
        actor__isnull=False, action__in=(A.REPORT, A.VERIFY, *CHECKS)
    )
    made = Q(action=A.REPORT, ticket__source__in=FIELD_SOURCES)
    return (
        events.values("day", worker_id=F("actor_id"))
        .annotate(
            reports=_n(made),
            valid_reports=_n(made & valid_report()),
            verifications=_n(Q(action=A.VERIFY)),
            verifications_on_time=_n(Q(action=A.VERIFY, late=False)),
            checks=_n(Q(action__in=CHECKS)),
            checks_on_time=_n(Q(action__in=CHECKS, late=False)),
        )
        .order_by()
    )


def _own_grids(first: date, last: date) -> QuerySet:
    start, end = day_bounds(first, last)
    events = (
        TicketEvent.objects.filter(at__gte=start, at__lt=end, action__in=(A.FILE, A.RATE))
        .annotate(day=local_day("at"))
        .annotate(
            primary=_primary_of_grid(),
            stars=Case(When(action=A.RATE, then=rating()), output_field=FloatField()),
        )
        .filter(primary__isnull=False)
    )
    return (
        events.values("day", worker_id=F("primary"))
        .annotate(
            grid_filed=_n(Q(action=A.FILE)),
            grid_public_filed=_n(Q(action=A.FILE, ticket__source__in=PUBLIC_SOURCES)),
            grid_rated=_n(Q(action=A.RATE, stars__isnull=False)),
            grid_rating_sum=Sum("stars", filter=Q(action=A.RATE)),
            grid_unsatisfied=_n(Q(action=A.RATE, stars__lte=UNSATISFIED_AT_MOST)),
        )
        .order_by()
    )


def _patrols(first: date, last: date) -> QuerySet:
    assigned = GridAssignment.objects.filter(
        _on("day"), worker__user_id=OuterRef("worker_id"), grid_id=OuterRef("grid_id")
    )
    return (
        PatrolDay.objects.filter(day__gte=first, day__lte=last)
        .annotate(assigned=Exists(assigned))
        .values("day", "worker_id")
        .annotate(
            patrol_seconds=Sum(F("minutes") * 60),
            patrolled_grids=Count("pk"),
            covered_grids=_n(Q(assigned=True)),
        )
        .order_by()
    )


def _assigned(first: date, last: date) -> list[dict[str, Any]]:
    """Grids assigned to each worker on each day (distinct grids: a handover to oneself
    on the same day counts once). Assignments are few per worker: expanded in Python."""
    grids: dict[tuple, set[int]] = defaultdict(set)
    for user_id, grid_id, since_day, until_day in GridAssignment.objects.filter(
        Q(until__isnull=True) | Q(until__gte=first), since__lte=last
    ).values_list("worker__user_id", "grid_id", "since", "until"):
        day = max(since_day, first)
        end = min(until_day or last, last)
        while day <= end:
            grids[(day, user_id)].add(grid_id)
            day += timedelta(days=1)
    return [
        {"day": day, "worker_id": user_id, "assigned_grids": len(ids)}
        for (day, user_id), ids in grids.items()
    ]


def worker_days(first: date, last: date) -> list[WorkerDay]:
    """The WorkerDay rows of local days ``first``…``last``."""
    rows: dict[tuple, dict[str, int]] = defaultdict(dict)
    for found in (
        _own_work(first, last),
        _own_grids(first, last),
        _patrols(first, last),
        _assigned(first, last),
    ):
        _collect(rows, ("day", "worker_id"), found)
    return [
        WorkerDay(day=day, worker_id=worker_id, **figures)
        for (day, worker_id), figures in rows.items()
        if any(figures.values())
    ]
