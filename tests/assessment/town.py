"""A small town for the score and ranking tests, with rollup rows written by hand so that
every expected number can be worked out on paper.

District D: street S1 (communities C1 with grids G1, G2, and C2 with G3) and street S2
(community C3 with G4). Grid workers w1 (G1), w2 (G2) employed by S1, w3 (G4) by S2.
Departments: A of S1, B of the district. Supervisor of D, street staff of S1 and of S2,
A's handler, a supervisor of another district, and a superuser.
"""

from __future__ import annotations

from datetime import date

from assessment.models import DepartmentDay, GridDay, GridDayTotal, WorkerDay
from assessment.services.grid_days import grid_day_totals_write
from incidents.services import category_create
from personnel.services.workers import grid_assignment_create
from tests import factories, people

OCTOBER = date(2026, 10, 1)
DAY = date(2026, 10, 5)


def build_town() -> dict:
    district = factories.district()
    s1, s2 = factories.street(parent=district), factories.street(parent=district, number=2)
    c1, c2 = factories.community(parent=s1), factories.community(parent=s1, number=2)
    c3 = factories.community(parent=s2)
    g1, g2 = factories.grids(2, parent=c1)
    g3, g4 = factories.grid(parent=c2), factories.grid(parent=c3)
    root = people.root()
    town = {
        "district": district,
        "streets": (s1, s2),
        "communities": (c1, c2, c3),
        "grids": (g1, g2, g3, g4),
        "category": category_create(code="E01", kind="event", name="市容环境"),
        "departments": (
            people.department(code="DA", street=s1),
            people.department(code="DB", district=district),
        ),
        "root": root,
    }
    workers = []
    for number, (street, grid) in enumerate(((s1, g1), (s1, g2), (s2, g4)), 1):
        person = people.user(f"w{number}", full_name=f"网格员{number}")
        profile = people.worker_profile(person, street=street, number=f"W{number:03d}")
        grid_assignment_create(created_by=root, worker=profile, grid=grid, kind="primary")
        workers.append(person)
    town["workers"] = tuple(workers)
    town["supervisor"] = people.with_role("supervisor", district, "sup")
    town["staff"] = people.with_role("street_staff", s1, "staff1")
    town["staff2"] = people.with_role("street_staff", s2, "staff2")
    town["handler"] = people.with_role("dept_handler", town["departments"][0], "handler")
    town["far_supervisor"] = people.with_role(
        "supervisor", factories.district(code="371524"), "far"
    )
    return town


def grid_day(town: dict, grid, *, day: date = DAY, source: str = "patrol", **counts) -> GridDay:
    row = GridDay.objects.create(
        day=day,
        district_id=grid.district_id,
        street_id=grid.street_id,
        community_id=grid.community_id,
        grid=grid,
        category=town["category"],
        source=source,
        **counts,
    )
    # The grid's total of the day, as the rollup jobs write it with its GridDay rows.
    GridDayTotal.objects.filter(grid=grid, day=day).delete()
    grid_day_totals_write(GridDay.objects.filter(grid=grid, day=day))
    return row


def worker_day(worker, *, day: date = DAY, **counts) -> WorkerDay:
    return WorkerDay.objects.create(worker=worker, day=day, **counts)


def department_day(department, *, day: date = DAY, **counts) -> DepartmentDay:
    return DepartmentDay.objects.create(department=department, day=day, **counts)


def october_rows(town: dict) -> None:
    """The figures of October worked out in the tests:

    * w1: reports 10 (6 + 4 on two days), valid 9, own grids filed 10 with 2 from the
      public, verifications 4 of 4 on time, checks 4 of 5 on time →
      0.4 × 90 + 0.2 × (100 − 20) + 0.2 × 100 + 0.2 × 80 = 88.00 (B);
    * w2: reports 4, valid 2, nothing else → 50.00 (D); w3: nothing (no score);
    * department A: dispatched 22, returned 2, handled 20 (18 on time), reworks 2,
      closed 19 → 2 + 0.3 × 95 + 0.3 × 90 + 0.3 × (100 − 10) = 84.50 (B); B: nothing;
    * community C1 (grid G1): patrol filed 8, closed 9 (8 on time); hotline filed 2, closed
      2 (1 on time); self-handled reported 2, closed 1 (on time); 10 ratings, 1 unsatisfied
      → closure 12/12 = 100, on time 10/12 = 83.33, public 2/10 = 20, satisfaction 90 →
      0.3 × 100 + 0.3 × 83.33 + 0.2 × 90 + 0.2 × 80 = 89.00 (B);
    * community C2 (grid G3): patrol filed 4, closed 2 (1 on time) → closure 50, on time
      25, public 0, no rating → (0.3 × 50 + 0.3 × 25 + 0.2 × 100) / 0.8 = 53.13 (D);
    * a November row of w1 that October never counts.
    """
    w1, w2, _w3 = town["workers"]
    g1, _g2, g3, _g4 = town["grids"]
    worker_day(w1, reports=6, valid_reports=5, grid_filed=6, grid_public_filed=1)
    worker_day(
        w1,
        day=date(2026, 10, 20),
        reports=4,
        valid_reports=4,
        grid_filed=4,
        grid_public_filed=1,
        verifications=4,
        verifications_on_time=4,
        checks=5,
        checks_on_time=4,
    )
    worker_day(w1, day=date(2026, 11, 2), reports=50)
    worker_day(w2, reports=4, valid_reports=2)
    department_day(
        town["departments"][0],
        dispatched=22,
        returned=2,
        handled=20,
        handled_on_time=18,
        reworks=2,
        closed=19,
    )
    grid_day(town, g1, filed=8, closed=9, closed_on_time=8, rated=10, unsatisfied=1)
    grid_day(town, g1, source="hotline", filed=2, closed=2, closed_on_time=1)
    grid_day(town, g1, source="self_handled", reported=2, closed=1, closed_on_time=1)
    grid_day(town, g3, filed=4, closed=2, closed_on_time=1)
