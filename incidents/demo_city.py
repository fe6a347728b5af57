"""The demo city as the ticket generator sees it (grids, limits, departments, who holds
which role where), and the planner that picks the people and the path of each demo case
(see :mod:`incidents.demo_tickets`)."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from shapely import Point
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from grids.models import Component, Grid
from incidents.choices import (
    PUBLIC_SOURCES,
    Source,
    Status,
)
from incidents.choices import Action as A
from incidents.demo_histories import (
    NOTES,
    Step,
    rating_note,
)
from incidents.models import (
    Category,
    SlaPolicy,
)
from incidents.recipients import department_handlers
from personnel.choices import AssignmentState
from personnel.models import Department, RoleAssignment

SATISFACTION = {5: 55, 4: 27, 3: 8, 2: 6, 1: 4}


def pick(rng: random.Random, weights: dict) -> Any:
    """One key of ``weights``, drawn by its weight."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@dataclass
class City:
    """What the tickets are made of, read once: grids with their shapes, categories with
    their limits, departments and who holds which role where."""

    grids: list[dict[str, Any]]
    categories: list[Category]
    limits: dict[tuple[int, str], dict[str, tuple[int, str]]]
    departments: dict[int, list[int]]  # district → active departments
    handlers: dict[int, list[int]]
    holders: dict[tuple[str, str, int], list[int]]  # (role, scope type, scope id) → users
    components: dict[str, list[tuple[int, int, float, float]]]  # class code → components
    admin: int | None
    by_id: dict[int, dict[str, Any]] = field(default_factory=dict)

    def held(self, role: str, ticket: dict[str, Any], *scopes: str) -> list[int]:
        """The users holding ``role`` at the ticket's place, at any of ``scopes``."""
        return sorted(
            {u for s in scopes for u in self.holders.get((role, s, ticket[f"{s}_id"]), [])}
        )


def load_city() -> City:
    """The demo city as the earlier steps left it (or any city with active grids)."""
    grids = [
        {
            "grid_id": g.pk,
            "community_id": g.community_id,
            "street_id": g.street_id,
            "district_id": g.district_id,
            "name": g.name,
            "shape": shape(g.boundary),
            "weight": max(g.population, 1),
        }
        for g in Grid.objects.filter(active=True).exclude(boundary=None).order_by("code")
    ]
    categories = list(Category.objects.filter(active=True, parent__isnull=False).order_by("code"))
    limits: dict[tuple[int, str], dict[str, tuple[int, str]]] = defaultdict(dict)
    for cat, priority, stage, amount, unit in SlaPolicy.objects.values_list(
        "category_id", "priority", "stage", "amount", "unit"
    ):
        limits[(cat, priority)][stage] = (amount, unit)
    departments: dict[int, list[int]] = defaultdict(list)
    for pk, district in (
        Department.objects.filter(active=True).order_by("code").values_list("pk", "district_id")
    ):
        departments[district].append(pk)
    handlers = department_handlers(d for ds in departments.values() for d in ds)
    holders: dict[tuple[str, str, int], list[int]] = defaultdict(list)
    scopes = ("district", "street", "community", "grid")
    for user, role, scope, *ids in RoleAssignment.objects.filter(
        state=AssignmentState.ACTIVE
    ).values_list("user_id", "role", "scope_type", *(f"{s}_id" for s in scopes)):
        scope_id = dict(zip(scopes, ids, strict=True)).get(scope)
        if scope_id is not None:
            holders[(role, scope, scope_id)].append(user)
    components: dict[str, list[tuple[int, int, float, float]]] = defaultdict(list)
    for row in Component.objects.filter(active=True, grid__active=True).values_list(
        "code", "pk", "grid_id", "lat", "lng"
    ):
        components[row[0][6:10]].append(row[1:])
    users = get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("pk")
    admin = users.filter(username="admin").values_list("pk", flat=True).first()
    admin = admin or users.values_list("pk", flat=True).first()
    city = City(
        grids, categories, dict(limits), departments,
        {k: sorted(v) for k, v in handlers.items()}, holders, components, admin,
    )  # fmt: skip
    city.by_id = {grid["grid_id"]: grid for grid in grids}
    return city


def point_inside(rng: random.Random, polygon: BaseGeometry) -> tuple[float, float]:
    """A random point well inside ``polygon`` (a few metres from any edge)."""
    min_x, min_y, max_x, max_y = polygon.bounds
    for _attempt in range(200):
        point = Point(rng.uniform(min_x, max_x), rng.uniform(min_y, max_y))
        if polygon.contains(point) and polygon.boundary.distance(point) > 0.00005:
            return round(point.y, 6), round(point.x, 6)
    point = polygon.representative_point()
    return round(point.y, 6), round(point.x, 6)


