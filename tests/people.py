"""Builders for people: users holding roles at scopes, departments, grid workers.

They go through the personnel services like real callers, with a superuser as the grantor.
"""

from __future__ import annotations

import itertools
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Model

from personnel.models import Department, RoleAssignment
from personnel.services.roles import role_assignment_grant
from tests import factories

PASSWORD = "correct-horse-battery-staple"
_serial = itertools.count(1)


def root():
    """The superuser that grants roles in tests."""
    user_model = get_user_model()
    found = user_model.objects.filter(username="grantor-root").first()
    return found or user_model.objects.create_superuser("grantor-root", password=PASSWORD)


def user(username: str | None = None, **fields):
    username = username or f"user{next(_serial)}"
    return get_user_model().objects.create_user(username, password=PASSWORD, **fields)


def grant(person, role: str, scope: Model, **kwargs) -> RoleAssignment:
    return role_assignment_grant(granted_by=root(), user=person, role=role, scope=scope, **kwargs)


def with_role(role: str, scope: Model, username: str | None = None, **fields):
    """A new user holding ``role`` at ``scope``."""
    person = user(username, **fields)
    grant(person, role, scope)
    return person


def department(
    *, code: str | None = None, kind: str = "urban_management", street=None, district=None
) -> Department:
    district = district or (street.district if street else factories.district())
    code = code or f"D{next(_serial):04d}"
    return Department.objects.create(
        code=code, name=f"部门{code}", kind=kind, district=district, street=street
    )


def worker_profile(person, *, street, number: str | None = None, phone: str = "13800138000"):
    from personnel.models import GridWorker

    return GridWorker.objects.create(
        user=person,
        street=street,
        employee_number=number or f"W{next(_serial):05d}",
        employment_type="full_time",
        origin="recruited",
        hire_date=date(2024, 3, 1),
        phone=phone,
    )
