"""The grids app's part of ``manage.py seed_demo``: a county-seat demo city.

One district near 35.80 N, 116.10 E, four streets, 22 communities, 234 management grids
tiling them exactly and a few hundred urban components. The city is computed in memory first
(deterministic, seeded random), then written with ``bulk_create`` after running each row
through the model's validation; derived figures come from :func:`grids.geometry.derive` and
the grid-index stamp is bumped once at the end.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely import Point, STRtree, unary_union
from shapely.geometry import Polygon, box, mapping
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from gridgov.demo import DemoContext, register
from grids import geometry
from grids.choices import CommunityKind, GridKind
from grids.component_catalogue import COMPONENT_TYPES
from grids.demo_data import (
    CELL_LAT,
    CELL_LNG,
    CENTRE_LAT,
    CENTRE_LNG,
    COLUMNS,
    COMPONENT_KEEPERS,
    COMPONENT_WEIGHTS,
    DISTRICT_CODE,
    DISTRICT_NAME,
    JITTER,
    ROWS,
    STATE_WEIGHTS,
    STREETS,
)
from grids.models import Community, Component, ComponentType, District, Grid, Street
from grids.services import OVERLAP_TOLERANCE_M2, grid_index_touch

DEMO_SEED = 2026


@dataclass
class PlaceSpec:
    code: str
    name: str
    name_en: str
    geom: BaseGeometry
    parent_code: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def boundary(self) -> dict:
        return to_geojson(self.geom)


@dataclass
class ComponentSpec:
    code: str
    grid_code: str
    lat: float
    lng: float
    name: str
    address: str
    owner: str
    maintainer: str
    state: str


@dataclass
class DemoCity:
    district: PlaceSpec
    streets: list[PlaceSpec]
    communities: list[PlaceSpec]
    grids: list[PlaceSpec]
    components: list[ComponentSpec]


def to_geojson(geom: BaseGeometry) -> dict:
    """A GeoJSON dict with lists (not tuples), exterior rings counter-clockwise."""
    if geom.geom_type == "Polygon":
        geom = orient(geom, 1.0)
    elif geom.geom_type == "MultiPolygon":
        geom = type(geom)([orient(part, 1.0) for part in geom.geoms])

    def listify(value: Any) -> Any:
        if isinstance(value, list | tuple):
            return [listify(item) for item in value]
        return value

    data = mapping(geom)
    return {"type": data["type"], "coordinates": listify(data["coordinates"])}


def _lattice(rng: random.Random) -> list[list[tuple[float, float]]]:
    """Vertices [row][column] of the district's lattice: uneven spacing plus jitter.

    Every cell uses its four corner vertices from this one table, so two neighbouring cells
    share an edge exactly whatever the jitter.
    """
    west = CENTRE_LNG - COLUMNS * CELL_LNG / 2
    north = CENTRE_LAT + ROWS * CELL_LAT / 2
    xs = [west]
    for _column in range(COLUMNS):
        xs.append(xs[-1] + CELL_LNG * rng.uniform(0.85, 1.15))
    ys = [north]
    for _row in range(ROWS):
        ys.append(ys[-1] - CELL_LAT * rng.uniform(0.85, 1.15))
    vertices = []
    for y in ys:
        row = []
        for x in xs:
            dx = rng.uniform(-JITTER, JITTER) * CELL_LNG
            dy = rng.uniform(-JITTER, JITTER) * CELL_LAT
            row.append((round(x + dx, 6), round(y + dy, 6)))
        vertices.append(row)
    return vertices


def _cell(vertices: list[list[tuple[float, float]]], row: int, column: int) -> Polygon:
    nw, ne = vertices[row][column], vertices[row][column + 1]
    sw, se = vertices[row + 1][column], vertices[row + 1][column + 1]
    return Polygon([sw, se, ne, nw, sw])  # counter-clockwise


def _inside_point(rng: random.Random, polygon: Polygon) -> tuple[float, float]:
    """A random point well inside ``polygon`` (a few metres from any edge)."""
    min_x, min_y, max_x, max_y = polygon.bounds
    while True:
        point = Point(rng.uniform(min_x, max_x), rng.uniform(min_y, max_y))
        if polygon.contains(point) and polygon.exterior.distance(point) > 0.00005:
            return round(point.y, 6), round(point.x, 6)


def build_city(seed: int = DEMO_SEED) -> DemoCity:
    """The demo city, the same for the same seed (nothing is written)."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    vertices = _lattice(rng)
    streets: list[PlaceSpec] = []
    communities: list[PlaceSpec] = []
    grids: list[PlaceSpec] = []
    for s_number, s_name, s_en, first_col, first_row, widths, heights, members in STREETS:
        street_code = f"{DISTRICT_CODE}{s_number:03d}"
        street_communities = []
        slots = [
            (row0, col0, height, width)
            for row0, height in zip(_starts(first_row, heights), heights, strict=True)
            for col0, width in zip(_starts(first_col, widths), widths, strict=True)
        ]
        for (row0, col0, height, width), member in zip(slots, members, strict=True):
            c_number, c_name, c_en, kind = member
            community_code = f"{street_code}{c_number:03d}"
            cells = []
            number = 0
            for row in range(row0, row0 + height):
                for column in range(col0, col0 + width):
                    number += 1
                    cell = _cell(vertices, row, column)
                    cells.append(cell)
                    grids.append(_grid_spec(rng, community_code, c_name, c_en, kind, number, cell))
            community = PlaceSpec(
                code=community_code,
                name=c_name,
                name_en=c_en,
                geom=unary_union(cells),
                parent_code=street_code,
                fields={"kind": kind},
            )
            street_communities.append(community)
        communities.extend(street_communities)
        streets.append(
            PlaceSpec(
                code=street_code,
                name=s_name,
                name_en=s_en,
                geom=unary_union([c.geom for c in street_communities]),
                parent_code=DISTRICT_CODE,
            )
        )
    district = PlaceSpec(
        code=DISTRICT_CODE,
        name=DISTRICT_NAME[0],
        name_en=DISTRICT_NAME[1],
        geom=unary_union([s.geom for s in streets]),
    )
    return DemoCity(
        district=district,
        streets=streets,
        communities=communities,
        grids=grids,
        components=_components(rng, grids),
    )


