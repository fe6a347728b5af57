"""The grid worker's REST API under load, through gunicorn, against a reference view
measured in the same run on the same data (issue 8 §1, points 2 and 3).

On the open city of ``bench.city`` (written first if this run has not yet), starts
``gunicorn`` (``BENCH_WEB_WORKERS`` processes, 2, of ``BENCH_WEB_THREADS`` threads, 4) with
``bench.settings`` on a free port and drives it with ``BENCH_CLIENTS`` (8) concurrent
clients for ``BENCH_API_SECONDS`` (15) per phase:

1. reference: ``bench/reference/tickets/`` (``bench.urls``), the worker's first page of 50
   tickets in ONE raw SQL query and ``json.dumps``, no authentication;
2. ticket list: ``GET /api/v1/tickets/``, the same 50 rows (checked), as the phone asks
   for them: a grid worker's device token, the selector, DRF, cursor pagination;
3. worker queue: ``GET /api/v1/me/tasks/`` (the worker's to-do list, page-number pages);
4. writes: each client reports a case in the worker's grid (``POST /api/v1/tickets/``
   with an ``Idempotency-Key``, as a phone does), then the street's command centre accepts
   it (``POST /api/v1/tickets/{id}/accept/``, its own device token), flat out. Each report
   lies at its own point of the grid (``REPORT_POINTS`` drawn inside it, in turn), as
   cases do: reports piled on one spot would make every report's duplicate search sort
   all the earlier ones, a cost that grows with the run, not with the city;
5. the same writes at ``BENCH_WRITE_RATE`` (10) reports a second in all, twice the
   megacity's peak (docs/scaling.md), so the p95 is what a phone meets on a busy day
   rather than at the server's saturation.

Goals at one million tickets: list throughput at least half the reference's, list p95
under 100 ms; create and action p95 under 150 ms (reported for phases 4 and 5). Every
figure is also shown as a ratio against the reference's (throughput, or p95 latency).
"""

from __future__ import annotations

import itertools
import os
import uuid
from typing import Any

from bench.load import ERRORS

GOAL_THROUGHPUT_RATIO = 0.5
GOAL_LIST_P95_MS = 100
GOAL_WRITE_P95_MS = 150
PAGE = 50
REPORT_POINTS = 500


