"""Liveness and readiness probes for load balancers and docker compose."""

from __future__ import annotations

import contextlib
import os
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.db import connections
from kombu import Connection

# Both probes share this budget; the rest of the request must fit in what is left of 1 s even
# on a loaded host (0.8 s left too little: 1.04-1.1 s answers were measured under load).
PROBE_TIMEOUT_S = 0.6
# One pool per dependency: probes stuck on a wedged broker must never leave the database
# probe without a thread (that would turn a broker outage into a 503 and take the web down).
_database_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="healthz-db")
_broker_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="healthz-broker")


def _load_broker_transport() -> None:
    """Import the broker's transport now, off the clock: importing kombu's Redis transport takes
    about 0.5 s, which would otherwise use up the first probe's budget after every start."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith("filesystem"):
        with contextlib.suppress(Exception):  # a bad URL is the probe's to report
            Connection(url).get_transport_cls()


_load_broker_transport()


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
    # One attempt (kombu sleeps 2 s before a retry) with socket timeouts, so that a probe of
    # an unreachable or wedged Redis ends instead of holding its thread for good.
    options = {"socket_timeout": PROBE_TIMEOUT_S, "socket_connect_timeout": PROBE_TIMEOUT_S}
    with Connection(url, connect_timeout=PROBE_TIMEOUT_S, transport_options=options) as connection:
        connection.ensure_connection(max_retries=0, timeout=PROBE_TIMEOUT_S)
        return True


def _outcome(future: Future, deadline: float) -> str:
    try:
        return "ok" if future.result(timeout=max(0.0, deadline - time.monotonic())) else "error"
    except FutureTimeout:
        future.cancel()  # still queued behind stuck probes: do not run it later for nobody
        return "timeout"
    except Exception:
        return "error"


def health_report() -> tuple[bool, dict[str, str]]:
    """Whether the service can serve, and the state of each dependency.

    The database decides health; a broker outage is reported but the web keeps serving
    (tasks are re-derived from the database when the broker returns).
    """
    deadline = time.monotonic() + PROBE_TIMEOUT_S  # both probes share it: answer within 1 s
    database_future = _database_pool.submit(_database_ok)
    broker_future = _broker_pool.submit(_broker_ok)
    database = _outcome(database_future, deadline)
    broker = _outcome(broker_future, deadline)
    healthy = database == "ok"
    return healthy, {"status": "ok" if healthy else "error", "database": database, "broker": broker}
