"""Grid workers' profiles and their grid assignments.

An assignment carries the grid_worker role assignment that lets the worker into the grid: it
is granted through ``role_assignment_grant`` (so the granting rule applies to whoever
assigns) and revoked when the assignment ends. Rows are history: nothing here deletes.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.versioning import save_versioned
from grids.models import Grid, Street
from personnel.choices import AssignmentKind, NotificationKind, Role, WorkerStatus
from personnel.models import GridAssignment, GridWorker, RoleAssignment, User
from personnel.services.notifications import notify
from personnel.services.roles import (
    can_grant,
    may_manage,
    role_assignment_grant,
    role_assignment_revoke,
)

WORKER_FIELDS = frozenset(
    {"street", "employee_number", "employment_type", "origin", "hire_date", "phone", "status"}
)


def _require_manager(user: User, permission: str, place: Street | Grid, message: str) -> None:
    if not may_manage(user=user, permission=permission, place=place):
        raise PermissionDenied(message)


def worker_validate(*, worker: GridWorker, user: User, permission: str) -> None:
    """Check a new or edited worker profile as the services would, without writing: the
    model's rules, then that ``user`` manages workers of its street."""
    worker.full_clean()
    _require_manager(
        user, permission, worker.street, _("You can only manage workers of your own street.")
    )


@transaction.atomic
def worker_create(
    *,
    created_by: User,
    user: User,
    street: Street,
    employee_number: str,
    employment_type: str,
    origin: str,
    hire_date: date,
    phone: str,
    status: str = WorkerStatus.ACTIVE,
) -> GridWorker:
    """Give ``user`` a grid-worker profile employed by ``street``; ``created_by`` must manage
    workers of that street. A user has at most one profile."""
    worker = GridWorker(
        user=user,
        street=street,
        employee_number=employee_number,
        employment_type=employment_type,
        origin=origin,
        hire_date=hire_date,
        phone=phone,
        status=status,
    )
    worker_validate(worker=worker, user=created_by, permission="personnel.add_gridworker")
    worker.save()
    return worker


@transaction.atomic
def worker_update(
    *,
    worker: GridWorker,
    updated_by: User,
    expected_version: int | None = None,
    **fields: Any,
) -> GridWorker:
    """Edit a worker profile (compare-and-swap on ``version``). ``updated_by`` must manage
    workers of its street, before and after a move. A worker still assigned to grids cannot
    be marked as having left: their assignments are ended first, which takes their access."""
    unknown = fields.keys() - WORKER_FIELDS
    if unknown:
        raise TypeError(f"worker_update() got unexpected fields {sorted(unknown)}")
    permission = "personnel.change_gridworker"
    _require_manager(
        updated_by, permission, worker.street, _("You can only manage workers of your own street.")
    )
    for name, value in fields.items():
        setattr(worker, name, value)
    worker_validate(worker=worker, user=updated_by, permission=permission)
    if (
        worker.status == WorkerStatus.LEFT
        and worker.assignments.filter(until__isnull=True).exists()
    ):
        raise ValidationError(
            {"status": _("End this worker's grid assignments before marking them as left.")}
        )
    return save_versioned(worker, expected_version=expected_version)


def _start_of(day: date) -> datetime:
    """Midnight of ``day`` in the local time zone: when an assignment's access begins."""
    return timezone.make_aware(datetime.combine(day, time.min))


def grid_assignment_validate(
    *,
    created_by: User,
    worker: GridWorker,
    grid: Grid,
    kind: str,
    since: date,
    replace_primary: bool = False,
) -> GridAssignment | None:
    """Check a new assignment as ``grid_assignment_create`` would, without writing, and
    return the open primary it would end (``replace_primary``), if any. Raises
    PermissionDenied when ``created_by`` may not assign at ``grid``, ValidationError with
    field errors otherwise."""
    _require_manager(
        created_by,
        "personnel.add_gridassignment",
        grid,
        _("You can only assign workers to grids in your own area."),
    )
    if not can_grant(grantor=created_by, role=Role.GRID_WORKER, scope=grid):
        raise PermissionDenied(
            _("You can only grant roles at or below your own, inside your own scope.")
        )
    if worker.status == WorkerStatus.LEFT:
        raise ValidationError({"worker": _("This worker has left and cannot be assigned.")})
    if not grid.active:
        raise ValidationError({"grid": _("This grid is inactive.")})
    if kind not in AssignmentKind.values:
        raise ValidationError({"kind": _("Choose primary or backup.")})
    if GridAssignment.objects.filter(worker=worker, grid=grid, until__isnull=True).exists():
        raise ValidationError({"worker": _("The worker is already assigned to this grid.")})
    if kind != AssignmentKind.PRIMARY:
        return None
    current = (
        GridAssignment.objects.select_related("worker__user")
        .filter(grid=grid, kind=AssignmentKind.PRIMARY, until__isnull=True)
        .first()
    )
    if current is None:
        return None
    if not replace_primary:
        raise ValidationError(
            {
                "grid": _(
                    "Grid %(grid)s already has a primary worker, %(worker)s. End that "
                    "assignment first, or choose to replace the current primary."
                )
                % {"grid": grid.code, "worker": current.worker.user}
            }
        )
    if since > timezone.localdate():
        raise ValidationError(
            {"since": _("A replacement starts today or earlier; plan it on the day.")}
        )
    if since < current.since:
        raise ValidationError(
            {
                "since": _("The new primary cannot start before the current one did (%(date)s).")
                % {"date": current.since.isoformat()}
            }
        )
    return current


