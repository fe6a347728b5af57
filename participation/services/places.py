"""Placing participation rows: the scope ids copied from their community, street or grid."""

from __future__ import annotations

from grids.models import Community, Grid, Street


def place_in_grid(row, grid: Grid) -> None:
    """Set ``row``'s grid and the community, street and district above it."""
    row.grid = grid
    row.community_id = grid.community_id
    row.street_id = grid.street_id
    row.district_id = grid.district_id


def place_in_community(row, community: Community) -> None:
    """Set ``row``'s community and the street and district above it."""
    row.community = community
    row.street_id = community.street_id
    row.district_id = community.street.district_id


def place_in_street(row, street: Street) -> None:
    """Set ``row``'s street and the district above it."""
    row.street = street
    row.district_id = street.district_id
