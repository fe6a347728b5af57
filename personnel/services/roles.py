"""Granting, revoking and expiring roles, and deriving object permissions from them."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from personnel.choices import AssignmentState, NotificationKind, Role, ScopeType
from personnel.models import (
    CommunityUserObjectPermission,
    DepartmentUserObjectPermission,
    DistrictUserObjectPermission,
    GridUserObjectPermission,
    RoleAssignment,
    StreetUserObjectPermission,
    User,
)
from personnel.models.access import SCOPE_FIELDS
from personnel.roles import RANK, role_permissions
from personnel.scope import forget_scopes
from personnel.services.notifications import notify

PERMISSION_TABLES = {
    ScopeType.DISTRICT: (DistrictUserObjectPermission, "grids", "view_district"),
    ScopeType.STREET: (StreetUserObjectPermission, "grids", "view_street"),
    ScopeType.COMMUNITY: (CommunityUserObjectPermission, "grids", "view_community"),
    ScopeType.GRID: (GridUserObjectPermission, "grids", "view_grid"),
    ScopeType.DEPARTMENT: (DepartmentUserObjectPermission, "personnel", "view_department"),
}


def _scope_type_of(scope: Model) -> str:
    return ScopeType(scope._meta.model_name)


def _place_chain(scope_type: str, scope: Model) -> dict[str, int | None]:
    """The district/street/community/grid/department ids a scope object lies in."""
    chain: dict[str, int | None] = dict.fromkeys(SCOPE_FIELDS.values())
    chain[scope_type] = scope.pk
    if scope_type in (ScopeType.STREET, ScopeType.GRID, ScopeType.DEPARTMENT):
        chain["district"] = scope.district_id
    if scope_type in (ScopeType.GRID, ScopeType.DEPARTMENT):
        chain["street"] = scope.street_id
    if scope_type == ScopeType.GRID:
        chain["community"] = scope.community_id
    if scope_type == ScopeType.COMMUNITY:
        chain["street"] = scope.street_id
        chain["district"] = scope.street.district_id
    return chain


def assignment_covers(assignment: RoleAssignment, scope: Model) -> bool:
    """Whether ``scope`` lies within the scope of ``assignment``."""
    held = assignment.scope_type
    return _place_chain(_scope_type_of(scope), scope).get(held) == getattr(
        assignment, f"{SCOPE_FIELDS[held]}_id"
    )


def can_grant(*, grantor: User, role: str, scope: Model) -> bool:
    """Superusers grant anything. Anyone else needs the permission to add role assignments
    and an assignment in force of at least the granted role's rank covering the scope."""
    if grantor.is_superuser:
        return True
    if not grantor.has_perm("personnel.add_roleassignment"):
        return False
    held = RoleAssignment.objects.filter(user=grantor, state=AssignmentState.ACTIVE)
    return any(
        RANK[assignment.role] >= RANK[role] and assignment_covers(assignment, scope)
        for assignment in held
    )


def may_manage(*, user: User, permission: str, place: Model) -> bool:
    """Whether ``user`` holds, in force, a role that carries ``permission``
    (``"personnel.add_gridworker"``) at a scope covering ``place`` (a district, street,
    community or grid). Superusers may manage everything."""
    if user.is_superuser:
        return True
    if not user.is_active:
        return False
    by_role = role_permissions()
    held = RoleAssignment.objects.filter(user=user, state=AssignmentState.ACTIVE)
    return any(
        permission in by_role[assignment.role] and assignment_covers(assignment, place)
        for assignment in held
    )


def _in_force(*, valid_from: datetime, valid_until: datetime | None, now: datetime) -> str:
    if valid_until is not None and valid_until <= now:
        return AssignmentState.ENDED
    return AssignmentState.ACTIVE if valid_from <= now else AssignmentState.PENDING


@transaction.atomic
def role_assignment_grant(
    *,
    granted_by: User,
    user: User,
    role: str,
    scope: Model,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    note: str = "",
    announce: bool = True,
) -> RoleAssignment:
    """Give ``user`` the ``role`` at ``scope`` (a district, street, community, grid or
    department) and, once in force, the object permission that scope carries. The user is
    told in their inbox unless ``announce`` is off (a caller that sends its own message)."""
    now = timezone.now()
    valid_from = valid_from or now
    scope_type = _scope_type_of(scope)
    assignment = RoleAssignment(
        user=user,
        role=Role(role),
        scope_type=scope_type,
        valid_from=valid_from,
        valid_until=valid_until,
        granted_by=granted_by,
        note=note,
        **{SCOPE_FIELDS[scope_type]: scope},
    )
    assignment.full_clean()
    if valid_until is not None and valid_until <= now:
        raise ValidationError({"valid_until": _("An assignment cannot end in the past.")})
    if not can_grant(grantor=granted_by, role=role, scope=scope):
        raise PermissionDenied(
            _("You can only grant roles at or below your own, inside your own scope.")
        )
    assignment.state = _in_force(valid_from=valid_from, valid_until=valid_until, now=now)
    assignment.save()
    user_permissions_sync(user=user)
    if announce:
        notify(
            user=user,
            kind=NotificationKind.ROLE,
            title=_("You were given the role %(role)s at %(scope)s")
            % {"role": assignment.get_role_display(), "scope": scope},
        )
    return assignment


