"""Celery beat jobs of the assessment app. They take no arguments (the monthly scores job
optionally a month) and are safe to run twice or at once (see
``assessment.services.rollups`` and ``assessment.services.scores``)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from assessment.scopes import parse_month
from assessment.services import rollups, scores

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


@shared_task(name="assessment.tasks.scores_compute_last_month")
def scores_compute_last_month(month: str | None = None) -> dict:
    """On the 1st: compute last month's scores (or those of ``month``, "2026-10"); safe to
    run again, and signed-off months stay as they were."""
    target = scores.previous_month(timezone.localdate()) if month is None else parse_month(month)
    result = scores.scores_compute_month(month=target)
    logger.info("scores of %s computed: %s", f"{target:%Y-%m}", result)
    return result


@shared_task(name="assessment.tasks.scores_compute_current_month")
def scores_compute_current_month() -> dict:
    """Nightly: this month's provisional scores, and last month's again, since the nightly
    rollup rebuild still rewrites its days (its unsigned scores follow the data; signed-off
    ones get their "recomputed would differ" notice)."""
    today = timezone.localdate()
    result = {}
    for month in (scores.previous_month(today), today.replace(day=1)):
        result[f"{month:%Y-%m}"] = scores.scores_compute_month(month=month)
    logger.info("scores computed: %s", result)
    return result
