from celery import shared_task

from gridgov.idempotency import idempotency_purge_expired as purge


@shared_task(name="gridgov.tasks.idempotency_purge_expired")
def idempotency_purge_expired() -> int:
    return purge()
