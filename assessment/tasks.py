"""Celery beat jobs of the assessment app. They take no arguments and are safe to run
twice or at once (see ``assessment.services.rollups``)."""

from __future__ import annotations

import logging

from celery import shared_task

from assessment.services import rollups

logger = logging.getLogger(__name__)


@shared_task(name="assessment.tasks.rollups_refresh")
def rollups_refresh() -> dict:
    """Every few minutes: rewrite the rollup days that changed since the last run."""
    result = rollups.rollups_refresh().as_dict()
    logger.info("rollups refreshed: %s days, %s rows", len(result["days"]), result["rows"])
    return result


@shared_task(name="assessment.tasks.rollups_rebuild_recent")
def rollups_rebuild_recent() -> dict:
    """Nightly: rebuild the last 35 days from scratch."""
    result = rollups.rollups_rebuild_recent().as_dict()
    logger.info("rollups rebuilt: %s days, %s rows", len(result["days"]), result["rows"])
    return result
