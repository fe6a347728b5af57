"""Shared fixtures of the incidents tests."""

from __future__ import annotations

import pytest

from incidents.services import category_create, sla_policy_create
from tests import factories, people


@pytest.fixture
def place():
    """A grid with its worker, street staff, a department and its handler, a resident, and
    a minor class whose every stage has a limit of a few hours on the clock."""
    grid = factories.grid()
    department = people.department(district=grid.district)
    major = category_create(code="E01", kind="event", name="市容环境")
    minor = category_create(
        code="E0101", kind="event", name="暴露垃圾", parent=major, lead_department=department
    )
    for hours, stage in enumerate(("accept", "verify", "dispatch", "handle", "check"), 1):
        for priority in ("emergency", "urgent", "normal"):
            sla_policy_create(
                category=minor, priority=priority, stage=stage, amount=hours, unit="hours"
            )
    return {
        "grid": grid,
        "category": minor,
        "department": department,
        "staff": people.with_role("street_staff", grid.street),
        "worker": people.with_role("grid_worker", grid),
        "handler": people.with_role("dept_handler", department),
        "supervisor": people.with_role("supervisor", grid.district),
        "resident": people.user(),
        "outsider": people.with_role("grid_worker", factories.grid(number=2)),
    }