def _people() -> dict[str, Any]:
    """The busiest grid's worker and its street's command-centre staff, with device tokens
    and what the reference needs to answer the worker's rows."""
    from django.db.models import Count

    from grids.models import Grid
    from incidents.models import Category, Ticket
    from personnel.choices import AssignmentState, Role, ScopeType
    from personnel.models import RoleAssignment, User
    from personnel.scope import scope_for
    from personnel.services.auth import device_token_issue

    active = RoleAssignment.objects.filter(state=AssignmentState.ACTIVE)
    staffed = dict(
        active.filter(role=Role.GRID_WORKER, scope_type=ScopeType.GRID).values_list(
            "grid_id", "user_id"
        )
    )
    commanded = active.filter(role=Role.STREET_STAFF, scope_type=ScopeType.STREET)
    streets = commanded.values_list("street_id", flat=True)
    busiest = (
        Ticket.objects.filter(grid_id__in=staffed, street_id__in=list(streets))
        .values("grid_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    grid = Grid.objects.get(pk=busiest["grid_id"])
    worker = User.objects.get(pk=staffed[grid.pk])
    staff = User.objects.get(
        pk=commanded.filter(street_id=grid.street_id).values_list("user_id", flat=True)[0]
    )
    scope = scope_for(worker)
    area = {
        "district_id": scope.district_ids,
        "street_id": scope.street_ids,
        "community_id": scope.community_ids,
        "grid_id": scope.grid_ids,
    }
    query = "&".join(f"{k}={','.join(map(str, sorted(v)))}" for k, v in area.items() if v)
    category = Category.objects.filter(active=True, parent__isnull=False).order_by("pk").first()
    return {
        "grid": grid,
        "grid tickets": busiest["n"],
        "worker token": device_token_issue(user=worker, device="bench worker")[1],
        "staff token": device_token_issue(user=staff, device="bench staff")[1],
        "reference path": f"/bench/reference/tickets/?{query}&reporter={worker.pk}",
        "reports": [
            {"source": "patrol", "category": category.pk, "description": "bench"}
            | {"lat": lat, "lng": lng}
            for lat, lng in _points_in(grid, REPORT_POINTS)
        ],
        "scope is global": scope.is_global,
    }


def _points_in(grid, count: int) -> list[tuple[float, float]]:
    """``count`` points spread over ``grid`` (the same ones every run), each one that the
    grid locator places in it, so that every report lands in the worker's grid."""
    import random

    from shapely.geometry import shape

    from grids.locate import locate_grid_id

    boundary = shape(grid.boundary)
    west, south, east, north = boundary.bounds
    draw = random.Random(grid.pk)
    points: list[tuple[float, float]] = []
    while len(points) < count:
        lat = round(draw.uniform(south, north), 6)
        lng = round(draw.uniform(west, east), 6)
        if locate_grid_id(lat, lng) == grid.pk:
            points.append((lat, lng))
    return points


def shares_database() -> bool:
    """Run on the open city that ``bench.city`` wrote in this run, if it did."""
    from bench import city

    return city.seeded()


def run() -> dict[str, Any]:
    """The four load phases of the module docstring, each against the reference phase's
    throughput or p95 (the reference runs first, on the same server and data)."""
    from django.db import connection

    from bench import city
    from bench.load import Server, request, run_load

    seeded = city.ensure()
    people = _people()
    assert not people["scope is global"], "the worker must see their area only"
    worker = {"Authorization": f"Token {people['worker token']}"}
    staff = {"Authorization": f"Token {people['staff token']}"}
    reference_path, reports = people["reference path"], itertools.cycle(people["reports"])
    clients = int(os.environ.get("BENCH_CLIENTS", 8))
    seconds = float(os.environ.get("BENCH_API_SECONDS", 15))
    workers = int(os.environ.get("BENCH_WEB_WORKERS", 2))
    threads = int(os.environ.get("BENCH_WEB_THREADS", 4))
    write_rate = float(os.environ.get("BENCH_WRITE_RATE", 10))
    connection.close()  # the server's processes open their own

    def reference(conn, timed):
        timed("reference", "GET", reference_path)

    def ticket_list(conn, timed):
        timed("list", "GET", "/api/v1/tickets/", headers=worker)

    def queue(conn, timed):
        timed("queue", "GET", "/api/v1/me/tasks/", headers=worker)

    def write(conn, timed):
        key = {"Idempotency-Key": str(uuid.uuid4()), **worker}
        status, created = timed("create", "POST", "/api/v1/tickets/", next(reports), key)
        if status == 201:
            timed("accept", "POST", f"/api/v1/tickets/{created['id']}/accept/", {}, staff)

    with Server(workers, threads) as server:
        port = server.port
        # The same rows both ways, before anything is timed (and every process warmed).
        status, page = request(port, "GET", "/api/v1/tickets/", headers=worker)
        assert status == 200, (status, page)
        status, mirror = request(port, "GET", reference_path)
        assert status == 200, (status, mirror)
        api_ids = [row["id"] for row in page["results"]]
        assert api_ids == [row["id"] for row in mirror["results"]], "not the same rows"
        for step in (reference, ticket_list, queue, write):
            run_load(port, clients, min(seconds, 2), step)  # warm every worker
        ref = run_load(port, clients, seconds, reference)
        listed = run_load(port, clients, seconds, ticket_list)
        queued = run_load(port, clients, seconds, queue)
        written = run_load(port, clients, seconds, write)
        paced = run_load(port, clients, seconds, write, per_s=write_rate)
    errors = ref.errors + listed.errors + queued.errors + written.errors + paced.errors
    for kind, status, answer in errors[:3]:
        print(f"  error: {kind} answered {status}: {str(answer)[:300]}")
    ref_p95, list_p95 = ref.p95_ms("reference"), listed.p95_ms("list")
    create_p95, accept_p95 = written.p95_ms("create"), written.p95_ms("accept")
    ratio = listed.per_s() / ref.per_s()
    # A goal holds only for a phase whose every answer was 2xx: errors answer fast.
    list_clean, write_clean = not (ref.errors or listed.errors), not written.errors
    print(f"  grid {people['grid'].code}: {people['grid tickets']:,} tickets in the worker's grid")
    return {
        "tickets in the database": seeded["tickets"],
        "tickets in the worker's grid": people["grid tickets"],
        "rows per page": len(api_ids),
        "clients": clients,
        "gunicorn workers": workers,
        "gunicorn threads per worker": threads,
        "reference: req/s": ref.per_s(),
        "reference: p95 ms": ref_p95,
        "ticket list: req/s": listed.per_s(),
        "ticket list: median ms": listed.median_ms("list"),
        "ticket list: p95 ms": list_p95,
        "ticket list / reference throughput": ratio,
        f"ticket list throughput goal (>= {GOAL_THROUGHPUT_RATIO}) held": (
            list_clean and ratio >= GOAL_THROUGHPUT_RATIO
        ),
        "ticket list / reference p95": list_p95 / ref_p95,
        f"ticket list p95 goal ({GOAL_LIST_P95_MS} ms) held": (
            list_clean and list_p95 < GOAL_LIST_P95_MS
        ),
        "worker queue (me/tasks): req/s": queued.per_s(),
        "worker queue: p95 ms": queued.p95_ms("queue"),
        "worker queue / reference throughput": queued.per_s() / ref.per_s(),
        "create + accept pairs": written.count("accept"),
        "create: p95 ms": create_p95,
        "create / reference p95": create_p95 / ref_p95,
        f"create p95 goal ({GOAL_WRITE_P95_MS} ms) held": (
            write_clean and create_p95 < GOAL_WRITE_P95_MS
        ),
        "accept: p95 ms": accept_p95,
        "accept / reference p95": accept_p95 / ref_p95,
        f"accept p95 goal ({GOAL_WRITE_P95_MS} ms) held": (
            write_clean and accept_p95 < GOAL_WRITE_P95_MS
        ),
        **_paced_figures(paced, ref_p95, write_rate),
        ERRORS: len(errors),
    }


def _paced_figures(paced, ref_p95: float, rate: float) -> dict[str, Any]:
    at = f"at {rate:g} reports/s"
    figures: dict[str, Any] = {f"{at}: create + accept pairs per s": paced.per_s("accept")}
    for kind in ("create", "accept"):
        p95 = paced.p95_ms(kind)
        figures |= {
            f"{at}: {kind} p95 ms": p95,
            f"{at}: {kind} / reference p95": p95 / ref_p95,
            f"{at}: {kind} p95 goal ({GOAL_WRITE_P95_MS} ms) held": (
                not paced.errors and p95 < GOAL_WRITE_P95_MS
            ),
        }
    return figures
