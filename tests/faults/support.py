"""Helpers of the fault tests: patient waiting, and the mark of tests that need a
database other processes can see."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from django.db import connection

# Waits are generous: a loaded two-core CI machine may take many seconds to start a process.
START_TIMEOUT = 30.0
WORK_TIMEOUT = 90.0


def wait_until(
    condition: Callable[[], object], *, timeout: float, what: str | Callable[[], str]
) -> object:
    """Poll ``condition`` until it returns something true; fail naming ``what`` (or what
    it returns then: a worker's output) after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            waited_for = what() if callable(what) else what
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {waited_for}")
        time.sleep(0.1)


needs_shared_database = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a worker subprocess needs PostgreSQL: it cannot see SQLite's in-memory test database",
)
