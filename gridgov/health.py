"""Liveness and readiness probes for load balancers and docker compose."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.db import connections
from kombu import Connection

PROBE_TIMEOUT_S = 0.8
_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="healthz")


def _database_ok() -> bool:
    connection = connections.create_connection("default")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    finally:
        connection.close()


def _broker_ok() -> bool:
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem"):
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
        return os.access(folder, os.W_OK)
    with Connection(url, connect_timeout=PROBE_TIMEOUT_S) as connection:
        connection.ensure_connection(max_retries=1, timeout=PROBE_TIMEOUT_S)
        return True


def _run(probe) -> str:
    future = _pool.submit(probe)
    try:
        return "ok" if future.result(timeout=PROBE_TIMEOUT_S) else "error"
    except FutureTimeout:
        return "timeout"
    except Exception:
        return "error"


def health_report() -> tuple[bool, dict[str, str]]:
    """Whether the service can serve, and the state of each dependency.

    The database decides health; a broker outage is reported but the web keeps serving
    (tasks are re-derived from the database when the broker returns).
    """
    database = _run(_database_ok)
    broker = _run(_broker_ok)
    healthy = database == "ok"
    return healthy, {"status": "ok" if healthy else "error", "database": database, "broker": broker}
