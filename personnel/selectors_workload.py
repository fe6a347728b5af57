"""Reads for the patrol API and the workload and track pages, always for a user and within
what the user may see (through the selectors of ``personnel.selectors``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import (
    Count,
    FloatField,
    IntegerField,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from grids.models import Grid
from grids.selectors import grid_list
from personnel.choices import AssignmentKind, AssignmentState, Role
from personnel.models import (
    GridAssignment,
    GridWorker,
    PatrolCheckIn,
    PatrolDay,
    PatrolPoint,
    PatrolSession,
    RoleAssignment,
    User,
)
from personnel.selectors import (
    STREET_SHAPE,
    grid_assignment_list,
    patrol_day_list,
    patrol_point_list,
    patrol_session_list,
    worker_list,
)
from personnel.services.patrols import Sample, local_day_bounds, walked

# How open tasks are counted, installed by the incidents app (which sits above this one):
# two callables returning subquery expressions, per worker (OuterRef "user_id") and per grid
# (OuterRef "pk"). Without them the counts are None: no case system, no tasks.
_open_task_counters: tuple[Callable[[], Any], Callable[[], Any]] | None = None


def install_open_task_counters(per_worker: Callable[[], Any], per_grid: Callable[[], Any]) -> None:
    """Called once by the incidents app with its open-task count expressions."""
    global _open_task_counters
    _open_task_counters = (per_worker, per_grid)


def _open_tasks(which: int) -> Any:
    if _open_task_counters is None:
        return Value(None, output_field=IntegerField())
    return _open_task_counters[which]()


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _count_per_session(model: type[Model], **filters) -> Coalesce:
    """A correlated COUNT of ``model`` rows of the outer session: one subquery in the list's
    single SELECT, however many sessions the page holds."""
    rows = (
        model.objects.filter(session=OuterRef("pk"), **filters)
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def patrol_session_counted_list(*, user) -> QuerySet[PatrolSession]:
    """Patrol sessions the user may see, with their point, check-in and flagged counts."""
    return patrol_session_list(user=user).annotate(
        point_count=_count_per_session(PatrolPoint),
        checkin_count=_count_per_session(PatrolCheckIn),
        flagged_count=_count_per_session(PatrolPoint, outside=True),
    )


def _oversees_workers(user) -> bool:
    """Whether the user holds any role besides grid worker: a grid worker sees only their
    own workload, whoever else shares their grid."""
    if user.is_superuser:
        return True
    return (
        RoleAssignment.objects.filter(user=user, state=AssignmentState.ACTIVE)
        .exclude(role=Role.GRID_WORKER)
        .exists()
    )


def _visible_workers(user) -> QuerySet[GridWorker]:
    if not _signed_in(user):
        return GridWorker.objects.none()
    if _oversees_workers(user):
        return worker_list(user=user)
    return (
        GridWorker.objects.select_related("user", "street").defer(*STREET_SHAPE).filter(user=user)
    )


def workload_list(*, user) -> QuerySet[GridWorker]:
    """One row per worker the user oversees (or the user alone, for a grid worker), with
    ``open_assignments`` (their open grid assignments, grids loaded),
    ``patrol_minutes_month``: the minutes patrolled inside grids since the first of the
    local month (the sum of their coverage rows, see ``PatrolDay``), and ``open_tasks``
    as the incidents app counts them."""
    first = timezone.localdate().replace(day=1)
    minutes = (
        PatrolDay.objects.filter(worker_id=OuterRef("user_id"), day__gte=first)
        .order_by()
        .values("worker_id")
        .annotate(total=Sum("minutes"))
        .values("total")
    )
    # "primary" sorts after "backup": descending puts the primary grid first.
    open_assignments = (
        grid_assignment_list(user=user).filter(until__isnull=True).order_by("-kind", "grid__code")
    )
    return (
        _visible_workers(user)
        .annotate(
            patrol_minutes_month=Coalesce(
                Subquery(minutes, output_field=FloatField()), Value(0.0), output_field=FloatField()
            ),
            open_tasks=_open_tasks(0),
        )
        .prefetch_related(Prefetch("assignments", open_assignments, to_attr="open_assignments"))
    )


def track_worker_list(*, user) -> QuerySet[User]:
    """Users whose daily track the user may open: themself, and the workers in the
    workload view."""
    if not _signed_in(user):
        return User.objects.none()
    return User.objects.filter(Q(pk=user.pk) | Q(pk__in=_visible_workers(user).values("user_id")))


@dataclass(frozen=True)
class TrackFix:
    """A point of the drawn track; ``outside`` marks it as flagged."""

    lat: float
    lng: float
    recorded_at: datetime
    outside: bool


@dataclass(frozen=True)
class TrackSession:
    session_id: int
    points: list[TrackFix]


@dataclass(frozen=True)
class Track:
    """A worker's patrol on one local day, as far as the viewer may see it."""

    sessions: list[TrackSession]
    point_count: int
    flagged_count: int
    minutes: float
    distance_m: float
    grids: list[Grid]
    coverage: list[PatrolDay]


