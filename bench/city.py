"""The open city of the ticket API and deadline benches, written once per run, and the
generator's speed.

``BENCH_TICKETS`` open tickets (one million on PostgreSQL, 20,000 elsewhere) reported over
the last ``BENCH_OPEN_DAYS`` days (30), written by ``bench.assessment_seed.seed`` with
``histories=False`` (COPY on PostgreSQL, batched INSERTs on SQLite, a progress bar). After
the assessment bench in the same run, they join its city and its closed history.

Measured: tickets written per second (goal on PostgreSQL: 5,000/s, so that ten million
tickets take about half an hour), against two references in the same run: the goal itself,
and the share of the write spent in the database (the COPY or INSERT calls and their
commits): the rest is Python building the rows.
"""

from __future__ import annotations

import os
from typing import Any

GOAL_TICKETS_PER_S = 5_000
_SEEDED: dict[str, Any] = {}


def scale() -> int:
    """Tickets of the open city: ``BENCH_TICKETS``, else a default per database."""
    from django.db import connection

    default = 1_000_000 if connection.vendor == "postgresql" else 20_000
    return int(os.environ.get("BENCH_TICKETS", default))


def shares_database() -> bool:
    """Reuse the demo city a seeding of this run wrote (the assessment's: its closed
    history then stands beside the open tickets, as in a city's database)."""
    from bench import assessment_seed

    return assessment_seed.city_written()


def forget() -> None:
    _SEEDED.clear()


def seeded() -> bool:
    """Whether this run wrote the open city (and the database still holds it)."""
    return bool(_SEEDED)


def ensure() -> dict[str, Any]:
    """Write the open city unless this run already did; returns the seeding figures."""
    if _SEEDED:
        return _SEEDED
    from django.db import connection
    from django.utils import timezone

    from bench import assessment_seed

    database_before = assessment_seed.Writer.database_s
    days = int(os.environ.get("BENCH_OPEN_DAYS", "30"))
    seeded = assessment_seed.seed(scale(), timezone.now(), days, histories=False)
    database_s = assessment_seed.Writer.database_s - database_before
    seeded.pop("first day")
    seeded["database share of the write"] = database_s / seeded["generate and write tickets s"]
    seeded["database"] = connection.vendor
    _SEEDED.update(seeded)
    return _SEEDED


def run() -> dict[str, Any]:
    """The open city's generation: tickets/s, against the goal and the database's share."""
    seeded = dict(ensure())
    rate = seeded["tickets written per s"]
    postgres = seeded.pop("database") == "postgresql"
    seeded[f"tickets/s / goal ({GOAL_TICKETS_PER_S:,}/s)"] = rate / GOAL_TICKETS_PER_S
    seeded["goal held (PostgreSQL only)"] = rate >= GOAL_TICKETS_PER_S if postgres else "n/a"
    seeded["10 M tickets would take, min"] = 10_000_000 / rate / 60
    return seeded
