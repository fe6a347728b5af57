"""Assessment rollups at scale (issue 7 §6): the indicators of a district, the incremental
refresh and the full rebuild, against a plain GROUP BY over the raw events measured in the
same run on the same data.

Writes the synthetic city of ``bench.assessment_seed`` with TICKETS tickets
(``BENCH_TICKETS``; one million on PostgreSQL, 50,000 elsewhere) reported over the last
``BENCH_DAYS`` days (120), then, in order:

1. the full rebuild of every day (``rollups_rebuild``, its progress shown);
2. the reference: one plain GROUP BY over the raw events joined to their tickets, counting
   a month's reports, filings, dispatches, submissions and closures per district (median
   of REFERENCE_RUNS);
3. ``indicators_for`` a district supervisor, the district and that month (median of
   RUNS), checked against the reference's counts;
4. the incremental refresh: once with nothing new (its fixed cost), then after CHANGED
   open tickets, picked at random, got one more event each, written with ``at`` = now:
   their next workflow step, or for one in twenty an edit as ``ticket_update`` writes it
   (a corrected description, category or location, the last two moving the case's
   history to another rollup key);
5. the check that the refresh wrote what a rebuild writes: every day it touched is rebuilt
   and its rows compared (not timed).

Goals (issue 7 §6, at one million tickets): an indicator request under 50 ms at the
median, an incremental run after 1,000 changed tickets under 2 s. Each is shown against
the reference as a ratio (below 1: faster than the GROUP BY over the raw events).
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

RUNS = 20
REFERENCE_RUNS = 5
CHANGED = 1_000
EDITED = 0.05  # the share of the changed tickets that get an edit instead of a step
GOAL_INDICATORS_MS = 50
GOAL_REFRESH_MS = 2_000
# The next workflow step of an open case: (action, status after).
NEXT_STEP = {
    "reported": ("accept", "accepted"),
    "accepted": ("file", "filed"),
    "verifying": ("verify", "accepted"),
    "filed": ("dispatch", "dispatched"),
    "dispatched": ("take", "in_handling"),
    "in_handling": ("submit", "handled"),
    "rework": ("take", "in_handling"),
    "handled": ("start_check", "checking"),
    "checking": ("close", "closed"),
}


def _median_ms(func, runs: int) -> tuple[float, Any]:
    timings, found = [], None
    for _run in range(runs):
        started = time.perf_counter()
        found = func()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000, found


def _reference(start: datetime, end: datetime) -> dict[int, dict[str, int]]:
    """The plain GROUP BY: a month's events per district of their ticket, counted from the
    raw history."""
    from django.db.models import Count, Q

    from incidents.models import TicketEvent

    counts = {
        name: Count("pk", filter=Q(action=action))
        for name, action in (
            ("reported", "report"),
            ("filed", "file"),
            ("dispatched", "dispatch"),
            ("handled", "submit"),
            ("closed", "close"),
        )
    }
    found = (
        TicketEvent.objects.filter(at__gte=start, at__lt=end)
        .values("ticket__district_id")
        .annotate(**counts)
        .order_by()
    )
    return {row.pop("ticket__district_id"): row for row in found}


class Editor:
    """Edits as ``incidents.services.tickets.ticket_update`` writes them: a description
    (moves nothing), a category or a location (another grid), the last two with ``was``."""

    def __init__(self, rng: random.Random) -> None:
        from grids.models import Grid
        from incidents.models import Category

        self.rng = rng
        self.categories = list(
            Category.objects.filter(active=True, parent__isnull=False).values_list("pk", flat=True)
        )
        self.grids = list(
            Grid.objects.filter(active=True).values(
                "pk", "community_id", "street_id", "district_id", "centroid_lat", "centroid_lng"
            )
        )

    def edit(self, ticket: dict) -> tuple[dict, dict]:
        """The edit event's data and the ticket's changed columns."""
        kind = self.rng.choice(("description", "category", "location"))
        if kind == "description":
            return {"description": "补充说明"}, {"description": "补充说明"}
        was = {"was": {"grid": ticket["grid_id"], "category": ticket["category_id"]}}
        if kind == "category":
            category = self.rng.choice(self.categories)
            return {"category": category, **was}, {"category_id": category}
        grid = self.rng.choice(self.grids)
        columns = {
            "grid_id": grid["pk"],
            "community_id": grid["community_id"],
            "street_id": grid["street_id"],
            "district_id": grid["district_id"],
            "lat": grid["centroid_lat"],
            "lng": grid["centroid_lng"],
        }
        return {"lat": columns["lat"], "lng": columns["lng"], **was}, columns


def _change(now: datetime, rng: random.Random) -> int:
    """Give CHANGED open tickets, picked at random, one more event at ``now`` (see the
    module docstring), taken by whoever would take it. Returns how many tickets changed."""
    from bench.assessment_seed import Generator
    from incidents.choices import FINAL_STATUSES
    from incidents.demo_city import load_city
    from incidents.models import Ticket, TicketEvent

    open_cases = list(
        Ticket.objects.exclude(status__in=FINAL_STATUSES).values(
            "pk", "status", "grid_id", "category_id", "lead_department_id"
        )
    )
    chosen = rng.sample(open_cases, min(CHANGED, len(open_cases)))
    editor = Editor(rng)
    people = Generator(load_city(), now, rng)
    events, moved, edited = [], defaultdict(list), []
    for ticket in chosen:
        status = ticket["status"]
        if status in NEXT_STEP and rng.random() >= EDITED:
            action, to = NEXT_STEP[status]
            data = {"to_grid": True, "cooperating_departments": []} if action == "dispatch" else {}
            moved[to].append(ticket["pk"])
        else:
            data, columns = editor.edit(ticket)
            action, to = "edit", status
            edited.append((ticket["pk"], columns))
        events.append(
            TicketEvent(
                ticket_id=ticket["pk"],
                action=action,
                from_status=status,
                to_status=to,
                actor_id=people.actor(action, ticket["grid_id"], ticket["lead_department_id"]),
                at=now,
                data=data,
            )
        )
    TicketEvent.objects.bulk_create(events, batch_size=1000)
    for status, pks in moved.items():
        Ticket.objects.filter(pk__in=pks).update(status=status, updated_at=now)
    for pk, columns in edited:
        Ticket.objects.filter(pk=pk).update(updated_at=now, **columns)
    return len(events)


def _rows(days: list[date]) -> dict[str, list[tuple]]:
    """Every fact and rollup row of ``days``, without its id, sorted."""
    from assessment.models import EventFact
    from assessment.services.rollups import ROLLUPS

    return {
        model.__name__: sorted(
            (
                tuple(sorted((k, v) for k, v in row.items() if k != "id"))
                for row in model.objects.filter(day__in=days).values().iterator()
            ),
            key=repr,  # facts hold None beside numbers
        )
        for model in (EventFact, *ROLLUPS)
    }


def _rebuilt_equal(days: list[date]) -> bool:
    """Whether rebuilding ``days`` from scratch writes the rows they hold now."""
    from assessment.services.rollups import rollups_rebuild

    kept = _rows(days)
    for day in days:
        rollups_rebuild(since=day, until=day)
    return _rows(days) == kept


def _rebuild(first_day: date, today: date) -> tuple[float, Any]:
    """The full rebuild, its progress shown about twelve times."""
    from assessment.services.rollups import rollups_rebuild

    started = time.perf_counter()
    shown = max(((today - first_day).days + 1) // 12, 1)

    def progress(day: date, done: int, total: int) -> None:
        if done % shown == 0 or done == total:
            elapsed = time.perf_counter() - started
            print(
                f"  rebuilt {day} ({done} / {total} days, {elapsed:,.1f} s, "
                f"~{elapsed / done * (total - done):,.0f} s to go)",
                flush=True,
            )

    rebuilt = rollups_rebuild(since=first_day, until=today, progress=progress)
    return time.perf_counter() - started, rebuilt


def run() -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from assessment.models import RollupCursor
    from assessment.scopes import Scope, parse_period
    from assessment.selectors import indicators_for
    from assessment.services.events import day_bounds
    from assessment.services.rollups import rollups_refresh
    from bench.assessment_seed import DAYS, seed
    from incidents.models import TicketEvent
    from personnel.models import User

    default = 1_000_000 if connection.vendor == "postgresql" else 50_000
    tickets = int(os.environ.get("BENCH_TICKETS", default))
    now = timezone.now()
    seeded = seed(tickets, now, int(os.environ.get("BENCH_DAYS", DAYS)))
    today = timezone.localdate(now)
    first_day = seeded.pop("first day")

    # 1. The full rebuild, every day of the history.
    rebuild_s, rebuilt = _rebuild(first_day, today)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Fresh statistics of the facts just written, as autovacuum keeps them in use;
            # and those gigabytes on disk before the clock runs, where the role may.
            cursor.execute("ANALYZE")
            cursor.execute("SELECT pg_has_role('pg_checkpoint', 'MEMBER')")
            if cursor.fetchone()[0]:
                cursor.execute("CHECKPOINT")

    # 2. The reference, over the last full month.
    last_month = today.replace(day=1) - timedelta(days=1)
    period = parse_period(f"{last_month:%Y-%m}")
    start, end = day_bounds(period.first, period.last)
    _reference(start, end)  # warm
    reference_ms, reference = _median_ms(lambda: _reference(start, end), REFERENCE_RUNS)

    # 3. The district's indicators, for its supervisor.
    user = User.objects.filter(username="supervisor1").first()
    user = user or User.objects.filter(is_superuser=True).first()
    district_id = max(reference, key=lambda d: reference[d]["reported"])
    scope = Scope(kind="district", id=district_id)
    indicators_for(user=user, scope=scope, period=period)  # warm
    indicators_ms, found = _median_ms(
        lambda: indicators_for(user=user, scope=scope, period=period), RUNS
    )
    wrong = {
        name: (count, found["figures"][name])
        for name, count in reference[district_id].items()
        if found["figures"][name] != count
    }
    assert not wrong, f"rollups disagree with the raw events: {wrong}"

    # 4. The incremental refresh, from a cursor at the end of the seeded history.
    top = TicketEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    RollupCursor.objects.update_or_create(
        pk=RollupCursor.SINGLETON, defaults={"last_event_id": top, "last_run_at": now}
    )
    idle_ms, idle = _median_ms(lambda: rollups_refresh(now=timezone.now()), 3)
    changed = _change(timezone.now(), random.Random(7))
    started = time.perf_counter()
    refreshed = rollups_refresh(now=timezone.now())
    refresh_ms = (time.perf_counter() - started) * 1000

    # 5. Not timed: the refresh wrote what a rebuild writes.
    assert _rebuilt_equal(refreshed.days), "the refresh differs from a rebuild"

    print(f"  database {connection.vendor}, period {period.label}, district {district_id}")
    return {
        **seeded,
        "rebuild: days": len(rebuilt.days),
        "rebuild: rows written": rebuilt.rows,
        "rebuild: total s": rebuild_s,
        "rebuild: ms per day": rebuild_s / len(rebuilt.days) * 1000,
        "rebuild per day / reference": rebuild_s / len(rebuilt.days) * 1000 / reference_ms,
        "reference GROUP BY over raw events, ms": reference_ms,
        "indicators_for district/month, ms (median)": indicators_ms,
        "indicators / reference": indicators_ms / reference_ms,
        f"indicators goal ({GOAL_INDICATORS_MS} ms) / reference": GOAL_INDICATORS_MS / reference_ms,
        "indicators within goal": indicators_ms < GOAL_INDICATORS_MS,
        "refresh with nothing new, ms": idle_ms,
        "refresh with nothing new: days touched": len(idle.days),
        "changed tickets": changed,
        "refresh after changes, ms": refresh_ms,
        "refresh after changes: days touched": len(refreshed.days),
        "refresh after changes: events read": refreshed.events,
        "refresh after changes: rows written": refreshed.rows,
        "refresh / reference": refresh_ms / reference_ms,
        f"refresh goal ({GOAL_REFRESH_MS:,} ms) / reference": GOAL_REFRESH_MS / reference_ms,
        "refresh within goal": refresh_ms < GOAL_REFRESH_MS,
        "refresh equals a rebuild of the days it touched": True,
    }
