"""Patrols recorded from the phone: sessions, track points, check-ins, and the per-day
coverage derived from the points.

Every write the phone may retry is idempotent by the UUID the phone generated: sending the
same session, batch or check-in again creates nothing and answers the same. Points are kept
whatever they say; one in none of the worker's grids is flagged ``outside``, never dropped.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.broker import enqueue_on_commit
from grids.locate import locate_grid_id, locate_grid_ids
from grids.models import Grid
from personnel.choices import AssignmentKind
from personnel.models import (
    GridAssignment,
    PatrolCheckIn,
    PatrolDay,
    PatrolPoint,
    PatrolSession,
    User,
)

MAX_BATCH_POINTS = 500
# How far a phone's clock may run ahead of ours, and how early before the session's start a
# point may be stamped (the phone takes a fix while the start request is on its way).
CLOCK_TOLERANCE = timedelta(minutes=5)
EARLIEST_TIME = datetime(2000, 1, 1, tzinfo=UTC)
# The local days whose bounds can be computed (the last day of the calendar has no end).
EARLIEST_DAY, LATEST_DAY = EARLIEST_TIME.date(), date.max - timedelta(days=1)
DEFAULT_MAX_GAP_MINUTES = 5
# Mean Earth radius (IUGG), metres: the sphere the haversine formula measures on.
EARTH_RADIUS_M = 6_371_008.8
# Fields of a point or check-in the phone sends; the rest (scope, session) are ours.
_FK_FIELDS = ("session", "district", "street", "community", "grid", "located_grid")


def max_gap() -> timedelta:
    """``settings.PATROL_MAX_GAP_MINUTES`` (default 5): two consecutive points further apart
    in time than this are a pause (the phone was off, the worker had lunch), not patrol time."""
    return timedelta(minutes=getattr(settings, "PATROL_MAX_GAP_MINUTES", DEFAULT_MAX_GAP_MINUTES))


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC-aware instants at which ``day`` starts and ends in the local time zone."""
    zone = timezone.get_default_timezone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres between two WGS84 points, on a sphere of radius R:

    d = 2R · asin(√(sin²(Δφ/2) + cos φ1 · cos φ2 · sin²(Δλ/2)))

    with φ the latitudes and λ the longitudes in radians. Over a patrol's few hundred metres
    the sphere is within 0.5 % of the ellipsoid, far below a phone's GPS error.
    """
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lng2 - lng1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class Sample:
    """One track point as the coverage arithmetic needs it."""

    session_id: int
    recorded_at: datetime
    lat: float
    lng: float
    located_grid_id: int | None


@dataclass(frozen=True)
class Walked:
    minutes: float
    distance_m: float


def walked(samples: Iterable[Sample], *, within: int | None = None) -> Walked:
    """Patrol time and distance of a track (``samples`` ordered by session, then time).

    minutes = Σ Δt and distance = Σ haversine over each pair of consecutive points of the same
    session that are at most :func:`max_gap` apart and, with ``within`` (a grid id), both
    inside that grid. Leaving the grid and coming back is not counted: the pairs that span
    the excursion have a point outside.
    """
    limit = max_gap()
    seconds = metres = 0.0
    for before, after in pairwise(samples):
        if before.session_id != after.session_id:
            continue
        if within is not None and not (before.located_grid_id == within == after.located_grid_id):
            continue
        gap = after.recorded_at - before.recorded_at
        if gap > limit:
            continue
        seconds += gap.total_seconds()
        metres += haversine_m(before.lat, before.lng, after.lat, after.lng)
    return Walked(minutes=seconds / 60, distance_m=metres)


def _open_assignments(worker: User):
    """The worker's assignments in force: started (a planned one is not yet theirs) and not
    ended."""
    return GridAssignment.objects.filter(
        worker__user=worker, since__lte=timezone.localdate(), until__isnull=True
    )


def _clock_problem(value: datetime, *, now: datetime) -> str | None:
    """What is wrong with a time the phone stamped, or None: ahead of ours beyond the
    tolerance, or before EARLIEST_TIME (a phone whose clock was reset says 1970)."""
    if value > now + CLOCK_TOLERANCE:
        return _("This time is in the future: check the phone's clock.")
    if value < EARLIEST_TIME:
        return _("This time is too far in the past: check the phone's clock.")
    return None


def _scope_of(grid: Grid) -> dict[str, int]:
    return {
        "district_id": grid.district_id,
        "street_id": grid.street_id,
        "community_id": grid.community_id,
        "grid_id": grid.pk,
    }


def _choose_grid(worker: User, grid_id: int | None) -> Grid:
    """The grid a session is recorded for: the one asked for if the worker is assigned to it,
    else the worker's open primary grid, else any grid they are assigned to."""
    assignments = _open_assignments(worker).select_related("grid").order_by("since", "pk")
    if grid_id is not None:
        chosen = assignments.filter(grid_id=grid_id).first()
        if chosen is None:
            raise ValidationError({"grid": _("You are not assigned to this grid.")})
        return chosen.grid
    chosen = assignments.filter(kind=AssignmentKind.PRIMARY).first() or assignments.first()
    if chosen is None:
        raise ValidationError(
            _("You have no open grid assignment: ask your street office to assign you a grid.")
        )
    return chosen.grid


