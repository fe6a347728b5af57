"""Celery beat jobs of the incidents app. Each takes no arguments or ids only, and is safe
to run twice or at once (see the services they call)."""

from __future__ import annotations

import logging

from celery import shared_task

from incidents.services import deadlines, supervision

logger = logging.getLogger(__name__)


@shared_task(name="incidents.tasks.deadlines_sweep")
def deadlines_sweep() -> dict[str, int]:
    """Every minute: colour stages yellow and red, escalate the overdue, remind owners."""
    result = deadlines.deadline_sweep().as_dict()
    if result["yellow"] or result["red"]:
        logger.info("deadline sweep: %s", result)
    return result


@shared_task(name="incidents.tasks.tickets_auto_evaluate")
def tickets_auto_evaluate() -> int:
    """Evaluate closed cases nobody rated within the rating window."""
    return supervision.tickets_auto_evaluate()


@shared_task(name="incidents.tasks.supervisor_digests_send")
def supervisor_digests_send() -> int:
    """Each supervisor's daily digest, once a day."""
    return supervision.supervisor_digests_send()


@shared_task(name="incidents.tasks.idle_workers_report")
def idle_workers_report() -> int:
    """Report grid workers with neither patrol nor case activity for too long."""
    return supervision.idle_workers_report()