@transaction.atomic
def grid_assignment_create(
    *,
    created_by: User,
    worker: GridWorker,
    grid: Grid,
    kind: str,
    since: date | None = None,
    replace_primary: bool = False,
) -> GridAssignment:
    """Assign ``worker`` to ``grid`` as its primary or a backup from ``since`` (today by
    default), granting them the grid_worker role there from that day.

    A grid has at most one open primary: a second is refused, unless ``replace_primary``,
    which ends the current primary's assignment (on ``since``) in the same transaction. The
    worker is notified.
    """
    since = since or timezone.localdate()
    # Serialise assignments to one grid, so the primary check below sees a settled state
    # (the database constraint still catches anything that slips past, as a ValidationError).
    grid = Grid.objects.select_for_update().get(pk=grid.pk)
    current = grid_assignment_validate(
        created_by=created_by,
        worker=worker,
        grid=grid,
        kind=kind,
        since=since,
        replace_primary=replace_primary,
    )
    if current is not None:
        grid_assignment_end(assignment=current, ended_by=created_by, until=since)
    role = role_assignment_grant(
        granted_by=created_by,
        user=worker.user,
        role=Role.GRID_WORKER,
        scope=grid,
        valid_from=_start_of(since),
        note=_("Grid assignment"),
        announce=False,  # the assignment notice below says it
    )
    assignment = GridAssignment(
        worker=worker,
        grid=grid,
        street_id=grid.street_id,
        kind=kind,
        since=since,
        role_assignment=role,
        created_by=created_by,
    )
    assignment.full_clean()
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        # Another assignment to this grid committed between our check and our insert.
        raise ValidationError(
            {"grid": _("This grid was assigned by someone else meanwhile. Reload and retry.")}
        ) from None
    notify(
        user=worker.user,
        kind=NotificationKind.ASSIGNMENT,
        title=_("You are assigned to grid %(grid)s (%(kind)s) from %(since)s")
        % {"grid": grid.code, "kind": assignment.get_kind_display(), "since": since.isoformat()},
        url=reverse("grids:street-map", args=[grid.street_id]),
    )
    return assignment


@transaction.atomic
def grid_assignment_end(
    *, assignment: GridAssignment, ended_by: User, until: date | None = None
) -> GridAssignment:
    """End an open assignment on ``until`` (today by default, never in the future) and
    revoke the grid_worker role it carried, so the worker loses access to the grid. The row
    stays as history; the worker is notified."""
    until = until or timezone.localdate()
    _require_manager(
        ended_by,
        "personnel.change_gridassignment",
        assignment.grid,
        _("You can only end assignments to grids in your own area."),
    )
    if until > timezone.localdate():
        raise ValidationError({"until": _("An assignment cannot end in the future.")})
    if until < assignment.since:
        raise ValidationError(
            {
                "until": _("The end cannot come before the start (%(date)s).")
                % {"date": assignment.since.isoformat()}
            }
        )
    ended = GridAssignment.objects.filter(pk=assignment.pk, until__isnull=True).update(until=until)
    if not ended:
        raise ValidationError(_("This grid assignment has already ended."))
    role = assignment.role_assignment
    role.refresh_from_db()
    if role.ended_at is None:
        role_assignment_revoke(assignment=role, revoked_by=ended_by, announce=False)
    assignment.refresh_from_db()
    notify(
        user=assignment.worker.user,
        kind=NotificationKind.ASSIGNMENT,
        title=_("Your assignment to grid %(grid)s ended on %(until)s")
        % {"grid": assignment.grid.code, "until": until.isoformat()},
    )
    return assignment


@transaction.atomic
def role_assignment_end(*, assignment: RoleAssignment, ended_by: User) -> RoleAssignment:
    """Revoke a role assignment for the API and the back office. A grid_worker role that
    came with an open grid assignment ends that assignment (today) instead, which revokes
    the role, so that an assignment is never left open without the access it gives."""
    linked = GridAssignment.objects.filter(role_assignment=assignment, until__isnull=True).first()
    if linked is None:
        return role_assignment_revoke(assignment=assignment, revoked_by=ended_by)
    grid_assignment_end(assignment=linked, ended_by=ended_by)
    assignment.refresh_from_db()
    return assignment
