"""Celery beat jobs of the funding app; safe to run twice or at once (flags have unique
keys)."""

from __future__ import annotations

import logging

from celery import shared_task

from funding.services.checks import funding_checks_run as checks_run

logger = logging.getLogger(__name__)


@shared_task(name="funding.tasks.funding_checks_run")
def funding_checks_run() -> dict[str, int]:
    """Nightly: look for irregular use of funds and flag what is new."""
    counts = checks_run()
    if any(counts.values()):
        logger.info("funding checks: %s", counts)
    return counts