@transaction.atomic
def patrol_session_start(
    *, worker: User, client_id: uuid.UUID, started_at: datetime, grid_id: int | None = None
) -> tuple[PatrolSession, bool]:
    """Start a patrol for ``worker`` in one of their grids; returns (session, created).

    The same ``client_id`` sent again by the same worker returns the session it created.
    The id of another worker's session is refused rather than silently shared.
    """
    existing = PatrolSession.objects.filter(client_id=client_id).first()
    if existing is not None:
        return _same_worker_session(existing, worker), False
    problem = _clock_problem(started_at, now=timezone.now())
    if problem:
        raise ValidationError({"started_at": problem})
    grid = _choose_grid(worker, grid_id)
    session = PatrolSession(
        client_id=client_id, worker=worker, started_at=started_at, **_scope_of(grid)
    )
    session.full_clean(exclude=_FK_FIELDS, validate_unique=False)
    try:
        with transaction.atomic():  # a savepoint: the phone's retry may race its first try
            session.save()
    except IntegrityError:
        return _same_worker_session(PatrolSession.objects.get(client_id=client_id), worker), False
    return session, True


def _same_worker_session(session: PatrolSession, worker: User) -> PatrolSession:
    if session.worker_id != worker.pk:
        raise ValidationError(
            {"client_id": _("This id belongs to another worker's patrol: generate a new one.")}
        )
    return session


def _require_own(session: PatrolSession, worker: User) -> None:
    if session.worker_id != worker.pk:
        raise PermissionDenied(_("Only the worker who started this patrol may record it."))


@transaction.atomic
def patrol_session_end(
    *, session: PatrolSession, worker: User, ended_at: datetime
) -> PatrolSession:
    """End the worker's patrol. Ending it again at the same time changes nothing; ending it
    at another time is refused (the first end stands)."""
    _require_own(session, worker)
    if ended_at < session.started_at:
        raise ValidationError({"ended_at": _("A patrol cannot end before it started.")})
    problem = _clock_problem(ended_at, now=timezone.now())
    if problem:
        raise ValidationError({"ended_at": problem})
    # Compare-and-swap: of two racing ends only one fills the empty column.
    PatrolSession.objects.filter(pk=session.pk, ended_at__isnull=True).update(ended_at=ended_at)
    session.refresh_from_db(fields=["ended_at"])
    if session.ended_at != ended_at:
        raise ValidationError(
            {
                "ended_at": _("This patrol already ended at %(time)s.")
                % {"time": timezone.localtime(session.ended_at).isoformat()}
            }
        )
    return session


def _time_problem(session: PatrolSession, recorded_at: datetime, now: datetime) -> str | None:
    if recorded_at < session.started_at - CLOCK_TOLERANCE:
        return _("This time is before the patrol started.")
    if session.ended_at is not None and recorded_at > session.ended_at + CLOCK_TOLERANCE:
        return _("This time is after the patrol ended.")
    return _clock_problem(recorded_at, now=now)


