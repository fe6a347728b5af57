"""Writes of the assessment app: the rollups (``rollups``), computed by ``grid_days`` and
``people_days`` from the history as ``events`` reads it."""

from assessment.services.rollups import (
    RollupResult,
    rollups_rebuild,
    rollups_rebuild_recent,
    rollups_refresh,
)

__all__ = ["RollupResult", "rollups_rebuild", "rollups_rebuild_recent", "rollups_refresh"]
