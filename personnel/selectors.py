"""Reads of the personnel app, always for a user and restricted to what the user may see.

``scope_for`` (personnel.scope) answers which places and departments a user reaches; every
selector here, and every app above this one, filters through it.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from gridgov.prepared import query_rows
from personnel.choices import AssignmentState, Role
from personnel.models import (
    Attendance,
    Certificate,
    Course,
    Department,
    DeviceToken,
    GridAssignment,
    GridWorker,
    Notification,
    PatrolCheckIn,
    PatrolDay,
    PatrolPoint,
    PatrolSession,
    RoleAssignment,
    TrainingSession,
    User,
)
from personnel.roles import UNMASKED_ROLES
from personnel.scope import UserScope, scope_for

__all__ = ["UserScope", "scope_for"]


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def department_q(scope: UserScope) -> Q:
    """Departments the user works for, plus those serving the user's districts and streets."""
    if scope.is_global:
        return Q()
    districts = scope.district_ids | scope.above_district_ids
    streets = scope.street_ids | scope.above_street_ids
    return (
        Q(pk__in=scope.department_ids)
        | Q(district_id__in=scope.district_ids)
        | Q(district_id__in=districts, street__isnull=True)
        | Q(street_id__in=streets)
    )


def department_list(*, user, with_handlers: bool = False) -> QuerySet[Department]:
    """Departments in the user's reach; ``with_handlers`` prefetches, as ``handler_assignments``,
    the dept_handler assignments in force on each (one query for the whole page)."""
    if not _signed_in(user):
        return Department.objects.none()
    departments = Department.objects.select_related("district", "street").filter(
        department_q(scope_for(user))
    )
    if with_handlers:
        handlers = RoleAssignment.objects.filter(
            role=Role.DEPT_HANDLER, state=AssignmentState.ACTIVE
        ).select_related("user")
        departments = departments.prefetch_related(
            Prefetch("roleassignment_set", queryset=handlers, to_attr="handler_assignments")
        )
    return departments


def sees_personal_data(*, user) -> bool:
    """Whether the user sees workers' phones unmasked (street staff and above). One query:
    callers ask once per request, not once per row."""
    if not _signed_in(user):
        return False
    if user.is_superuser:
        return True
    return RoleAssignment.objects.filter(
        user=user, state=AssignmentState.ACTIVE, role__in=list(UNMASKED_ROLES)
    ).exists()


def mask_phone(phone: str) -> str:
    """``13800138000`` → ``138****8000``: enough to tell numbers apart, not to call them."""
    if len(phone) >= 8:
        return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"
    return f"{'*' * max(len(phone) - 2, 0)}{phone[-2:]}"


# A worker's street is shown by name: its outline (GeoJSON, decoded for every worker
# listed) is left unread.
STREET_SHAPE = ("street__boundary", "street__bbox")


def worker_list(*, user, with_open_assignments: bool = False) -> QuerySet[GridWorker]:
    """Workers employed by a street in the user's reach, or assigned to a grid in it.

    ``with_open_assignments`` prefetches, as ``open_assignments``, each worker's open grid
    assignments that the user may see (one query for the whole page).
    """
    if not _signed_in(user):
        return GridWorker.objects.none()
    scope = scope_for(user)
    workers = GridWorker.objects.select_related("user", "street").defer(*STREET_SHAPE)
    if with_open_assignments:
        open_ones = grid_assignment_list(user=user).filter(until__isnull=True)
        workers = workers.prefetch_related(
            Prefetch("assignments", queryset=open_ones, to_attr="open_assignments")
        )
    if scope.is_global:
        return workers
    # A subquery, not a join: no duplicate rows, so no DISTINCT.
    in_grids = GridAssignment.objects.filter(scope.area_q("grid"), until__isnull=True)
    return workers.filter(scope.street_area_q("street") | Q(pk__in=in_grids.values("worker_id")))


def grid_assignment_list(*, user) -> QuerySet[GridAssignment]:
    """Assignments to grids in the user's reach, and the user's own (ended ones included:
    a worker keeps seeing their history after leaving a grid)."""
    if not _signed_in(user):
        return GridAssignment.objects.none()
    scope = scope_for(user)
    assignments = GridAssignment.objects.select_related(
        "worker__user", "grid", "grid__community", "street"
    )
    if scope.is_global:
        return assignments
    return assignments.filter(scope.area_q("grid") | Q(worker__user=user))


def role_assignment_list(*, user) -> QuerySet[RoleAssignment]:
    """The user's own assignments, and those at scopes inside the user's reach."""
    if not _signed_in(user):
        return RoleAssignment.objects.none()
    scope = scope_for(user)
    assignments = RoleAssignment.objects.select_related(
        "user",
        "district",
        "street",
        "community",
        "grid",
        "department",
        "granted_by",
        "ended_by",
    )
    if scope.is_global:
        return assignments
    return assignments.filter(
        Q(user=user)
        | Q(district_id__in=scope.district_ids)
        | Q(street__district_id__in=scope.district_ids)
        | Q(street_id__in=scope.street_ids)
        | Q(community__street__district_id__in=scope.district_ids)
        | Q(community__street_id__in=scope.street_ids)
        | Q(community_id__in=scope.community_ids)
        | scope.area_q("grid")
        | Q(department__in=Department.objects.filter(department_q(scope)).values("pk"))
    )


