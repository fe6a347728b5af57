"""Shared fixtures of the assessment tests: a place with a primary grid worker, and a clock
the services read (``django.utils.timezone.now``) that the test moves forward."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from incidents.services import category_create, sla_policy_create
from personnel.services.workers import grid_assignment_create
from tests import factories, people


class Clock:
    """The time every service sees; starts at 09:00 local tomorrow, so that whatever was
    granted at the real time of the fixture is already in force."""

    def __init__(self) -> None:
        tomorrow = timezone.localdate() + timedelta(days=1)
        self.now = datetime.combine(tomorrow, time(9), tzinfo=timezone.get_current_timezone())

    def __call__(self) -> datetime:
        return self.now

    def at(self, day: int, hour: int, minute: int = 0) -> datetime:
        """Move to ``hour:minute`` local of day ``day`` (day 0 is the first) and return it."""
        first = timezone.localdate(self.start)
        moment = datetime.combine(
            first + timedelta(days=day), time(hour, minute), tzinfo=timezone.get_current_timezone()
        )
        assert moment >= self.now, "the clock only moves forward"
        self.now = moment
        return moment

    def day(self, day: int):
        return timezone.localdate(self.start) + timedelta(days=day)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    found = Clock()
    found.start = found.now
    monkeypatch.setattr(timezone, "now", found)
    return found


@pytest.fixture
def place(db, clock):
    """A grid (and a second one next to it) with its primary grid worker, street staff, a
    department and its handler, a supervisor of the district, a resident, and a minor class
    whose stages have limits on the plain clock: accept 1 h, verify 2 h, dispatch 3 h,
    handle 4 h, check 5 h."""
    grid = factories.grid()
    other = factories.grid(number=2)
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
    worker = people.user()
    profile = people.worker_profile(worker, street=grid.street)
    grid_assignment_create(created_by=people.root(), worker=profile, grid=grid, kind="primary")
    return {
        "grid": grid,
        "other_grid": other,
        "category": minor,
        "department": department,
        "staff": people.with_role("street_staff", grid.street),
        "worker": worker,
        "profile": profile,
        "handler": people.with_role("dept_handler", department),
        "supervisor": people.with_role("supervisor", grid.district),
        "resident": people.user(),
    }
