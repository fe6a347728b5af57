"""Queueing a task after a write, without losing it while the broker is down."""

from __future__ import annotations

import logging

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def enqueue_on_commit(task: Task, *args) -> None:
    """Queue ``task(*args)`` once the current transaction commits. While the broker cannot
    be reached the task runs here instead: the write is made, and its side effect must not
    be lost with the message (the task is safe to run twice, so a late copy does no harm).
    A failure of that fallback is logged, never turned into an error for a committed write.
    """

    def send() -> None:
        try:
            task.delay(*args)
        except OperationalError as error:
            logger.warning("broker unreachable: running %s here (%s)", task.name, error)
            task.apply(args=args, throw=True)

    transaction.on_commit(send, robust=True)
