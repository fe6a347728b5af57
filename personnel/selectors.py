"""Reads of the personnel app, always for a user and restricted to what the user may see.

``scope_for`` (personnel.scope) answers which places and departments a user reaches; every
selector here, and every app above this one, filters through it.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from personnel.models import (
    Certificate,
    Course,
    Department,
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


def department_list(*, user) -> QuerySet[Department]:
    if not _signed_in(user):
        return Department.objects.none()
    return Department.objects.select_related("district", "street").filter(
        department_q(scope_for(user))
    )


def sees_personal_data(*, user) -> bool:
    """Whether the user sees workers' phones unmasked (street staff and above)."""
    if not _signed_in(user):
        return False
    if user.is_superuser:
        return True
    return RoleAssignment.objects.filter(
        user=user, state="active", role__in=list(UNMASKED_ROLES)
    ).exists()


def worker_list(*, user) -> QuerySet[GridWorker]:
    """Workers employed by a street in the user's reach, or assigned to a grid in it."""
    if not _signed_in(user):
        return GridWorker.objects.none()
    scope = scope_for(user)
    workers = GridWorker.objects.select_related("user", "street")
    if scope.is_global:
        return workers
    in_grids = GridAssignment.objects.filter(scope.area_q("grid"), until__isnull=True)
    return workers.filter(
        scope.street_area_q("street") | Q(pk__in=in_grids.values("worker_id"))
    ).distinct()


def grid_assignment_list(*, user) -> QuerySet[GridAssignment]:
    if not _signed_in(user):
        return GridAssignment.objects.none()
    scope = scope_for(user)
    return GridAssignment.objects.select_related("worker__user", "grid", "grid__community").filter(
        scope.area_q("grid")
    )


def role_assignment_list(*, user) -> QuerySet[RoleAssignment]:
    """The user's own assignments, and those at scopes inside the user's reach."""
    if not _signed_in(user):
        return RoleAssignment.objects.none()
    scope = scope_for(user)
    assignments = RoleAssignment.objects.select_related(
        "user", "district", "street", "community", "grid", "department", "granted_by"
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


def _field_records(user, queryset: QuerySet) -> QuerySet:
    """Patrol records: the user's own, and those in the user's area."""
    if not _signed_in(user):
        return queryset.none()
    scope = scope_for(user)
    if scope.is_global:
        return queryset
    return queryset.filter(scope.area_q())


def _own_or_area(user, queryset: QuerySet) -> QuerySet:
    if not _signed_in(user):
        return queryset.none()
    scope = scope_for(user)
    if scope.is_global:
        return queryset
    return queryset.filter(scope.area_q() | Q(worker=user))


def patrol_session_list(*, user) -> QuerySet[PatrolSession]:
    return _own_or_area(user, PatrolSession.objects.select_related("worker", "grid"))


def patrol_point_list(*, user) -> QuerySet[PatrolPoint]:
    return _field_records(user, PatrolPoint.objects.all())


def patrol_checkin_list(*, user) -> QuerySet[PatrolCheckIn]:
    return _field_records(user, PatrolCheckIn.objects.all())


def patrol_day_list(*, user) -> QuerySet[PatrolDay]:
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


def notification_list(*, user) -> QuerySet[Notification]:
    """A user's inbox: their own notifications, nobody else's, superusers included."""
    if not _signed_in(user):
        return Notification.objects.none()
    return Notification.objects.filter(user=user)


def unread_count(*, user) -> int:
    return notification_list(user=user).filter(read_at__isnull=True).count()


def user_list(*, user) -> QuerySet[User]:
    """Users whose role assignments fall in the user's reach (for pickers and the admin)."""
    if not _signed_in(user):
        return User.objects.none()
    if scope_for(user).is_global:
        return User.objects.all()
    return User.objects.filter(
        Q(pk=user.pk) | Q(pk__in=role_assignment_list(user=user).values("user_id"))
    )