@transaction.atomic
def role_assignment_revoke(
    *, assignment: RoleAssignment, revoked_by: User, announce: bool = True
) -> RoleAssignment:
    """End an assignment now. The row stays as history; its permissions go, and the holder
    is told unless ``announce`` is off."""
    if assignment.ended_at is not None:
        raise ValidationError(_("This role assignment has already ended."))
    if not can_grant(grantor=revoked_by, role=assignment.role, scope=assignment.scope):
        raise PermissionDenied(
            _("You can only revoke roles at or below your own, inside your own scope.")
        )
    now = timezone.now()
    changed = RoleAssignment.objects.filter(pk=assignment.pk, ended_at__isnull=True).update(
        ended_at=now, ended_by=revoked_by, state=AssignmentState.ENDED
    )
    if not changed:
        raise ValidationError(_("This role assignment has already ended."))
    user_permissions_sync(user=assignment.user)
    assignment.refresh_from_db()
    if announce:
        notify(
            user=assignment.user,
            kind=NotificationKind.ROLE,
            title=_("Your role %(role)s at %(scope)s has ended")
            % {"role": assignment.get_role_display(), "scope": assignment.scope},
        )
    return assignment


def role_assignments_refresh(*, now: datetime | None = None) -> dict[str, int]:
    """Put assignments whose start has come in force and end those whose time is up, then
    re-derive their users' permissions. Each row moves by compare-and-swap, so two runs at
    once (or a rerun) do the work once."""
    now = now or timezone.now()
    users: set[int] = set()
    counts = {"started": 0, "ended": 0}
    due_end = RoleAssignment.objects.filter(
        Q(state=AssignmentState.ACTIVE) | Q(state=AssignmentState.PENDING),
        valid_until__lte=now,
    ).values_list("pk", "user_id", "state", "valid_until")
    for pk, user_id, state, valid_until in due_end:
        if RoleAssignment.objects.filter(pk=pk, state=state).update(
            state=AssignmentState.ENDED, ended_at=valid_until
        ):
            counts["ended"] += 1
            users.add(user_id)
    due_start = RoleAssignment.objects.filter(
        state=AssignmentState.PENDING, valid_from__lte=now
    ).values_list("pk", "user_id")
    for pk, user_id in due_start:
        if RoleAssignment.objects.filter(pk=pk, state=AssignmentState.PENDING).update(
            state=AssignmentState.ACTIVE
        ):
            counts["started"] += 1
            users.add(user_id)
    for user in User.objects.filter(pk__in=users):
        with transaction.atomic():
            user_permissions_sync(user=user)
    return counts


def _scope_permissions() -> dict[str, Permission]:
    wanted = {(app, codename) for _model, app, codename in PERMISSION_TABLES.values()}
    found = {
        (perm.content_type.app_label, perm.codename): perm
        for perm in Permission.objects.select_related("content_type").filter(
            codename__in=[codename for _app, codename in wanted]
        )
    }
    return {
        scope_type: found[(app, codename)]
        for scope_type, (_model, app, codename) in PERMISSION_TABLES.items()
    }


def user_permissions_sync(*, user: User) -> None:
    """Make the user's scope object permissions and role groups equal to what the
    assignments in force imply: missing rows are added, stale ones removed."""
    active = list(
        RoleAssignment.objects.filter(user=user, state=AssignmentState.ACTIVE).values_list(
            "role", "scope_type", *(f"{field}_id" for field in SCOPE_FIELDS.values())
        )
    )
    wanted: dict[str, set[int]] = {scope_type: set() for scope_type in PERMISSION_TABLES}
    for _role, scope_type, *ids in active:
        wanted[scope_type].add(next(pk for pk in ids if pk is not None))
    permissions = _scope_permissions()
    for scope_type, (table, _app, _codename) in PERMISSION_TABLES.items():
        permission = permissions[scope_type]
        rows = table.objects.filter(user=user, permission=permission)
        current = set(rows.values_list("content_object_id", flat=True))
        stale = current - wanted[scope_type]
        if stale:
            rows.filter(content_object_id__in=stale).delete()
        table.objects.bulk_create(
            table(user=user, permission=permission, content_object_id=pk)
            for pk in wanted[scope_type] - current
        )
    role_groups = Group.objects.filter(name__in=[str(role) for role in Role])
    held = {role for role, *_rest in active}
    user.groups.remove(*[group for group in role_groups if group.name not in held])
    user.groups.add(*[group for group in role_groups if group.name in held])
    forget_scopes()
