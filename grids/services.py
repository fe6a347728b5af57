"""Writes to places and components. Every change to a grid's boundary or active flag bumps
the grid-index stamp in the same transaction, so every process rebuilds its locate index."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from gridgov.versioning import save_versioned
from grids import geometry
from grids.models import (
    Community,
    Component,
    ComponentType,
    District,
    Grid,
    GridIndexStamp,
    Street,
)

OVERLAP_TOLERANCE_M2 = 1.0
PlaceT = TypeVar("PlaceT", bound=models.Model)


def grid_index_touch() -> None:
    """Tell every process that grid geometry changed (read by grids.locate)."""
    token = uuid.uuid4()
    if not GridIndexStamp.objects.filter(pk=1).update(token=token):
        GridIndexStamp.objects.create(pk=1, token=token)


def _apply_boundary(instance: Any) -> None:
    if instance.boundary is None:
        instance.centroid_lat = instance.centroid_lng = instance.bbox = instance.area_m2 = None
        return
    derived = geometry.derive(geometry.parse_boundary(instance.boundary))
    instance.centroid_lat = derived.centroid_lat
    instance.centroid_lng = derived.centroid_lng
    instance.bbox = derived.bbox
    instance.area_m2 = derived.area_m2


def _check_grid_overlap(grid: Grid) -> None:
    """Grids of one community may not overlap by more than OVERLAP_TOLERANCE_M2."""
    if not grid.active or grid.boundary is None:
        return
    mine = geometry.parse_boundary(grid.boundary)
    others = Grid.objects.filter(
        community_id=grid.community_id, active=True, boundary__isnull=False
    ).exclude(pk=grid.pk)
    if grid.bbox:
        min_x, min_y, max_x, max_y = grid.bbox
        candidates = [
            other
            for other in others.only("id", "code", "name", "boundary", "bbox")
            if other.bbox is None
            or not (
                other.bbox[0] > max_x
                or other.bbox[2] < min_x
                or other.bbox[1] > max_y
                or other.bbox[3] < min_y
            )
        ]
    else:
        candidates = list(others)
    for other in candidates:
        shared = geometry.overlap_m2(mine, geometry.parse_boundary(other.boundary))
        if shared > OVERLAP_TOLERANCE_M2:
            raise ValidationError(
                {
                    "boundary": _(
                        "The boundary overlaps grid %(code)s (%(name)s) by %(area).1f m²."
                    )
                    % {"code": other.code, "name": other.name, "area": shared}
                }
            )


def _set_fields(instance: PlaceT, fields: dict[str, Any]) -> PlaceT:
    for name, value in fields.items():
        setattr(instance, name, value)
    return instance


def _place_create(place: PlaceT) -> PlaceT:
    place.full_clean()
    _apply_boundary(place)
    place.save()
    return place


@transaction.atomic
def district_create(*, code: str, name: str, **fields: Any) -> District:
    """Create a district; its boundary, if given, is validated and measured."""
    return _place_create(District(code=code, name=name, **fields))


@transaction.atomic
def street_create(*, district: District, code: str, name: str, **fields: Any) -> Street:
    """Create a street under ``district``; the code must extend the district's."""
    return _place_create(Street(district=district, code=code, name=name, **fields))


@transaction.atomic
def community_create(*, street: Street, code: str, name: str, **fields: Any) -> Community:
    """Create a community under ``street``; the code must extend the street's."""
    return _place_create(Community(street=street, code=code, name=name, **fields))


@transaction.atomic
def place_update(*, place: PlaceT, expected_version: int | None = None, **fields: Any) -> PlaceT:
    """Update a district, street or community (compare-and-swap on ``version``)."""
    if isinstance(place, Grid):
        return grid_update(grid=place, expected_version=expected_version, **fields)
    _set_fields(place, fields)
    place.full_clean()
    _apply_boundary(place)
    return save_versioned(place, expected_version=expected_version)


@transaction.atomic
def grid_create(
    *, community: Community, code: str, name: str, boundary: dict, **fields: Any
) -> Grid:
    """Create a grid: code extends the community's, boundary valid and not overlapping a
    sibling grid by more than 1 m²; scope ids are denormalised from the community."""
    grid = Grid(community=community, code=code, name=name, boundary=boundary, **fields)
    grid.street_id = community.street_id
    grid.district_id = community.street.district_id
    grid.full_clean()
    _apply_boundary(grid)
    _check_grid_overlap(grid)
    grid.save()
    grid_index_touch()
    return grid


@transaction.atomic
def grid_update(*, grid: Grid, expected_version: int | None = None, **fields: Any) -> Grid:
    """Update a grid (compare-and-swap on ``version``), re-checking boundary and overlap."""
    _set_fields(grid, fields)
    grid.street_id = grid.community.street_id
    grid.district_id = grid.community.street.district_id
    grid.full_clean()
    _apply_boundary(grid)
    _check_grid_overlap(grid)
    grid = save_versioned(grid, expected_version=expected_version)
    grid_index_touch()
    return grid


def component_type_for_code(code: str) -> ComponentType:
    """The component type named by digits 7–10 of a 16-digit component code."""
    if len(code) != 16 or not code.isdigit():
        raise ValidationError({"code": _("A component code is 16 digits.")})
    found = ComponentType.objects.filter(major_class=code[6:8], minor_class=code[8:10]).first()
    if found is None:
        raise ValidationError(
            {
                "code": _("Digits 7 to 10 (%(cls)s) are not a known component class.")
                % {"cls": code[6:10]}
            }
        )
    return found


def _locate_component(component: Component) -> None:
    from grids.locate import locate_grid_id

    if component.grid_id is None and component.lat is not None and component.lng is not None:
        component.grid_id = locate_grid_id(component.lat, component.lng)
        if component.grid_id is None:
            raise ValidationError({"lat": _("No grid contains this location.")})


@transaction.atomic
def component_create(
    *, code: str, lat: float, lng: float, grid: Grid | None = None, **fields: Any
) -> Component:
    """Register a component; its type comes from the code, its grid from its location."""
    component = Component(code=code, lat=lat, lng=lng, grid=grid, **fields)
    component.type = component_type_for_code(code)
    _locate_component(component)
    component.full_clean()
    component.save()
    return component


@transaction.atomic
def component_update(
    *, component: Component, expected_version: int | None = None, **fields: Any
) -> Component:
    """Update a component (compare-and-swap on ``version``); a moved one is re-located."""
    moved = {"lat", "lng"} & fields.keys() and "grid" not in fields
    _set_fields(component, fields)
    if "code" in fields:
        component.type = component_type_for_code(component.code)
    if moved:
        component.grid = None
        _locate_component(component)
    component.full_clean()
    return save_versioned(component, expected_version=expected_version)


def grid_validate(*, grid: Grid) -> None:
    """Check a new or edited grid as grid_create/grid_update would, without writing.

    Runs the model validation, derives the scope ids and the boundary figures, and checks the
    overlap with sibling grids; raises ValidationError. For forms (the admin) that must show
    the services' errors next to the fields instead of failing on save.
    """
    if grid.community_id is not None:
        grid.street_id = grid.community.street_id
        grid.district_id = grid.community.street.district_id
    grid.full_clean()
    _apply_boundary(grid)
    _check_grid_overlap(grid)


def component_validate(*, component: Component, relocate: bool = False) -> None:
    """Check a new or edited component as component_create/component_update would, without
    writing: its type from the code, its grid from its location when it has none (or when
    ``relocate``), then the model validation; raises ValidationError."""
    component.type = component_type_for_code(component.code or "")
    if relocate:
        component.grid = None
    _locate_component(component)
    component.full_clean()
