"""Creating and editing functional departments, within the editor's own area.

Who may manage what is decided per role assignment, as for granting roles: the editor needs
an assignment in force whose role carries the permission and whose scope covers the place
(a street-level department's street, or a district-level department's district).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from gridgov.versioning import save_versioned
from grids.models import District, Street
from personnel.models import Department, User
from personnel.services.roles import may_manage

DEPARTMENT_FIELDS = frozenset(
    {
        "code",
        "name",
        "name_en",
        "kind",
        "district",
        "street",
        "contact_name",
        "contact_phone",
        "contact_email",
        "active",
    }
)


def _department_place(department: Department) -> District | Street:
    return department.street if department.street_id else department.district


def _require_manager(user: User, permission: str, department: Department) -> None:
    if not may_manage(user=user, permission=permission, place=_department_place(department)):
        raise PermissionDenied(_("You can only manage departments of your own street or district."))


def department_validate(*, department: Department, user: User, permission: str) -> None:
    """Check a new or edited department as the services would, without writing: the model's
    rules, then that ``user`` manages its place. Raises ValidationError or PermissionDenied."""
    department.full_clean()
    _require_manager(user, permission, department)


@transaction.atomic
def department_create(
    *,
    created_by: User,
    code: str,
    name: str,
    kind: str,
    district: District,
    street: Street | None = None,
    **fields: Any,
) -> Department:
    """Create a department at ``district`` (or at ``street``, a street of that district);
    ``created_by`` must manage departments there."""
    unknown = fields.keys() - DEPARTMENT_FIELDS
    if unknown:
        raise TypeError(f"department_create() got unexpected fields {sorted(unknown)}")
    department = Department(
        code=code, name=name, kind=kind, district=district, street=street, **fields
    )
    department_validate(
        department=department, user=created_by, permission="personnel.add_department"
    )
    department.save()
    return department


@transaction.atomic
def department_update(
    *,
    department: Department,
    updated_by: User,
    expected_version: int | None = None,
    **fields: Any,
) -> Department:
    """Edit a department (compare-and-swap on ``version``: StaleObjectError when someone
    saved since ``expected_version``). ``updated_by`` must manage it where it is and where
    it goes."""
    unknown = fields.keys() - DEPARTMENT_FIELDS
    if unknown:
        raise TypeError(f"department_update() got unexpected fields {sorted(unknown)}")
    permission = "personnel.change_department"
    _require_manager(updated_by, permission, department)
    for name, value in fields.items():
        setattr(department, name, value)
    department_validate(department=department, user=updated_by, permission=permission)
    return save_versioned(department, expected_version=expected_version)
