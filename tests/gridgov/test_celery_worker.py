"""Tasks delivered through a real Redis broker to a real Celery worker."""

from __future__ import annotations

import os
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from gridgov.celery import app
from gridgov.models import IdempotencyRecord
from gridgov.tasks import idempotency_purge_expired

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL: a real Redis"),
]


@pytest.fixture
def celery_worker_on_redis(transactional_db):
    from celery.contrib.testing.worker import start_worker

    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.task_always_eager = True


def test_purge_runs_on_a_real_worker(celery_worker_on_redis, admin_user):
    assert app.conf.broker_url.startswith("redis")
    old = IdempotencyRecord.objects.create(user=admin_user, key="old", fingerprint="x")
    fresh = IdempotencyRecord.objects.create(user=admin_user, key="fresh", fingerprint="y")
    IdempotencyRecord.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(hours=25)
    )
    result = idempotency_purge_expired.apply_async()
    assert result.id
    deadline = timezone.now() + timedelta(seconds=20)
    while IdempotencyRecord.objects.filter(pk=old.pk).exists() and timezone.now() < deadline:
        time.sleep(0.1)
    assert not IdempotencyRecord.objects.filter(pk=old.pk).exists()
    assert IdempotencyRecord.objects.filter(pk=fresh.pk).exists()


def test_the_deadline_sweep_escalates_on_a_real_worker(celery_worker_on_redis):
    from incidents.models import Escalation, Ticket
    from incidents.services import category_create, sla_policy_create
    from incidents.services.tickets import ticket_create
    from incidents.tasks import deadlines_sweep
    from tests import factories

    grid = factories.grid()
    major = category_create(code="E01", kind="event", name="市容环境")
    minor = category_create(code="E0101", kind="event", name="暴露垃圾", parent=major)
    sla_policy_create(category=minor, priority="normal", stage="accept", amount=1, unit="minutes")
    ticket = ticket_create(
        reporter=None,
        source="hotline",
        category=minor,
        lat=grid.centroid_lat,
        lng=grid.centroid_lng,
    )
    Ticket.objects.filter(pk=ticket.pk).update(stage_due_at=timezone.now() - timedelta(seconds=1))

    assert deadlines_sweep.apply_async().id
    deadline = timezone.now() + timedelta(seconds=20)
    while not Escalation.objects.filter(ticket=ticket).exists() and timezone.now() < deadline:
        time.sleep(0.1)
    ticket.refresh_from_db()
    assert (ticket.sla_colour, ticket.level) == ("red", 1)
    assert Escalation.objects.filter(ticket=ticket).count() == 1


def test_every_beat_job_names_a_registered_task():
    from django.conf import settings

    app.loader.import_default_modules()
    missing = [
        entry["task"]
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] not in app.tasks
    ]
    assert missing == []
