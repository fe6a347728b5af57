"""Writes of the assessment app: the rollups (``rollups``), read by ``grid_days`` and
``people_days`` off the facts (``facts``) of the history as ``events`` reads it, rewritten
where ``changes`` says a refresh must."""

from assessment.services.rollups import (
    RollupResult,
    rollups_rebuild,
    rollups_rebuild_recent,
    rollups_refresh,
)

__all__ = ["RollupResult", "rollups_rebuild", "rollups_rebuild_recent", "rollups_refresh"]