class Planner:
    """Plans the workflow actions from the first status to ``target`` (a final or open
    status), with the usual detours: verification of public reports, a wrong dispatch
    returned, linked tasks, a pause, an extension or a manual escalation, rework, the
    rating and a reopened case."""

    def __init__(self, rng: random.Random, source: str, target: str) -> None:
        self.rng, self.source, self.target = rng, source, target
        self.steps: list[Step] = []

    def add(self, action: str, role: str, **kwargs: Any) -> None:
        """Plan ``action`` by ``role``, with a note people would type when it needs one."""
        note = self.rng.choice(NOTES[action]) if action in NOTES else ""
        self.steps.append(Step(action, role, note=kwargs.pop("note", note), **kwargs))

    def stop(self, status: str, share: float = 1.0) -> bool:
        """Whether the plan ends here: at the target, or voided here (with ``share`` of
        the voided cases that have come this far)."""
        if self.target == Status.VOIDED and self.rng.random() < share:
            self.add(A.VOID, "staff")
            return True
        return self.target == status

    def plan(self, *, lead: int | None, wrong: int | None, coop: int | None) -> list[Step]:
        """The planned steps, towards the target given at construction."""
        if self.source == Source.SELF_HANDLED:
            pass  # reported already handled on the spot: it starts at checking
        elif self._intake() or self._handling(lead, wrong, coop):
            return self.steps
        if self.target == Status.CHECKING:
            return self.steps
        if self.target == Status.REWORK or self.rng.random() < 0.07:
            self.add(A.REWORK, "field")
            if self.target == Status.REWORK:
                return self.steps
            self._again()
        self.add(A.CLOSE, "field" if self.rng.random() < 0.8 else "staff")
        self._rating()
        return self.steps

    def _intake(self) -> bool:
        """Acceptance, verification of public reports and filing; True when the plan ends."""
        rng, target = self.rng, self.target
        if target == Status.REJECTED:
            self.add(A.REJECT, "staff")
            return True
        if target == Status.REPORTED:
            return True
        self.add(A.ACCEPT, "staff")
        if self.source in PUBLIC_SOURCES and (target == Status.VERIFYING or rng.random() < 0.8):
            self.add(A.REQUEST_VERIFICATION, "staff")
            if self.stop(Status.VERIFYING, 0.4):
                return True
            self.add(A.VERIFY, "field")
        if self.stop("", 0.3):
            return True
        self.add(A.FILE, "staff")
        return self.stop(Status.FILED, 0.5)

    def _dispatch(self, department: int | None, cooperating: list[int]) -> None:
        """Dispatch to ``department`` (with cooperating ones) or, without one, to the grid."""
        if department is None:
            data = {"to_grid": True, "cooperating_departments": []}
        else:
            data = {"lead_department": department, "cooperating_departments": cooperating}
        self.add(A.DISPATCH, "staff", data=data)

    def _handling(self, lead: int | None, wrong: int | None, coop: int | None) -> bool:
        """Dispatch, handling and the detours on the way; True when the plan ends."""
        rng = self.rng
        if wrong is not None:
            self._dispatch(wrong, [])
            if rng.random() < 0.5:
                self.add(A.TAKE, "wrong")
            self.add(A.RETURN, "wrong")
        self._dispatch(lead, [coop] if coop else [])
        if self.target == Status.DISPATCHED:
            return True
        self.add(A.TAKE, "handlers")
        if coop:
            self.add(A.TASK_ACCEPT, "coop")
        if self.target == Status.VOIDED:
            self.add(A.REQUEST_VOID, "handlers")
            return self.stop("")
        side = rng.random()
        if side < 0.03:
            self.add(A.PARK, "staff")
            if self.target != Status.IN_HANDLING or rng.random() < 0.7:
                self.add(A.RESUME, "staff", gap=timedelta(hours=rng.uniform(20, 100)))
        elif side < 0.07:
            self.add(A.REQUEST_EXTENSION, "handlers")
            if rng.random() < 0.8:
                extension = {"amount": rng.choice([1, 2, 3]), "unit": "working_days"}
                self.add(A.APPROVE_EXTENSION, "staff", data=extension)
            else:
                self.add(A.DENY_EXTENSION, "staff")
        elif side < 0.09:
            self.add(A.ESCALATE, "supervisors")
        if self.target == Status.IN_HANDLING:
            return True
        close_out = {}
        if coop and rng.random() < 0.85:
            self.add(A.TASK_DONE, "coop")
        elif coop:
            close_out = {"close_out_reason": "协办单位未按时反馈，由主办单位一并处置"}
        self.add(A.SUBMIT, "handlers", data=close_out)
        if self.target == Status.HANDLED:
            return True
        self.add(A.START_CHECK, "field")
        return False

    def _again(self, optional: bool = False) -> None:
        """Handling once more after rework or a reopened case, up to the check."""
        for action, role in ((A.TAKE, "handlers"), (A.SUBMIT, "handlers")):
            self.add(action, role, optional=optional)
        self.add(A.START_CHECK, "field", optional=optional)

    def _rating(self) -> None:
        """A call-back rating for most public reports (an unsatisfied one sometimes
        reopens the case), else the system's evaluation once the rating window passes;
        whatever would fall after now is left out."""
        rng = self.rng
        if rng.random() < (0.85 if self.source in PUBLIC_SOURCES else 0.25):
            score = pick(rng, SATISFACTION)
            gap = timedelta(hours=rng.uniform(1, 72))
            self.add(A.RATE, "staff", gap=gap, data={"satisfaction": score}, optional=True)
            if score <= 2 and rng.random() < 0.3:
                gap = timedelta(hours=rng.uniform(2, 48))
                self.add(A.REOPEN, "staff", gap=gap, optional=True)
                self._again(optional=True)
                self.add(A.CLOSE, "field", optional=True)
        if self.steps[-1].action == A.CLOSE:
            window = timedelta(days=settings.RATING_WINDOW_DAYS, minutes=rng.uniform(1, 30))
            self.add(A.RATE, "system", gap=window, optional=True, note=rating_note())