def _own_or_area(user, queryset: QuerySet, worker: str = "worker") -> QuerySet:
    """Patrol records: the user's own (``worker`` is the path to the recording user, so a
    worker keeps their history after moving grids), and those in the user's area."""
    if not _signed_in(user):
        return queryset.none()
    scope = scope_for(user)
    if scope.is_global:
        return queryset
    return queryset.filter(scope.area_q() | Q(**{worker: user}))


def patrol_session_list(*, user) -> QuerySet[PatrolSession]:
    return _own_or_area(user, PatrolSession.objects.select_related("worker", "grid"))


def patrol_point_list(*, user) -> QuerySet[PatrolPoint]:
    return _own_or_area(user, PatrolPoint.objects.all(), worker="session__worker")


def patrol_checkin_list(*, user) -> QuerySet[PatrolCheckIn]:
    return _own_or_area(user, PatrolCheckIn.objects.all(), worker="session__worker")


def patrol_day_list(*, user) -> QuerySet[PatrolDay]:
    """Coverage rows: the user's own, and those of grids in the user's area (whoever
    patrolled them)."""
    return _own_or_area(user, PatrolDay.objects.select_related("grid", "worker"))


def course_list(*, user) -> QuerySet[Course]:
    """Courses are a catalogue: every signed-in user sees them."""
    if not _signed_in(user):
        return Course.objects.none()
    return Course.objects.all()


def training_session_list(*, user) -> QuerySet[TrainingSession]:
    if not _signed_in(user):
        return TrainingSession.objects.none()
    scope = scope_for(user)
    sessions = TrainingSession.objects.select_related("course", "street")
    if scope.is_global:
        return sessions
    streets = scope.street_ids | scope.above_street_ids
    return sessions.filter(Q(street__district_id__in=scope.district_ids) | Q(street_id__in=streets))


def certificate_list(*, user) -> QuerySet[Certificate]:
    """One's own certificates, and those of the workers one may manage."""
    if not _signed_in(user):
        return Certificate.objects.none()
    certificates = Certificate.objects.select_related("course", "user")
    scope = scope_for(user)
    if scope.is_global:
        return certificates
    if not (scope.street_ids or scope.district_ids):
        return certificates.filter(user=user)
    managed = worker_list(user=user).values("user_id")
    return certificates.filter(Q(user=user) | Q(user_id__in=managed))


def training_hours(*, user) -> dict:
    """The user's own training record in figures: sessions attended and hours credited."""
    if not _signed_in(user):
        return {"sessions": 0, "hours": Decimal(0)}
    figures = Attendance.objects.filter(user=user, attended=True).aggregate(
        sessions=Count("pk"), hours=Sum("hours")
    )
    return {"sessions": figures["sessions"], "hours": figures["hours"] or Decimal(0)}


def notification_list(*, user) -> QuerySet[Notification]:
    """A user's inbox: their own notifications, nobody else's, superusers included."""
    if not _signed_in(user):
        return Notification.objects.none()
    return Notification.objects.filter(user=user)


def unread_count(*, user) -> int:
    return notification_list(user=user).filter(read_at__isnull=True).count()


def user_list(*, user) -> QuerySet[User]:
    """Users the user may pick and manage: themselves, holders of role assignments in their
    reach, workers they see, and, for those who place people (grant roles or add workers),
    accounts not placed anywhere yet, so that a new account can be given its first role."""
    if not _signed_in(user):
        return User.objects.none()
    if scope_for(user).is_global:
        return User.objects.all()
    reach = (
        Q(pk=user.pk)
        | Q(pk__in=role_assignment_list(user=user).values("user_id"))
        | Q(pk__in=worker_list(user=user).values("user_id"))
    )
    if user.has_perm("personnel.add_roleassignment") or user.has_perm("personnel.add_gridworker"):
        reach |= (
            Q(is_superuser=False)
            & ~Q(pk__in=RoleAssignment.objects.values("user_id"))
            & ~Q(pk__in=GridWorker.objects.values("user_id"))
        )
    return User.objects.filter(reach)


_TOKEN_COLUMNS = tuple(field.attname for field in DeviceToken._meta.concrete_fields)
_USER_COLUMNS = tuple(field.attname for field in User._meta.concrete_fields)


def _device_tokens_query(key: str):
    """The device tokens with ``key``, each row the token's columns then its user's."""
    rows = DeviceToken.objects.filter(token_key=key).order_by()
    return rows.values_list(*_TOKEN_COLUMNS, *(f"user__{name}" for name in _USER_COLUMNS))


def device_tokens_with_key(key: str) -> list[DeviceToken]:
    """The device tokens whose key (the first characters of the token) is ``key``, each
    with its user loaded: the lookup behind every API request.

    On PostgreSQL, one statement whose SQL the ORM writes once per process and PostgreSQL
    plans once per session (``gridgov.prepared``): building it for each request cost about
    as much as the rest of the authentication."""
    if connection.vendor != "postgresql":
        # Rows read raw skip the ORM's conversions, which SQLite needs (its date-times are
        # text); psycopg2 already answers Python values.
        return list(DeviceToken.objects.filter(token_key=key).select_related("user"))
    tokens = []
    for row in query_rows("gridgov_device_tokens_with_key", _device_tokens_query, key=key):
        token = DeviceToken.from_db(connection.alias, _TOKEN_COLUMNS, row[: len(_TOKEN_COLUMNS)])
        user = User.from_db(connection.alias, _USER_COLUMNS, row[len(_TOKEN_COLUMNS) :])
        DeviceToken.user.field.set_cached_value(token, user)
        tokens.append(token)
    return tokens
