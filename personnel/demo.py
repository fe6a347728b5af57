"""Demo people for ``manage.py seed_demo``: the demo accounts and their roles, the
departments, about 300 grid workers with a primary on every grid, and some patrol history."""

from __future__ import annotations

import itertools
import math
import uuid
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.demo import DemoContext, register
from grids.models import Grid, Street
from personnel import demo_data
from personnel.models import Department, GridAssignment, GridWorker, RoleAssignment
from personnel.services.patrols import (
    TrackPoint,
    patrol_day_recompute,
    patrol_points_record,
    patrol_session_end,
    patrol_session_start,
)
from personnel.services.roles import role_assignment_grant
from personnel.services.workers import grid_assignment_create, worker_create

DEMO_ACCOUNTS: list[tuple[str, str, bool, bool]] = [
    ("admin", "系统管理员", True, True),
    ("street1", "城关街道指挥中心 赵敏", True, False),
    ("supervisor1", "监督员 孙浩", True, False),
    ("worker1", "网格员 张伟", False, False),
    ("worker2", "网格员 李娜", False, False),
    ("dept1", "县城市管理局 周强", False, False),
    ("finance1", "财务 王芳", True, False),
    ("finance2", "财务 李强", True, False),
]


def _shared_hash(ctx: DemoContext, existing) -> str:
    """Password hashing is slow on purpose: hash once and share it; keep the old hash when
    the password still matches so a second run changes nothing."""
    hashes = {user.password for user in existing}
    if len(hashes) == 1:
        encoded = hashes.pop()
        if check_password(ctx.password, encoded):
            return encoded
    return make_password(ctx.password)


def demo_accounts_ensure(
    ctx: DemoContext, accounts: list[tuple[str, str, bool, bool]]
) -> dict[str, object]:
    """Demo accounts ``(username, full name, staff, superuser)``, all with ``ctx.password``
    (one shared hash), created or brought back in step; listed in the command's summary of
    accounts. Returns the users by username."""
    user_model = get_user_model()
    usernames = [row[0] for row in accounts]
    existing = {u.username: u for u in user_model.objects.filter(username__in=usernames)}
    encoded = _shared_hash(ctx, existing.values())
    for username, full_name, staff, superuser in accounts:
        values = {
            "full_name": full_name,
            "is_staff": staff,
            "is_superuser": superuser,
            "is_active": True,
            "password": encoded,
        }
        user = existing.get(username)
        if user is None:
            existing[username] = user_model.objects.create(username=username, **values)
            ctx.count(_("accounts"), "created")
        elif any(getattr(user, name) != value for name, value in values.items()):
            user_model.objects.filter(pk=user.pk).update(**values)
            ctx.count(_("accounts"), "updated")
        else:
            ctx.count(_("accounts"), "unchanged")
    ctx.data.setdefault("accounts", [])
    ctx.data["accounts"] += [name for name in usernames if name not in ctx.data["accounts"]]
    return existing


@register("accounts: demo users", order=20)
def seed_accounts(ctx: DemoContext) -> None:
    """The demo accounts of the roles, all with ``ctx.password``."""
    demo_accounts_ensure(ctx, DEMO_ACCOUNTS)
    ctx.progress(_("accounts"), len(DEMO_ACCOUNTS), len(DEMO_ACCOUNTS))


@register("departments: functional departments", order=21)
def seed_departments(ctx: DemoContext) -> None:
    """The eleven district-level functional departments."""
    district = ctx.data["district"]
    label = _("departments")
    for done, (code, kind, name, name_en, contact) in enumerate(demo_data.DEPARTMENTS, 1):
        _department, created = Department.objects.get_or_create(
            code=code,
            defaults={
                "kind": kind,
                "name": name,
                "name_en": name_en,
                "district": district,
                "contact_name": contact,
                "contact_phone": f"0538-{8120000 + done}",
            },
        )
        ctx.count(label, "created" if created else "unchanged")
        ctx.progress(label, done, len(demo_data.DEPARTMENTS))


def _street1_grids() -> list[Grid]:
    street1 = Street.objects.order_by("code").first()
    return list(Grid.objects.filter(street=street1).order_by("code")[:2])


def _demo_worker_name(number: int) -> str:
    surname = demo_data.SURNAMES[number % len(demo_data.SURNAMES)]
    given = demo_data.GIVEN_NAMES[(number * 7) % len(demo_data.GIVEN_NAMES)]
    return f"{surname}{given}"


def _ensure_profile(ctx: DemoContext, admin, user, street: Street, number: int) -> GridWorker:
    profile = GridWorker.objects.filter(user=user).first()
    if profile is not None:
        return profile
    return worker_create(
        created_by=admin,
        user=user,
        street=street,
        employee_number=f"WY{number:05d}",
        employment_type=("full_time", "full_time", "part_time", "volunteer")[number % 4],
        origin=("recruited", "street_office", "community_staff")[number % 3],
        hire_date=date(2019 + number % 6, 1 + number % 12, 1 + number % 28),
        phone=f"139{number:08d}",
    )


def _ensure_assignment(admin, profile: GridWorker, grid: Grid, kind: str) -> bool:
    if GridAssignment.objects.filter(worker=profile, grid=grid, until__isnull=True).exists():
        return False
    grid_assignment_create(
        created_by=admin, worker=profile, grid=grid, kind=kind, since=date(2026, 1, 1)
    )
    return True