def _locate(lat: float, lng: float, own_grids: set[int]) -> tuple[int | None, bool]:
    """(located grid id, outside the worker's grids)."""
    located = locate_grid_id(lat, lng)
    return located, located not in own_grids


@dataclass(frozen=True)
class TrackPoint:
    """A track point as the phone sends it; ``client_id`` is generated on the phone."""

    client_id: uuid.UUID
    recorded_at: datetime
    lat: float
    lng: float
    accuracy_m: float | None = None


@dataclass(frozen=True)
class BatchResult:
    """What became of a batch, read back from the database so that a resend answers the same:
    ``stored`` counts the batch's points held by this session, ``flagged`` lists those
    outside the worker's grids, ``rejected`` the ids already used by another session."""

    session_id: int
    received: int
    stored: int
    flagged: list[uuid.UUID]
    rejected: list[uuid.UUID]


def _validate_batch(session: PatrolSession, points: Sequence[TrackPoint]) -> None:
    if not points:
        raise ValidationError({"points": _("Send at least one point.")})
    if len(points) > MAX_BATCH_POINTS:
        raise ValidationError(
            {"points": _("Send at most %(n)d points per batch.") % {"n": MAX_BATCH_POINTS}}
        )
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    seen: set[uuid.UUID] = set()
    for index, point in enumerate(points):
        if point.client_id in seen:
            errors[f"points.{index}.id"] = [_("This id appears twice in the batch.")]
        seen.add(point.client_id)
        problem = _time_problem(session, point.recorded_at, now)
        if problem:
            errors[f"points.{index}.recorded_at"] = [problem]
        row = PatrolPoint(
            recorded_at=point.recorded_at, lat=point.lat, lng=point.lng, accuracy_m=point.accuracy_m
        )
        try:
            row.full_clean(
                exclude=("client_id", *_FK_FIELDS),
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(f"points.{index}.{field}", []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def patrol_points_record(
    *, session: PatrolSession, worker: User, points: Sequence[TrackPoint]
) -> BatchResult:
    """Store a batch of up to MAX_BATCH_POINTS track points of the worker's session.

    All or nothing: one invalid point refuses the batch, naming it. Points already stored
    (a resend) are skipped by their ``client_id``; an id already used by another session is
    reported in ``rejected`` and not attached here. After the commit the coverage of every
    (worker, grid, local day) the batch touches is recomputed by a task.
    """
    _require_own(session, worker)
    _validate_batch(session, points)
    ids = [point.client_id for point in points]
    taken = set(PatrolPoint.objects.filter(client_id__in=ids).values_list("client_id", flat=True))
    own_grids = set(_open_assignments(worker).values_list("grid_id", flat=True))
    scope = {
        "district_id": session.district_id,
        "street_id": session.street_id,
        "community_id": session.community_id,
        "grid_id": session.grid_id,
    }
    fresh = [point for point in points if point.client_id not in taken]
    located_ids = locate_grid_ids([(point.lat, point.lng) for point in fresh])
    new_rows = []
    for point, located in zip(fresh, located_ids, strict=True):
        outside = located not in own_grids
        new_rows.append(
            PatrolPoint(
                client_id=point.client_id,
                session=session,
                recorded_at=point.recorded_at,
                lat=point.lat,
                lng=point.lng,
                accuracy_m=point.accuracy_m,
                located_grid_id=located,
                outside=outside,
                **scope,
            )
        )
    # ignore_conflicts: a concurrent resend of the same batch may have inserted some ids
    # since they were read above; the database's unique index settles it.
    PatrolPoint.objects.bulk_create(new_rows, ignore_conflicts=True)
    stored = list(
        PatrolPoint.objects.filter(session=session, client_id__in=ids).values_list(
            "client_id", "recorded_at", "located_grid_id", "outside"
        )
    )
    # Every stored point of the batch, not only the new ones: a resend then also repairs
    # coverage whose first computation was lost.
    _queue_coverage(worker.pk, ((grid_id, at) for _id, at, grid_id, _out in stored))
    held = {row[0] for row in stored}
    flagged = {row[0] for row in stored if row[3]}
    return BatchResult(
        session_id=session.pk,
        received=len(points),
        stored=len(held),
        flagged=[i for i in ids if i in flagged],
        rejected=[i for i in ids if i not in held],
    )


def _queue_coverage(worker_id: int, located: Iterable[tuple[int | None, datetime]]) -> None:
    """Queue one recomputation per (grid, local day) after the commit; points in no grid
    count for no grid."""
    from personnel.tasks.patrols import patrol_days_recompute  # here: that module imports this one

    keys = sorted(
        {(grid_id, timezone.localdate(at)) for grid_id, at in located if grid_id is not None}
    )
    for grid_id, day in keys:
        enqueue_on_commit(patrol_days_recompute, worker_id, grid_id, day.isoformat())


@transaction.atomic
def patrol_checkin_record(
    *,
    session: PatrolSession,
    worker: User,
    client_id: uuid.UUID,
    recorded_at: datetime,
    lat: float,
    lng: float,
    note: str = "",
) -> tuple[PatrolCheckIn, bool]:
    """Record a check-in of the worker's session; returns (check-in, created). The same
    ``client_id`` again returns the stored check-in; one used in another session is refused."""
    _require_own(session, worker)
    existing = PatrolCheckIn.objects.filter(client_id=client_id).first()
    if existing is not None:
        return _same_session_checkin(existing, session), False
    problem = _time_problem(session, recorded_at, timezone.now())
    if problem:
        raise ValidationError({"recorded_at": problem})
    own_grids = set(_open_assignments(worker).values_list("grid_id", flat=True))
    located, outside = _locate(lat, lng, own_grids)
    checkin = PatrolCheckIn(
        client_id=client_id,
        session=session,
        recorded_at=recorded_at,
        lat=lat,
        lng=lng,
        note=note,
        located_grid_id=located,
        outside=outside,
        district_id=session.district_id,
        street_id=session.street_id,
        community_id=session.community_id,
        grid_id=session.grid_id,
    )
    checkin.full_clean(exclude=_FK_FIELDS, validate_unique=False)
    try:
        with transaction.atomic():
            checkin.save()
    except IntegrityError:
        return _same_session_checkin(PatrolCheckIn.objects.get(client_id=client_id), session), False
    return checkin, True


def _same_session_checkin(checkin: PatrolCheckIn, session: PatrolSession) -> PatrolCheckIn:
    if checkin.session_id != session.pk:
        raise ValidationError(
            {"id": _("This id belongs to a check-in of another patrol: generate a new one.")}
        )
    return checkin


@transaction.atomic
def patrol_day_recompute(*, worker_id: int, grid_id: int, day: date) -> PatrolDay | None:
    """Recompute from scratch the coverage of grid ``grid_id`` by one worker on one local
    day (see :func:`walked`); safe to run any number of times. Returns the row, or None when
    the worker recorded no point in the grid that day (and any stale row is removed).

    A pair of points straddling local midnight counts for neither day: at most one gap of
    PATROL_MAX_GAP_MINUTES is lost, and each day stays computable on its own.
    """
    start, end = local_day_bounds(day)
    samples = [
        Sample(*row)
        for row in PatrolPoint.objects.filter(
            session__worker_id=worker_id, recorded_at__gte=start, recorded_at__lt=end
        )
        .order_by("session_id", "recorded_at", "pk")
        .values_list("session_id", "recorded_at", "lat", "lng", "located_grid_id")
    ]
    inside = sum(1 for sample in samples if sample.located_grid_id == grid_id)
    if not inside:
        PatrolDay.objects.filter(worker_id=worker_id, grid_id=grid_id, day=day).delete()
        return None
    grid = Grid.objects.get(pk=grid_id)
    result = walked(samples, within=grid_id)
    row, _created = PatrolDay.objects.update_or_create(
        worker_id=worker_id,
        grid_id=grid_id,
        day=day,
        defaults={
            "district_id": grid.district_id,
            "street_id": grid.street_id,
            "community_id": grid.community_id,
            "points": inside,
            "minutes": round(result.minutes, 3),
            "distance_m": round(result.distance_m, 2),
        },
    )
    return row
