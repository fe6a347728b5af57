"""Point-in-grid lookup: the STRtree index against a linear scan, measured in the same run.

Builds a city of GRIDS square grids in a scratch SQLite database, then locates random points
two ways: a linear scan over every polygon (the reference) and grids.locate.locate_grid_id
(the index plus the stamp query every lookup makes). Reports the speed-up over the scan.
"""

from __future__ import annotations

import random
import time

GRIDS = 2_500
POINTS = 5_000
SCANNED = 300  # the linear scan is slow; it gets a subset and is compared per point
SIDE = 50  # 50 × 50 lattice of 0.001° cells


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
        ring = [[lng, lat], [lng + 0.001, lat], [lng + 0.001, lat + 0.001], [lng, lat + 0.001]]
        boundary = {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
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


def run() -> dict[str, float]:
    from shapely.geometry import Point, shape

    from grids import locate
    from grids.models import Grid

    _seed()
    rng = random.Random(7)
    points = [
        (35.8 + rng.random() * SIDE * 0.001, 116.1 + rng.random() * SIDE * 0.001)
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
    index_hits = [locate.locate_grid_id(lat, lng) for lat, lng in points]
    indexed = (time.perf_counter() - started) / POINTS

    assert scan_hits == index_hits[:SCANNED], "the index must answer as the linear scan does"
    return {
        "points": POINTS,
        "grids": GRIDS,
        "linear scan µs/point": scan * 1e6,
        "locate µs/point (with stamp query)": indexed * 1e6,
        "speed-up vs linear scan": scan / indexed,
    }
