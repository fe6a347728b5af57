"""Builders of the community-life tests (organisations, volunteers, activities, points,
rewards, ranking, pages): one street with two communities and the people around them."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from participation.models import Activity, Volunteer
from participation.services import resident_create
from participation.services.attendance import (
    Attendance,
    activity_attendance_record,
)
from participation.services.community import (
    activity_create,
    activity_signup,
    volunteer_create,
)
from participation.services.points import points_adjust
from personnel.services.workers import grid_assignment_create
from tests import factories, people


def browser_as(user) -> Client:
    """A test client signed in as ``user``, for the staff pages."""
    client = Client()
    client.force_login(user)
    return client


def api_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def worker_on(grid, name: str):
    person = people.user(name)
    profile = people.worker_profile(person, street=grid.street)
    grid_assignment_create(created_by=people.root(), worker=profile, grid=grid, kind="primary")
    return person


def build_town() -> dict:
    """Grids G and G2 of community C, community C2 beside it in the same street, and:
    street staff ("staff") and C's community staff ("keeper") who keep C's community life,
    C2's community staff ("other_keeper"), G's worker, the district's supervisor, a plain
    user; a volunteer who signs in ("volunteer", user "vol_user"), a resident volunteer of G
    ("resident_volunteer") and an activity of C in two days with two places."""
    grid, grid2 = factories.grids(2)
    community, street = grid.community, grid.street
    other = factories.community(parent=street, number=2)
    staff = people.with_role("street_staff", street, "life-staff")
    vol_user = people.user("life-volunteer", full_name="李明")
    resident = resident_create(grid=grid, name="王秀英", building="3", phone="13912345678")
    town = {
        "grid": grid,
        "grid2": grid2,
        "community": community,
        "street": street,
        "other": other,
        "other_grid": factories.grid(parent=other),
        "staff": staff,
        "keeper": people.with_role("community_staff", community, "life-keeper"),
        "other_keeper": people.with_role("community_staff", other, "life-other-keeper"),
        "worker": worker_on(grid, "life-worker"),
        "supervisor": people.with_role("supervisor", street.district, "life-supervisor"),
        "plain": people.user("life-plain"),
        "vol_user": vol_user,
        "resident": resident,
        "volunteer": volunteer_create(
            created_by=staff, community=community, user=vol_user, skills=["first_aid"]
        ),
        "resident_volunteer": volunteer_create(created_by=staff, resident=resident),
    }
    town["activity"] = upcoming(town, capacity=2)
    return town


def upcoming(town: dict, *, capacity: int = 5, days: int = 2, **fields) -> Activity:
    starts = timezone.now() + timedelta(days=days)
    values = {
        "created_by": town["keeper"],
        "community": town["community"],
        "title": "清理楼道杂物",
        "kind": "cleanup",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=3),
        "place": "3号楼",
        "capacity": capacity,
        **fields,
    }
    return activity_create(**values)


def volunteers(town: dict, count: int, *, community=None) -> list[Volunteer]:
    """``count`` more volunteers (users) of ``community`` (default C)."""
    community = community or town["community"]
    made = []
    for _ in range(count):
        person = people.user()
        made.append(volunteer_create(created_by=town["staff"], community=community, user=person))
    return made


def served(town: dict, volunteer: Volunteer, *, hours: str | None = None, days_ago: int = 10):
    """A past activity of C that ``volunteer`` attended (``hours``: default 3 h, its
    duration); returns the activity."""
    starts = timezone.now() - timedelta(days=days_ago)
    activity = activity_create(
        created_by=town["staff"],
        community=volunteer.community,
        title="敬老院探访",
        kind="elderly_care",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        place="敬老院",
        capacity=10,
    )
    signup = activity_signup(
        activity=activity, volunteer=volunteer, by=town["staff"], at=starts - timedelta(days=2)
    )
    activity_attendance_record(
        activity=activity,
        by=town["staff"],
        records=[Attendance(signup.pk, True, None if hours is None else hours)],
        at=starts + timedelta(hours=4),
    )
    return activity


def give(town: dict, volunteer: Volunteer, amount: int):
    return points_adjust(volunteer=volunteer, amount=amount, reason="期初积分", by=town["staff"])