@register("workers: grid workers and assignments", order=22)
def seed_workers(ctx: DemoContext) -> None:
    """worker1 and worker2 on the first two grids of street 1, then about 300 workers: a
    primary on every other grid, the rest backups spread over the district."""
    user_model = get_user_model()
    admin = user_model.objects.get(username="admin")
    label = _("grid workers")
    grids = list(Grid.objects.select_related("street").order_by("code"))
    first, second = _street1_grids()
    numbered = itertools.count(1)
    pairs = [("worker1", first, "primary"), ("worker2", second, "primary")]
    others = [grid for grid in grids if grid.pk not in (first.pk, second.pk)]
    usernames = [f"gw{n:04d}" for n in range(1, demo_data.EXTRA_WORKERS + 1)]
    for index, username in enumerate(usernames):
        if index < len(others):
            pairs.append((username, others[index], "primary"))
        else:
            pairs.append((username, grids[(index * 11) % len(grids)], "backup"))
    existing = {u.username: u for u in user_model.objects.filter(username__in=usernames)}
    encoded = _shared_hash(ctx, list(existing.values())[:1] or [])
    user_model.objects.bulk_create(
        [
            user_model(username=name, full_name=_demo_worker_name(n), password=encoded)
            for n, name in enumerate(usernames, 1)
            if name not in existing
        ]
    )
    users = {
        u.username: u
        for u in user_model.objects.filter(username__in=[name for name, _g, _k in pairs])
    }
    for done, (username, grid, kind) in enumerate(pairs, 1):
        profile = _ensure_profile(ctx, admin, users[username], grid.street, next(numbered))
        created = _ensure_assignment(admin, profile, grid, kind)
        ctx.count(label, "created" if created else "unchanged")
        if done % 20 == 0 or done == len(pairs):
            ctx.progress(label, done, len(pairs))


@register("roles: demo accounts at their scopes", order=23)
def seed_roles(ctx: DemoContext) -> None:
    """street1, supervisor1, dept1, finance1 and finance2 at their scopes (the workers got
    theirs with their grid assignments)."""
    user_model = get_user_model()
    admin = user_model.objects.get(username="admin")
    district = ctx.data["district"]
    street1 = Street.objects.filter(district=district).order_by("code").first()
    department = Department.objects.get(code=demo_data.URBAN_MANAGEMENT_CODE)
    wanted = [
        ("street1", "street_staff", street1),
        ("supervisor1", "supervisor", district),
        ("dept1", "dept_handler", department),
        ("finance1", "finance_officer", street1),
        ("finance2", "finance_officer", street1),
    ]
    label = _("role assignments")
    for username, role, scope in wanted:
        user = user_model.objects.get(username=username)
        field = scope._meta.model_name
        held = RoleAssignment.objects.filter(
            user=user, role=role, ended_at__isnull=True, **{field: scope}
        ).exists()
        if held:
            ctx.count(label, "unchanged")
            continue
        role_assignment_grant(granted_by=admin, user=user, role=role, scope=scope)
        ctx.count(label, "created")
    ctx.progress(label, len(wanted), len(wanted))


PATROL_WORKERS = 30  # worker1, worker2 and the first generated workers
PATROL_DAYS = 3
PATROL_POINTS = 45  # one a minute


def _loop(grid: Grid, start, *, step: int) -> list[TrackPoint]:
    """A walk of PATROL_POINTS points on a small loop around the grid's centre."""
    points = []
    for minute in range(PATROL_POINTS):
        angle = 2 * math.pi * minute / PATROL_POINTS
        points.append(
            TrackPoint(
                client_id=uuid.uuid5(
                    uuid.NAMESPACE_URL, f"gridgov-demo/{grid.code}/{step}/{minute}"
                ),
                recorded_at=start + timedelta(minutes=minute),
                lat=grid.centroid_lat + 0.0003 * math.sin(angle),
                lng=grid.centroid_lng + 0.0004 * math.cos(angle),
                accuracy_m=8.0,
            )
        )
    return points


@register("patrols: recent patrol history", order=24)
def seed_patrols(ctx: DemoContext) -> None:
    """A 45-minute morning patrol on each of the last three days for thirty workers in their
    primary grid, and one point of worker1's outside it (flagged), with coverage computed.
    Ids are derived from the grid and day, so a second run stores nothing new."""
    label = _("patrols")
    assignments = list(
        GridAssignment.objects.filter(kind="primary", until__isnull=True)
        .select_related("worker__user", "grid")
        .order_by("worker__employee_number")[:PATROL_WORKERS]
    )
    today = timezone.localdate()
    total = len(assignments) * PATROL_DAYS
    done = 0
    for assignment in assignments:
        worker, grid = assignment.worker.user, assignment.grid
        for days_ago in range(PATROL_DAYS, 0, -1):
            day = today - timedelta(days=days_ago)
            start = timezone.make_aware(datetime.combine(day, time(9, 0)))
            session, created = patrol_session_start(
                worker=worker,
                client_id=uuid.uuid5(uuid.NAMESPACE_URL, f"gridgov-demo/{grid.code}/{day}"),
                started_at=start,
                grid_id=grid.pk,
            )
            points = _loop(grid, start, step=days_ago)
            if worker.username == "worker1" and days_ago == 1:
                stray = points[-1]
                points[-1] = TrackPoint(
                    stray.client_id, stray.recorded_at, stray.lat + 0.01, stray.lng, 8.0
                )
            patrol_points_record(session=session, worker=worker, points=points)
            patrol_session_end(
                session=session, worker=worker, ended_at=start + timedelta(minutes=PATROL_POINTS)
            )
            patrol_day_recompute(worker_id=worker.pk, grid_id=grid.pk, day=day)
            ctx.count(label, "created" if created else "unchanged")
            done += 1
            if done % 15 == 0 or done == total:
                ctx.progress(label, done, total)
