"""Point-in-grid lookup over GRIDS (10,000) square grids of 32 vertices each, measured in
the same run against a linear scan over every polygon and against the stamp query every
single lookup makes.

Goal (issue 8): at least 50,000 lookups/s over 10,000 grids. Measured two ways:

* a batch (``locate_grid_ids``: patrol tracks, imports, the demo city): one stamp read,
  then the index answers every point in a few array operations. This is the lookup rate
  the goal is held against;
* one point at a time (``locate_grid_id``: a report, a patrol check-in), where the stamp
  query that keeps every process's index current is most of the cost; its reference is
  that query alone, so the figure shows how close the lookup comes to the database's floor.
"""

from __future__ import annotations

import random
import time

GRIDS = 10_000
POINTS = 100_000
SINGLES = 5_000
SCANNED = 100  # the linear scan is slow; it gets a subset and is compared per point
SIDE = 100  # 100 × 100 lattice of 0.001° cells
EDGE_POINTS = 8
GOAL_LOOKUPS_PER_S = 50_000


def _ring(lng: float, lat: float) -> list[list[float]]:
    """A 0.001° square traced with EDGE_POINTS vertices a side, as a surveyed boundary has
    tens of vertices rather than four (a point-in-polygon test costs by the vertex)."""
    step = 0.001 / EDGE_POINTS
    ring = [[lng + k * step, lat] for k in range(EDGE_POINTS)]
    ring += [[lng + 0.001, lat + k * step] for k in range(EDGE_POINTS)]
    ring += [[lng + 0.001 - k * step, lat + 0.001] for k in range(EDGE_POINTS)]
    ring += [[lng, lat + 0.001 - k * step] for k in range(EDGE_POINTS)]
    return [*ring, ring[0]]


def _seed() -> None:
    from grids import geometry, services
    from grids.models import Community, District, Grid, Street

    district = District.objects.create(code="371523", name="Bench")
    street = Street.objects.create(district=district, code="371523001", name="Bench")
    communities = [
        Community.objects.create(street=street, code=f"371523001{n:03d}", name=f"Bench {n}")
        for n in range(1, GRIDS // 500 + 2)
    ]
    rows = []
    for index in range(GRIDS):
        lng = 116.1 + (index % SIDE) * 0.001
        lat = 35.8 + (index // SIDE) * 0.001
        boundary = {"type": "Polygon", "coordinates": [_ring(lng, lat)]}
        derived = geometry.derive(geometry.parse_boundary(boundary))
        rows.append(
            Grid(
                community=communities[index // 500],
                street=street,
                district=district,
                code=f"{communities[index // 500].code}{index % 500:03d}",
                name=f"G{index}",
                boundary=boundary,
                centroid_lat=derived.centroid_lat,
                centroid_lng=derived.centroid_lng,
                bbox=derived.bbox,
                area_m2=derived.area_m2,
            )
        )
    Grid.objects.bulk_create(rows, batch_size=500)
    services.grid_index_touch()


def run() -> dict[str, float | bool]:
    from shapely.geometry import Point, shape

    from grids import locate
    from grids.models import Grid

    _seed()
    rng = random.Random(7)
    # A twentieth of the points fall outside the city, as mistyped or far-off reports do.
    points = [
        (35.8 + rng.uniform(-0.05, 1.05) * SIDE * 0.001, 116.1 + rng.random() * SIDE * 0.001)
        for _ in range(POINTS)
    ]
    polygons = [(g.pk, shape(g.boundary)) for g in Grid.objects.order_by("code")]

    started = time.perf_counter()
    scan_hits = [
        next((pk for pk, polygon in polygons if polygon.covers(Point(lng, lat))), None)
        for lat, lng in points[:SCANNED]
    ]
    scan = (time.perf_counter() - started) / SCANNED

    locate.locate_grid_id(*points[0])  # build the index once, as a warm process has it
    started = time.perf_counter()
    batch_hits = locate.locate_grid_ids(points)
    batched = (time.perf_counter() - started) / POINTS

    started = time.perf_counter()
    single_hits = [locate.locate_grid_id(lat, lng) for lat, lng in points[:SINGLES]]
    single = (time.perf_counter() - started) / SINGLES

    started = time.perf_counter()
    for _ in range(SINGLES):
        locate.current_stamp()
    stamp = (time.perf_counter() - started) / SINGLES

    assert scan_hits == batch_hits[:SCANNED], "the index must answer as the linear scan does"
    assert single_hits == batch_hits[:SINGLES], "a batch must answer as single lookups do"
    return {
        "grids": GRIDS,
        "points (batch)": POINTS,
        "points found in no grid": batch_hits.count(None),
        "linear scan µs/point": scan * 1e6,
        "batch: lookups/s": 1 / batched,
        "batch: speed-up vs linear scan": scan / batched,
        f"batch: lookups/s / goal ({GOAL_LOOKUPS_PER_S:,}/s)": 1 / batched / GOAL_LOOKUPS_PER_S,
        "batch goal held": 1 / batched >= GOAL_LOOKUPS_PER_S,
        "single: lookups/s (each reads the stamp)": 1 / single,
        "single: reference, stamp queries/s alone": 1 / stamp,
        "single lookup / stamp query alone throughput": stamp / single,
    }
