"""Point-in-grid lookup from an in-process shapely STRtree.

Each process keeps its own tree and rebuilds it when the shared stamp
(:class:`grids.models.GridIndexStamp`) moves; services bump the stamp in the same
transaction as any change to a grid's boundary or active flag, so every web process and
worker sees the change on its next lookup.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass

import shapely
from shapely import STRtree
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from grids.models import Grid, GridIndexStamp

_lock = threading.Lock()


@dataclass(frozen=True)
class _Index:
    stamp: uuid.UUID | None
    tree: STRtree | None
    grid_ids: list[int]
    codes: list[str]
    geometries: list[BaseGeometry]


_index: _Index | None = None


def current_stamp() -> uuid.UUID | None:
    return GridIndexStamp.objects.filter(pk=1).values_list("token", flat=True).first()


def _build(stamp: uuid.UUID | None) -> _Index:
    rows = list(
        Grid.objects.filter(active=True).order_by("code").values_list("id", "code", "boundary")
    )
    geometries = [shape(row[2]) for row in rows]
    for geom in geometries:
        shapely.prepare(geom)
    return _Index(
        stamp=stamp,
        tree=STRtree(geometries) if geometries else None,
        grid_ids=[row[0] for row in rows],
        codes=[row[1] for row in rows],
        geometries=geometries,
    )


def _current_index() -> _Index:
    global _index
    stamp = current_stamp()
    index = _index
    if index is None or index.stamp != stamp or stamp is None:
        with _lock:
            if _index is None or _index.stamp != stamp or stamp is None:
                _index = _build(stamp)
            index = _index
    return index


def locate_grid_id(lat: float, lng: float) -> int | None:
    """Id of the active grid containing the point, or None.

    A point on an edge shared by two grids belongs to the one with the smallest code, so the
    answer never depends on the order grids were loaded.
    """
    return _lookup(_current_index(), lat, lng)


def locate_grid_ids(points: list[tuple[float, float]]) -> list[int | None]:
    """Grid ids for many (lat, lng) points, reading the index stamp once for the batch."""
    index = _current_index()
    return [_lookup(index, lat, lng) for lat, lng in points]


def _lookup(index: _Index, lat: float, lng: float) -> int | None:
    if index.tree is None:
        return None
    point = Point(lng, lat)
    candidates = sorted(index.tree.query(point, predicate="intersects"))
    for position in candidates:  # positions follow code order
        if index.geometries[position].covers(point):
            return index.grid_ids[position]
    return None


def locate(lat: float, lng: float) -> Grid | None:
    """The active grid containing (lat, lng), or None when no grid does."""
    grid_id = locate_grid_id(lat, lng)
    if grid_id is None:
        return None
    return Grid.objects.select_related("community", "street", "district").filter(pk=grid_id).first()