def _starts(first: int, sizes: list[int]) -> list[int]:
    starts, at = [], first
    for size in sizes:
        starts.append(at)
        at += size
    return starts


def _grid_spec(
    rng: random.Random,
    community_code: str,
    community_name: str,
    community_en: str,
    kind: str,
    number: int,
    cell: Polygon,
) -> PlaceSpec:
    if kind == CommunityKind.VILLAGE:
        households = rng.randint(110, 240)
        buildings = rng.randint(40, 95)  # farmhouses
    else:
        households = rng.randint(180, 460)
        buildings = rng.randint(3, 16)  # blocks of flats
    population = round(households * rng.uniform(2.4, 3.1))
    return PlaceSpec(
        code=f"{community_code}{number:02d}",
        name=f"{community_name}第{number}网格",
        name_en=f"{community_en} grid {number}",
        geom=cell,
        parent_code=community_code,
        fields={
            "kind": GridKind.MANAGEMENT,
            "population": population,
            "households": households,
            "buildings": buildings,
        },
    )


def _components(rng: random.Random, grids: list[PlaceSpec]) -> list[ComponentSpec]:
    classes = list(COMPONENT_WEIGHTS)
    weights = [COMPONENT_WEIGHTS[c] for c in classes]
    names = {f"{major}{minor}": name for major, minor, name, _en in COMPONENT_TYPES}
    states = [state for state, _w in STATE_WEIGHTS]
    state_weights = [w for _s, w in STATE_WEIGHTS]
    serials: dict[str, int] = {}
    components = []
    for grid in grids:
        for _index in range(rng.choice((0, 1, 1, 2, 2, 2, 3))):
            class_code = rng.choices(classes, weights)[0]
            serials[class_code] = serials.get(class_code, 0) + 1
            lat, lng = _inside_point(rng, grid.geom)
            owner, maintainer = (
                COMPONENT_KEEPERS.get(class_code) or COMPONENT_KEEPERS[class_code[:2]]
            )
            components.append(
                ComponentSpec(
                    code=f"{DISTRICT_CODE}{class_code}{serials[class_code]:06d}",
                    grid_code=grid.code,
                    lat=lat,
                    lng=lng,
                    name=names[class_code],
                    address=grid.name,
                    owner=owner,
                    maintainer=maintainer,
                    state=rng.choices(states, state_weights)[0],
                )
            )
    return components


# ---------------------------------------------------------------------------------------------
# Writing: upsert by code, validating every row like the services do
# ---------------------------------------------------------------------------------------------

ModelT = type[models.Model]


def _differs(instance: models.Model, name: str, value: Any) -> bool:
    if isinstance(value, models.Model):
        return getattr(instance, f"{name}_id") != value.pk
    return getattr(instance, name) != value


def _prepare(instance: models.Model, *, exclude: list[str]) -> None:
    """Model validation without per-row queries (related objects are set in memory, codes
    are checked for uniqueness by the upsert itself), then the derived geometry figures."""
    instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    if getattr(instance, "boundary", None) is not None:
        derived = geometry.derive(geometry.parse_boundary(instance.boundary))
        instance.centroid_lat = derived.centroid_lat
        instance.centroid_lng = derived.centroid_lng
        instance.bbox = derived.bbox
        instance.area_m2 = derived.area_m2