def worker_track(*, user, worker: User, day: date) -> Track:
    """The points ``worker`` recorded on local ``day`` that ``user`` may see, one list per
    session; totals by :func:`personnel.services.patrols.walked` over the whole track; the
    worker's open grids and the day's coverage rows, both within the user's scope."""
    start, end = local_day_bounds(day)
    rows = list(
        patrol_point_list(user=user)
        .filter(session__worker=worker, recorded_at__gte=start, recorded_at__lt=end)
        .order_by("session_id", "recorded_at", "pk")
        .values_list("session_id", "recorded_at", "lat", "lng", "located_grid_id", "outside")
    )
    sessions: list[TrackSession] = []
    for session_id, recorded_at, lat, lng, _grid, outside in rows:
        if not sessions or sessions[-1].session_id != session_id:
            sessions.append(TrackSession(session_id=session_id, points=[]))
        sessions[-1].points.append(TrackFix(lat, lng, recorded_at, outside))
    totals = walked([Sample(*row[:5]) for row in rows])
    grids = (
        grid_list(user=user)
        .filter(worker_assignments__worker__user=worker, worker_assignments__until__isnull=True)
        .distinct()
        .order_by("code")
    )
    coverage = patrol_day_list(user=user).filter(worker=worker, day=day).order_by("grid__code")
    return Track(
        sessions=sessions,
        point_count=len(rows),
        flagged_count=sum(1 for row in rows if row[5]),
        minutes=totals.minutes,
        distance_m=totals.distance_m,
        grids=list(grids),
        coverage=list(coverage),
    )


def grid_workload_list(*, user) -> QuerySet[Grid]:
    """One row per grid the user sees, with its open primary worker (``primary_worker_id``,
    ``primary_worker_name``), ``patrol_minutes_month`` (minutes patrolled inside the grid by
    anyone since the first of the local month: the sum of its coverage rows) and
    ``patrolled_days_month`` (local days of this month with any minute patrolled) and
    ``open_tasks`` (open cases in the grid, as the incidents app counts them)."""
    first = timezone.localdate().replace(day=1)
    days = PatrolDay.objects.filter(grid_id=OuterRef("pk"), day__gte=first).order_by()
    minutes = days.values("grid_id").annotate(total=Sum("minutes")).values("total")
    patrolled = (
        days.filter(minutes__gt=0)
        .values("grid_id")
        .annotate(n=Count("day", distinct=True))
        .values("n")
    )
    primary = GridAssignment.objects.filter(
        grid_id=OuterRef("pk"), kind=AssignmentKind.PRIMARY, until__isnull=True
    )
    return grid_list(user=user).annotate(
        patrol_minutes_month=Coalesce(
            Subquery(minutes, output_field=FloatField()), Value(0.0), output_field=FloatField()
        ),
        patrolled_days_month=Coalesce(
            Subquery(patrolled, output_field=IntegerField()), Value(0), output_field=IntegerField()
        ),
        primary_worker_id=Subquery(primary.values("worker__user_id")[:1]),
        primary_worker_name=Subquery(primary.values("worker__user__full_name")[:1]),
        open_tasks=_open_tasks(1),
    )
