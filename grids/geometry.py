"""GeoJSON boundaries: validation with messages a person can act on, and derived figures.

Boundaries are WGS84 GeoJSON Polygon or MultiPolygon objects stored in JSON fields; shapely
does the geometry (no GDAL needed). Areas are computed on a local equal-area projection,
accurate to well under 1 % at grid size (a few hectares).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from django.utils.translation import gettext as _
from shapely import validation
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

EARTH_RADIUS_M = 6_371_008.8
ALLOWED_TYPES = ("Polygon", "MultiPolygon")


class BoundaryError(ValueError):
    """A boundary that is not a valid WGS84 Polygon or MultiPolygon; ``messages`` say why."""

    def __init__(self, messages: list[str]) -> None:
        messages = [message[:1].upper() + message[1:] for message in messages]
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class Derived:
    centroid_lat: float
    centroid_lng: float
    bbox: list[float]
    area_m2: float


def _check_ring(ring: Any, where: str) -> list[str]:
    if not isinstance(ring, list):
        return [_("%(where)s is not a list of positions.") % {"where": where}]
    errors: list[str] = []
    for index, position in enumerate(ring):
        if (
            not isinstance(position, list | tuple)
            or len(position) < 2
            or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in position[:2])
        ):
            return [
                _("%(where)s, position %(i)d is not [longitude, latitude].")
                % {"where": where, "i": index}
            ]
        lng, lat = position[0], position[1]
        if not (-180 <= lng <= 180 and -90 <= lat <= 90) or math.isnan(lng) or math.isnan(lat):
            errors.append(
                _(
                    "%(where)s, position %(i)d (%(lng)s, %(lat)s) is out of range: longitude "
                    "must be within ±180 and latitude within ±90."
                )
                % {"where": where, "i": index, "lng": lng, "lat": lat}
            )
    if errors:
        return errors
    if len(ring) < 4:
        return [
            _("%(where)s has %(n)d positions; a ring needs at least 4.")
            % {"where": where, "n": len(ring)}
        ]
    if list(ring[0][:2]) != list(ring[-1][:2]):
        return [
            _("%(where)s is not closed: its last position must equal its first.") % {"where": where}
        ]
    return []


def _polygon_rings(coordinates: Any, label: str) -> Iterable[tuple[Any, str]]:
    if not isinstance(coordinates, list) or not coordinates:
        yield None, label
        return
    for index, ring in enumerate(coordinates):
        name = _("outer ring") if index == 0 else _("hole %(n)d") % {"n": index}
        yield ring, f"{label}{name}"


def parse_boundary(value: Any) -> BaseGeometry:
    """Validate a GeoJSON Polygon/MultiPolygon and return it as a shapely geometry."""
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict):
        raise BoundaryError([_("The boundary must be a GeoJSON object.")])
    kind = value.get("type")
    if kind not in ALLOWED_TYPES:
        raise BoundaryError(
            [_("The boundary must be a Polygon or MultiPolygon, not %(kind)s.") % {"kind": kind}]
        )
    coordinates = value.get("coordinates")
    if kind == "Polygon":
        polygons = [(coordinates, "")]
    elif isinstance(coordinates, list) and coordinates:
        polygons = [
            (poly, _("polygon %(n)d, ") % {"n": i + 1}) for i, poly in enumerate(coordinates)
        ]
    else:
        polygons = [(None, "")]
    errors: list[str] = []
    for coords, label in polygons:
        for ring, where in _polygon_rings(coords, label):
            if ring is None:
                errors.append(_("The coordinates must be a non-empty list of rings."))
            else:
                errors.extend(_check_ring(ring, where))
    if errors:
        raise BoundaryError(errors)
    geom = shape(value)
    if not geom.is_valid:
        reason = validation.explain_validity(geom)
        raise BoundaryError(
            [_("The boundary is not a valid polygon: %(reason)s.") % {"reason": reason}]
        )
    if geom.is_empty or geom.area == 0:
        raise BoundaryError([_("The boundary encloses no area.")])
    return geom


def area_m2(geom: BaseGeometry) -> float:
    """Area in square metres.

    Formula: Lambert cylindrical equal-area projection about the shape's own latitude φ0,
    x = R·λ·cos φ0, y = R·sin φ / cos φ0 (λ, φ in radians, R the mean Earth radius); the
    planar area of the projected shape is then the area on the sphere.
    """
    cos0 = math.cos(math.radians(geom.centroid.y))

    def project(coords: np.ndarray) -> np.ndarray:
        projected = np.empty_like(coords)
        projected[:, 0] = np.radians(coords[:, 0]) * EARTH_RADIUS_M * cos0
        projected[:, 1] = EARTH_RADIUS_M * np.sin(np.radians(coords[:, 1])) / cos0
        return projected

    return float(shapely.transform(geom, project).area)


def derive(geom: BaseGeometry) -> Derived:
    """Centroid (a point inside the shape for odd shapes), bounding box and area."""
    point = geom.centroid if geom.contains(geom.centroid) else geom.representative_point()
    min_x, min_y, max_x, max_y = geom.bounds
    return Derived(
        centroid_lat=round(point.y, 7),
        centroid_lng=round(point.x, 7),
        bbox=[min_x, min_y, max_x, max_y],
        area_m2=round(area_m2(geom), 2),
    )


def overlap_m2(a: BaseGeometry, b: BaseGeometry) -> float:
    """Area in m² shared by two geometries (0 when they only touch)."""
    if not a.intersects(b):
        return 0.0
    shared = a.intersection(b)
    return area_m2(shared) if not shared.is_empty and shared.area > 0 else 0.0