def _upsert(
    ctx: DemoContext,
    model: ModelT,
    rows: list[tuple[str, dict[str, Any]]],
    *,
    label: str,
    exclude: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Create missing rows and bring differing ones back to the demo values; returns the
    rows by code, related objects from ``rows`` set in memory. Updated rows get their
    version bumped like a service update."""
    codes = [code for code, _values in rows]
    existing = {obj.code: obj for obj in model.objects.filter(code__in=codes)}
    result: dict[str, Any] = {}
    to_create = []
    step = len(rows) if len(rows) < 20 else len(rows) // 4
    for done, (code, values) in enumerate(rows, start=1):
        instance = existing.get(code)
        if instance is None:
            instance = model(code=code, **values)
            _prepare(instance, exclude=list(exclude))
            to_create.append(instance)
            ctx.count(label, "created")
        elif any(_differs(instance, name, value) for name, value in values.items()):
            for name, value in values.items():
                setattr(instance, name, value)
            _prepare(instance, exclude=list(exclude))
            update = {
                f.attname: getattr(instance, f.attname)
                for f in model._meta.concrete_fields
                if not f.primary_key and f.attname not in ("version", "created_at", "updated_at")
            }
            model.objects.filter(pk=instance.pk).update(
                version=F("version") + 1, updated_at=timezone.now(), **update
            )
            ctx.count(label, "updated")
            ctx.data.setdefault("changed", set()).add(model)
        else:
            for name, value in values.items():
                if isinstance(value, models.Model):
                    setattr(instance, name, value)  # same id: fills the cache, no query later
            ctx.count(label, "unchanged")
        result[code] = instance
        if done % step == 0 or done == len(rows):
            ctx.progress(label, done, len(rows))
    if to_create:
        model.objects.bulk_create(to_create, batch_size=500)
        ctx.data.setdefault("changed", set()).add(model)
        if any(instance.pk is None for instance in to_create):  # backends without RETURNING
            ids = dict(model.objects.filter(code__in=codes).values_list("code", "id"))
            for instance in to_create:
                instance.pk = ids[instance.code]
    return result


def _place_values(spec: PlaceSpec, **parents: models.Model) -> dict[str, Any]:
    return {
        "name": spec.name,
        "name_en": spec.name_en,
        "active": True,
        "boundary": spec.boundary,
        **spec.fields,
        **parents,
    }


def _check_other_grids(city: DemoCity) -> None:
    """Active grids that are not the demo's may not overlap a demo grid (the services' rule,
    applied across communities as the importer does); raises ValidationError naming them."""
    demo_codes = {spec.code for spec in city.grids}
    envelope = box(*city.district.geom.bounds)
    shapes = [spec.geom for spec in city.grids]
    tree = STRtree(shapes)
    rows = Grid.objects.filter(active=True).exclude(code__in=demo_codes)
    for code, name, boundary, bbox in rows.values_list("code", "name", "boundary", "bbox"):
        if boundary is None or (bbox and not envelope.intersects(box(*bbox))):
            continue
        other = geometry.parse_boundary(boundary)
        for hit in tree.query(other, predicate="intersects"):
            shared = geometry.overlap_m2(other, shapes[hit])
            if shared > OVERLAP_TOLERANCE_M2:
                raise ValidationError(
                    _(
                        "Grid %(code)s (%(name)s) overlaps the demo grid %(demo)s by %(area).1f "
                        "m²; move or deactivate it before seeding the demo city."
                    )
                    % {"code": code, "name": name, "demo": city.grids[hit].code, "area": shared}
                )


@register("grids: demo city", order=10)
def seed_city(ctx: DemoContext) -> None:
    """District, streets, communities, grids and urban components of the demo city."""
    city = build_city()
    _check_other_grids(city)
    districts = _upsert(
        ctx, District, [(city.district.code, _place_values(city.district))], label=_("districts")
    )
    district = districts[city.district.code]
    streets = _upsert(
        ctx,
        Street,
        [(s.code, _place_values(s, district=district)) for s in city.streets],
        label=_("streets"),
        exclude=("district",),
    )
    communities = _upsert(
        ctx,
        Community,
        [(c.code, _place_values(c, street=streets[c.parent_code])) for c in city.communities],
        label=_("communities"),
        exclude=("street",),
    )
    grid_rows = []
    for spec in city.grids:
        community = communities[spec.parent_code]
        street = streets[community.code[:9]]
        values = _place_values(spec, community=community, street=street, district=district)
        grid_rows.append((spec.code, values))
    grids = _upsert(
        ctx,
        Grid,
        grid_rows,
        label=_("grids"),
        exclude=("community", "street", "district"),
    )
    if Grid in ctx.data.get("changed", ()):
        grid_index_touch()
    types = _component_types()
    component_rows = [
        (
            spec.code,
            {
                "type": types[spec.code[6:10]],
                "grid": grids[spec.grid_code],
                "name": spec.name,
                "lat": spec.lat,
                "lng": spec.lng,
                "address": spec.address,
                "owner": spec.owner,
                "maintainer": spec.maintainer,
                "state": spec.state,
                "active": True,
            },
        )
        for spec in city.components
    ]
    _upsert(ctx, Component, component_rows, label=_("components"), exclude=("type", "grid"))
    ctx.data["district"] = district
    ctx.data["city"] = city


def _component_types() -> dict[str, ComponentType]:
    types = {t.class_code: t for t in ComponentType.objects.all()}
    for major, minor, name, name_en in COMPONENT_TYPES:
        if f"{major}{minor}" not in types:
            types[f"{major}{minor}"] = ComponentType.objects.create(
                major_class=major, minor_class=minor, name=name, name_en=name_en
            )
    return types
