"""System checks for the deployment's invariants, run by `manage.py check` and at start-up."""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.utils.module_loading import autodiscover_modules


@checks.register("celery")
def celery_visibility_outlasts_tasks(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """With late acknowledgement, Redis hands a task nobody acknowledged to another worker
    once its visibility timeout has passed. A task still running within its time limit, or
    waiting out a retry delay, would then run twice: each must end before the timeout."""
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout")
    if timeout is None:  # the embedded filesystem transport never redelivers
        return []
    from gridgov.celery import app

    # Celery's own discovery would run Django's checks again from inside this one.
    autodiscover_modules("tasks")
    limits = {"CELERY_TASK_TIME_LIMIT": settings.CELERY_TASK_TIME_LIMIT}
    for name, task in app.tasks.items():
        if name.startswith("celery."):
            continue
        if task.time_limit != app.conf.task_time_limit:  # its own, not the global one
            limits[f"{name} time_limit"] = task.time_limit or 0
        limits[f"{name} default_retry_delay"] = task.default_retry_delay or 0
    return [
        checks.Error(
            f"{what} is {seconds} s, not below the broker's visibility timeout ({timeout} s).",
            hint="Raise visibility_timeout or lower the limit, or the task may run twice.",
            id="gridgov.E001",
        )
        for what, seconds in sorted(limits.items())
        if seconds >= timeout
    ]
