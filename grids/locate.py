"""Point-in-grid lookup from an in-process shapely STRtree.

Each process keeps its own tree and rebuilds it when the shared stamp
(:class:`grids.models.GridIndexStamp`) moves; services bump the stamp in the same
transaction as any change to a grid's boundary or active flag, so every web process and
worker sees the change on its next lookup.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import shapely
from django.db import connection
from shapely import STRtree
from shapely.geometry import Point, shape

from grids.models import Grid, GridIndexStamp

_lock = threading.Lock()


@dataclass(frozen=True)
class _Index:
    stamp: object
    tree: STRtree | None
    grid_ids: list[int]
    geometries: np.ndarray


_index: _Index | None = None


def current_stamp() -> object:
    """The shared stamp as the database returns it (compared, never read): one plain
    query, since every lookup asks it and the ORM's compiling cost more than the query."""
    table = connection.ops.quote_name(GridIndexStamp._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {table} WHERE id = 1")  # noqa: S608 (a model's table)
        row = cursor.fetchone()
    return None if row is None else row[0]


def _build(stamp: object) -> _Index:
    rows = list(Grid.objects.filter(active=True).order_by("code").values_list("id", "boundary"))
    geometries = np.array([shape(boundary) for _, boundary in rows], dtype=object)
    shapely.prepare(geometries)
    return _Index(
        stamp=stamp,
        tree=STRtree(geometries) if len(geometries) else None,
        grid_ids=[grid_id for grid_id, _ in rows],
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
    index = _current_index()
    if index.tree is None:
        return None
    # One point: the candidates in code order, without the batch's array set-up.
    for position in sorted(index.tree.query(Point(lng, lat))):
        if shapely.intersects_xy(index.geometries[position], lng, lat):
            return index.grid_ids[position]
    return None


def locate_grid_ids(points: list[tuple[float, float]]) -> list[int | None]:
    """Grid ids for many (lat, lng) points, reading the index stamp once for the batch."""
    if not points:
        return []
    lats, lngs = zip(*points, strict=True)
    return _lookup(_current_index(), lats, lngs)


def _lookup(index: _Index, lats, lngs) -> list[int | None]:
    """Every point's grid in a few array operations: the tree gives the grids whose box
    holds each point, the prepared polygons say which of them cover it (edges included),
    and of those the first in code order wins (the tree's positions follow code order)."""
    if index.tree is None:
        return [None] * len(lats)
    xs, ys = np.asarray(lngs, dtype=float), np.asarray(lats, dtype=float)
    points, boxes = index.tree.query(shapely.points(xs, ys))
    covering = shapely.intersects_xy(index.geometries[boxes], xs[points], ys[points])
    none = len(index.grid_ids)
    first = np.full(len(xs), none)
    np.minimum.at(first, points[covering], boxes[covering])
    return [None if position == none else index.grid_ids[position] for position in first]


def locate(lat: float, lng: float) -> Grid | None:
    """The active grid containing (lat, lng), or None when no grid does."""
    grid_id = locate_grid_id(lat, lng)
    if grid_id is None:
        return None
    return Grid.objects.select_related("community", "street", "district").filter(pk=grid_id).first()
