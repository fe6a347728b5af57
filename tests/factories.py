"""Small builders for test data, going through the services like real callers do."""

from __future__ import annotations

import itertools

from grids import services
from grids.models import Community, Component, District, Grid, Street

ORIGIN_LNG, ORIGIN_LAT = 116.10, 35.80
CELL_DEG = 0.001  # about 90 m × 111 m at this latitude

_serial = itertools.count(1)


def square(lng: float, lat: float, size: float = CELL_DEG) -> dict:
    """A closed square GeoJSON Polygon with its south-west corner at (lng, lat)."""
    return {
        "type": "Polygon",
        "coordinates": [
            [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
        ],
    }


def district(code: str = "371523") -> District:
    found = District.objects.filter(code=code).first()
    return found or services.district_create(code=code, name=f"区{code}")


def street(*, parent: District | None = None, number: int = 1) -> Street:
    parent = parent or district()
    code = f"{parent.code}{number:03d}"
    found = Street.objects.filter(code=code).first()
    return found or services.street_create(district=parent, code=code, name=f"街道{number}")


def community(*, parent: Street | None = None, number: int = 1) -> Community:
    parent = parent or street()
    code = f"{parent.code}{number:03d}"
    found = Community.objects.filter(code=code).first()
    return found or services.community_create(street=parent, code=code, name=f"社区{number}")


def grid(
    *,
    parent: Community | None = None,
    number: int = 1,
    lng: float | None = None,
    lat: float | None = None,
    **fields,
) -> Grid:
    """A square grid; by default laid side by side along longitude by grid number."""
    parent = parent or community()
    offset = (int(parent.code[-3:]) - 1) * 0.05 + (int(parent.code[-6:-3]) - 1) * 0.5
    lng = ORIGIN_LNG + offset + (number - 1) * CELL_DEG if lng is None else lng
    lat = ORIGIN_LAT if lat is None else lat
    return services.grid_create(
        community=parent,
        code=f"{parent.code}{number:02d}",
        name=f"网格{number}",
        boundary=square(lng, lat),
        **fields,
    )


def grid_payload(parent: Community, number: int = 1, **overrides) -> dict:
    """The JSON body of POST /api/v1/grids/ for grid ``number`` of ``parent``."""
    body = {
        "community": parent.pk,
        "code": f"{parent.code}{number:02d}",
        "name": f"网格{number}",
        "boundary": square(ORIGIN_LNG + number * 0.01, ORIGIN_LAT),
    }
    body.update(overrides)
    return body


def grids(count: int, *, parent: Community | None = None) -> list[Grid]:
    parent = parent or community()
    return [grid(parent=parent, number=n) for n in range(1, count + 1)]


def component(*, in_grid: Grid, type_code: str = "0101", serial: int | None = None) -> Component:
    serial = next(_serial) if serial is None else serial
    lng = in_grid.centroid_lng
    lat = in_grid.centroid_lat
    return services.component_create(
        code=f"{in_grid.district.code}{type_code}{serial:06d}", lat=lat, lng=lng, name="井盖"
    )
