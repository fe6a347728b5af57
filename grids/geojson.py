"""GeoJSON FeatureCollections of grids, shared by the API, the map pages and export_grids."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from grids.models import Community, Grid

EXPORTED_PROPERTIES = ("code", "name", "name_en", "kind", "population", "households", "buildings")


def grid_feature(grid: Grid) -> dict[str, Any]:
    properties = {name: getattr(grid, name) for name in EXPORTED_PROPERTIES}
    properties.update(
        id=grid.pk,
        active=grid.active,
        area_m2=grid.area_m2,
        community_code=grid.community.code,
        community_name=grid.community.name,
        street_code=grid.street.code,
        street_name=grid.street.name,
    )
    return {"type": "Feature", "id": grid.pk, "geometry": grid.boundary, "properties": properties}


def community_outlines(communities: Iterable[Community]) -> dict[str, Any]:
    """Community boundaries (where known) as a FeatureCollection, for outlines on maps."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": community.pk,
                "geometry": community.boundary,
                "properties": {"code": community.code, "name": community.name},
            }
            for community in communities
            if community.boundary is not None
        ],
    }


def feature_collection(grids: Iterable[Grid]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [grid_feature(grid) for grid in grids]}
