"""Patrol coverage jobs, queued by the services after a batch of track points commits."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from personnel.services.patrols import patrol_day_recompute


@shared_task(name="personnel.tasks.patrol_days_recompute")
def patrol_days_recompute(worker_id: int, grid_id: int, day_iso: str) -> float | None:
    """Recompute one worker's coverage of one grid on one local day from the points (the
    whole row, so running twice, or out of order, leaves the same row). Returns its minutes."""
    row = patrol_day_recompute(
        worker_id=worker_id, grid_id=grid_id, day=date.fromisoformat(day_iso)
    )
    return None if row is None else row.minutes
