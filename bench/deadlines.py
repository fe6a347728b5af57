"""The deadline sweep (``incidents.services.deadlines``) at scale, against plain indexed
queries measured in the same run on the same data (issue 8 §1, point 4).

On the open city of ``bench.city`` (every ticket open in a running stage, coloured as the
sweep would have left it; written first if this run has not yet):

1. steady state: one sweep settles what came due while the city was written, then
   ``deadline_sweep`` runs RUNS times at that same instant, when nothing is newly due
   (median). Reference: a plain ``SELECT COUNT(*)`` of the due, not-yet-red stages, which
   the partial index ``ticket_due_not_red`` answers (median of RUNS);
2. backlog: BACKLOG green tickets (``BENCH_BACKLOG``; 100,000, or a tenth of the city if
   smaller) are made overdue at once, then cleared in batches of
   ``DEADLINE_SWEEP_BATCH`` (200) exactly as ``deadline_sweep`` loops over them (each
   batch one transaction: red alert, escalation, supervision order, events and
   notifications), every batch timed. Reference: a plain indexed SELECT of one batch's
   ids, the first BACKLOG_REFERENCE_RUNS batches' worth before the sweep (median).

Goals (at one million open tickets): steady state under 50 ms; every backlog batch under
0.5 s. Shown with the ratios against the references.
"""

from __future__ import annotations

import os
import statistics
import time
import uuid
from datetime import timedelta
from typing import Any

RUNS = 20
BACKLOG = 100_000
BACKLOG_REFERENCE_RUNS = 5
GOAL_STEADY_MS = 50
GOAL_BATCH_S = 0.5


def _median_ms(func, runs: int = RUNS) -> tuple[float, Any]:
    timings, found = [], None
    for _run in range(runs):
        started = time.perf_counter()
        found = func()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000, found


def _due(now):
    """The stages the sweep still has to turn red (what the partial index holds)."""
    from incidents.choices import SlaColour
    from incidents.models import Ticket

    return Ticket.objects.filter(stage_due_at__lte=now, paused_at__isnull=True).exclude(
        sla_colour=SlaColour.RED
    )


def _make_backlog(now, size: int) -> int:
    """Make ``size`` green tickets due five minutes ago (warned an hour before), as if the
    beat had been stopped; returns how many."""
    from incidents.choices import SlaColour
    from incidents.models import Ticket

    green = Ticket.objects.filter(
        sla_colour=SlaColour.GREEN, stage_due_at__gt=now, paused_at__isnull=True
    ).order_by("pk")
    picked = list(green.values_list("pk", flat=True)[:size])
    changed = 0
    for start in range(0, len(picked), 10_000):
        changed += Ticket.objects.filter(pk__in=picked[start : start + 10_000]).update(
            stage_due_at=now - timedelta(minutes=5), stage_warn_at=now - timedelta(hours=1)
        )
    return changed


def _analyze() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE incidents_ticket")


def shares_database() -> bool:
    """Run on the open city that ``bench.city`` wrote in this run, if it did."""
    from bench import city

    return city.seeded()


def run() -> dict[str, Any]:
    """Steady state against an indexed COUNT of due stages; the backlog's batches against
    an indexed SELECT of one batch of due ids (see the module docstring)."""
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from bench import city
    from incidents.choices import FINAL_STATUSES
    from incidents.models import Ticket
    from incidents.services import deadlines

    seeded = city.ensure()
    size = settings.DEADLINE_SWEEP_BATCH
    open_tickets = Ticket.objects.exclude(status__in=FINAL_STATUSES).count()

    # 1. Steady state: settle once, then sweep again and again at the same instant.
    now = timezone.now()
    started = time.perf_counter()
    settled = deadlines.deadline_sweep(now=now, budget=3600)
    settle_s = time.perf_counter() - started
    _analyze()
    reference_ms, due_left = _median_ms(lambda: _due(now).count())
    assert due_left == 0, f"{due_left} due stages left after the settling sweep"
    deadlines.deadline_sweep(now=now)  # warm
    steady_ms, steady = _median_ms(lambda: deadlines.deadline_sweep(now=now))
    assert steady.red == steady.yellow == 0, steady.as_dict()

    # 2. The backlog, cleared batch by batch as deadline_sweep clears it.
    now = timezone.now()
    wanted = int(os.environ.get("BENCH_BACKLOG", min(BACKLOG, open_tickets // 10)))
    backlog = _make_backlog(now, wanted)
    _analyze()
    count_ms, due = _median_ms(lambda: _due(now).count(), BACKLOG_REFERENCE_RUNS)
    assert due >= backlog, (due, backlog)
    select_ms, _ids = _median_ms(
        lambda: list(_due(now).order_by("stage_due_at").values_list("pk", flat=True)[:size]),
        BACKLOG_REFERENCE_RUNS,
    )
    run_id, result, batches = uuid.uuid4(), deadlines.SweepResult(), []
    started = time.perf_counter()
    while True:
        began = time.perf_counter()
        taken = deadlines._overdue_batch(now=now, run=run_id, size=size, result=result)
        batches.append(time.perf_counter() - began)
        if taken < size:
            break
    cleared_s = time.perf_counter() - started
    assert _due(now).count() == 0, "the backlog was not cleared"
    timed = sorted(batches[:-1] or batches)  # the last batch is the empty or partial one
    p95 = timed[-1] if len(timed) < 20 else statistics.quantiles(timed, n=20)[-1]
    print(f"  database {connection.vendor}: {open_tickets:,} open tickets, {backlog:,} overdue")
    return {
        "tickets in the database": seeded["tickets"],
        "open tickets": open_tickets,
        "settling sweep s": settle_s,
        "settling sweep: red, yellow": f"{settled.red:,}, {settled.yellow:,}",
        "reference: COUNT of due stages (index), ms": reference_ms,
        "steady-state sweep, ms (median)": steady_ms,
        "steady-state sweep / reference": steady_ms / reference_ms,
        f"steady-state goal ({GOAL_STEADY_MS} ms) held": steady_ms < GOAL_STEADY_MS,
        "backlog: overdue tickets": backlog,
        "backlog reference: COUNT of due stages, ms": count_ms,
        f"backlog reference: indexed SELECT of {size} due ids, ms": select_ms,
        "backlog: batches": len(batches),
        "backlog: turned red": result.red,
        "backlog: escalated": sum(result.escalated.values()),
        "backlog: supervision orders": result.orders,
        "backlog: notifications": result.notifications,
        "backlog: cleared in s": cleared_s,
        "backlog: tickets per s": result.red / cleared_s if cleared_s else 0.0,
        "backlog: batch median s": statistics.median(timed),
        "backlog: batch p95 s": p95,
        "backlog: batch max s": timed[-1],
        "backlog: batch max / reference SELECT": timed[-1] * 1000 / select_ms,
        f"backlog goal (every batch < {GOAL_BATCH_S} s) held": timed[-1] < GOAL_BATCH_S,
    }
