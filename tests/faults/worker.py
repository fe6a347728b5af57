"""A Celery worker for the fault tests: ``python -m tests.faults.worker``.

With FAULTS_HANG_AT_BATCH=N the worker's deadline sweep stops for good in the middle of its
N-th overdue batch: the batch's alerts are claimed and its escalations inserted, but the
transaction is not committed. FAULTS_HANG_MARKER names a file written at that moment, so
the test knows when to kill the worker.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import django


def _hang_in_the_middle_of_a_sweep(batch: int, marker: Path) -> None:
    from incidents.services import deadlines

    original = deadlines._escalate
    calls = 0

    def escalate_then_hang(*args, **kwargs):
        nonlocal calls
        calls += 1
        escalated = original(*args, **kwargs)
        if calls == batch:
            marker.write_text(str(os.getpid()))
            while True:  # until kill -9, holding the batch's transaction open
                time.sleep(1)
        return escalated

    deadlines._escalate = escalate_then_hang


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.faults.worker_settings")
    django.setup()
    if os.environ.get("FAULTS_HANG_AT_BATCH"):
        _hang_in_the_middle_of_a_sweep(
            int(os.environ["FAULTS_HANG_AT_BATCH"]), Path(os.environ["FAULTS_HANG_MARKER"])
        )
    from gridgov.celery import app

    app.worker_main(
        [
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
            f"--hostname=faults-{os.getpid()}@%h",
        ]
    )


if __name__ == "__main__":
    main()
