"""Redis redelivers a task nobody acknowledged after its visibility timeout: the system
check keeps every task's time limit and retry delay below it, so nothing runs twice."""

from __future__ import annotations

from gridgov.celery import app
from gridgov.checks import celery_visibility_outlasts_tasks


def test_the_shipped_limits_fit_inside_the_visibility_timeout(settings):
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}

    assert celery_visibility_outlasts_tasks(None) == []
    assert settings.CELERY_TASK_TIME_LIMIT < 3600


def test_a_time_limit_reaching_the_visibility_timeout_is_an_error(settings):
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 1800}

    errors = celery_visibility_outlasts_tasks(None)

    assert [error.id for error in errors] == ["gridgov.E001"]
    assert "CELERY_TASK_TIME_LIMIT is 1800 s" in errors[0].msg


def test_a_task_whose_retry_delay_outlasts_the_timeout_is_named(settings, monkeypatch):
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 120}
    settings.CELERY_TASK_TIME_LIMIT = 60
    sweep = app.tasks["incidents.tasks.deadlines_sweep"]
    monkeypatch.setattr(sweep, "default_retry_delay", 600)

    named = [error.msg.split(" ")[0] for error in celery_visibility_outlasts_tasks(None)]

    assert "incidents.tasks.deadlines_sweep" in named
