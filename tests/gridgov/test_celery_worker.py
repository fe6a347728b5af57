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
