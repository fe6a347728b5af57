"""Assessment rollups at scale (issue 7 §6): the indicators of a district, the incremental
refresh and the full rebuild, against a plain GROUP BY over the raw events measured in the
same run on the same data.

Builds the demo city (grids, people, categories, SLA policies: the demo steps without demo
tickets), then writes TICKETS synthetic tickets (``BENCH_TICKETS``; one million on
PostgreSQL, 50,000 elsewhere) reported over the last ~120 days with their event histories
(report, accept, verification, file, dispatch, take, submit, start_check, close, rating;
some rejected or voided, a few edits, reworks, and red stage alerts with their escalation),
the most recent ones still open. PostgreSQL gets them through COPY, SQLite through batched
inserts (raw ``executemany``: ``bulk_create`` would stamp ``created_at`` with the seeding
time).

Then, in order:

1. the full rebuild of every day (``rollups_rebuild``, its progress shown);
2. the reference: one plain GROUP BY over the raw events joined to their tickets, counting
   a month's reports, filings, dispatches, submissions and closures per district (median
   of REFERENCE_RUNS);
3. ``indicators_for`` a district supervisor, the district and that month (median of
   RUNS), checked against the reference's counts;
4. the incremental refresh: once with nothing new (its fixed cost), then after CHANGED
   tickets got one more event each (the next workflow step of open cases, a few edits),
   written with ``at`` = now.

Goals (issue 7 §6, at one million tickets): an indicator request under 50 ms at the
median, an incremental run after 1,000 changed tickets under 2 s. Shown as ratios against
the reference (below 1: faster than the GROUP BY over the raw events).
"""

from __future__ import annotations

import io
import json
import os
import random
import statistics
import time
from bisect import bisect
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from itertools import accumulate
from typing import Any

DAYS = 120
RUNS = 20
REFERENCE_RUNS = 5
CHANGED = 1_000
BATCH = 20_000  # tickets per write
CUTOFF = timedelta(hours=1)  # histories end this long before the seeding time

# Source: weight (as the demo's ticket mix).
SOURCES = {
    "patrol": 44,
    "self_handled": 8,
    "hotline": 16,
    "resident": 9,
    "open311": 4,
    "department": 6,
    "sensor": 8,
    "leader": 5,
}
PUBLIC = {"hotline", "resident", "open311"}
SATISFACTION = {5: 55, 4: 27, 3: 8, 2: 6, 1: 4}
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


# Writing rows ------------------------------------------------------------------------------


def _copy_text(value: Any) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        text = text.replace("\r", "\\r")
    return text


class Writer:
    """Appends rows (tuples in ``columns`` order, by attname) to a model's table: COPY on
    PostgreSQL, batched INSERTs elsewhere."""

    def __init__(self, model, columns: list[str]) -> None:
        from django.db import connection

        self.connection = connection
        fields = {f.attname: f for f in model._meta.concrete_fields}
        quote = connection.ops.quote_name
        self.table = quote(model._meta.db_table)
        self.names = ", ".join(quote(fields[name].column) for name in columns)
        self.postgres = connection.vendor == "postgresql"
        self.fields = [fields[name] for name in columns]

    def write(self, rows: list[tuple]) -> None:
        from django.db import transaction

        if not rows:
            return
        with transaction.atomic(), self.connection.cursor() as cursor:
            if self.postgres:
                text = "".join("\t".join(map(_copy_text, row)) + "\n" for row in rows)
                sql = f"COPY {self.table} ({self.names}) FROM STDIN"
                cursor.copy_expert(sql, io.StringIO(text))
                return
            adapted = [
                [
                    field.get_db_prep_value(value, self.connection)
                    for field, value in zip(self.fields, row, strict=True)
                ]
                for row in rows
            ]
            marks = ", ".join(["%s"] * len(self.fields))
            cursor.executemany(
                f"INSERT INTO {self.table} ({self.names}) VALUES ({marks})",  # noqa: S608
                adapted,
            )


# The synthetic city and histories ----------------------------------------------------------


def _city():
    """The demo city without demo tickets: grids, people, departments, categories, SLAs."""
    from gridgov import demo as registry
    from gridgov.demo import DemoContext, run_steps
    from incidents.demo_city import load_city

    wanted = {"grids", "personnel", "incidents"}
    steps = [s for s in registry.demo_steps() if s.app_label in wanted]
    run_steps(DemoContext(tickets=0), steps)
    return load_city()


class Generator:
    """Plans one ticket's columns, events and red alerts at a time (no workflow calls)."""

    def __init__(self, city, now: datetime, rng: random.Random) -> None:
        from incidents.workflow import STATUS_STAGE
        from personnel.choices import Role

        self.rng, self.now, self.limit = rng, now, now - CUTOFF
        self.grids = city.grids
        self.grid_weights = list(accumulate(g["weight"] for g in city.grids))
        self.categories = city.categories
        self.category_weights = list(
            accumulate(3 if c.kind == "event" else 1 for c in city.categories)
        )
        self.sources = list(SOURCES)
        self.source_weights = list(accumulate(SOURCES.values()))
        self.points = {}
        self.people = {}
        for grid in city.grids:
            point = grid["shape"].representative_point()
            self.points[grid["grid_id"]] = (round(point.y, 6), round(point.x, 6))
            field = city.held(Role.GRID_WORKER, grid, "grid") or city.held(
                Role.GRID_CHIEF, grid, "grid"
            )
            staff = city.held(Role.STREET_STAFF, grid, "street", "district")
            self.people[grid["grid_id"]] = (field, staff or [city.admin])
        self.departments = city.departments
        self.handlers = city.handlers
        self.stages = {str(status): str(stage) for status, stage in STATUS_STAGE.items()}

    def _pick(self, items: list, cumulative: list[int]):
        return items[bisect(cumulative, self.rng.random() * cumulative[-1])]

    def ticket(self, pk: int, reported: datetime) -> tuple[dict, list[tuple], list[tuple]]:
        """The ticket's columns (by attname), its events (action, from, to, actor, at, data)
        and its red alerts (stage_started_at, due_at, at)."""
        rng = self.rng
        grid = self._pick(self.grids, self.grid_weights)
        category = self._pick(self.categories, self.category_weights)
        source = self._pick(self.sources, self.source_weights)
        field, staff = self.people[grid["grid_id"]]
        lead = category.lead_department_id
        lead = lead if lead in self.departments.get(grid["district_id"], ()) else None
        handlers = self.handlers.get(lead) or field or staff
        reporter = rng.choice(field) if field and source in ("patrol", "self_handled") else None

        events: list[tuple] = []
        alerts: list[tuple] = []
        state = {"status": "", "at": reported, "stage_at": reported, "lead": None}
        fields = {"level": 0, "rework_count": 0, "satisfaction": None, "closed_at": None}

        def step(action: str, to: str | None, hours: tuple[float, float], actor, data=None):
            at = state["at"] + timedelta(hours=rng.uniform(*hours))
            if at > self.limit:
                return False
            status = state["status"]
            events.append((action, status, to or status, actor, at, data or {}))
            state["at"], state["status"] = at, to or status
            return True

        def pick(people):
            return rng.choice(people) if people else None

        first = "checking" if source == "self_handled" else "reported"
        events.append(("report", "", first, reporter, reported, {"source": source}))
        state["status"] = first
        if source == "self_handled":
            self._close(step, pick, field, staff, source, fields)
        else:
            self._intake_and_handling(step, pick, field, staff, handlers, lead, source, fields)
            if state["status"] == "in_handling" and rng.random() < 0.12:
                # The handle stage (started by the dispatch) went red before the
                # submission: the sweep's red alert and its escalation at one instant.
                dispatched = next(e[4] for e in reversed(events) if e[0] == "dispatch")
                taken = events[-1][4]
                due = taken + timedelta(hours=rng.uniform(0.5, 6))
                if due + timedelta(minutes=1) < self.limit:
                    red = due + timedelta(seconds=30)
                    alerts.append((dispatched, due, red))
                    events.append(
                        ("escalate", "in_handling", "in_handling", None, red, {"level": 1})
                    )
                    state["at"] = red
                    fields["level"] = 1
            if state["status"] == "in_handling":
                self._finish(step, pick, field, staff, handlers, source, fields)
        status = state["status"]
        if status in ("closed", "evaluated"):
            fields["closed_at"] = next(e[4] for e in reversed(events) if e[0] == "close")
        stage = self.stages.get(status, "")
        lat, lng = self.points[grid["grid_id"]]
        values = {
            "id": pk,
            "created_at": reported,
            "updated_at": state["at"],
            "number": f"BN-{pk:010d}",
            "source": source,
            "category_id": category.pk,
            "priority": category.default_priority,
            "title": category.name,
            "description": f"{grid['name']}{category.name}",
            "reporter_id": reporter,
            "lat": lat,
            "lng": lng,
            "address": grid["name"],
            "grid_id": grid["grid_id"],
            "community_id": grid["community_id"],
            "street_id": grid["street_id"],
            "district_id": grid["district_id"],
            "status": status,
            "lead_department_id": lead if any(e[0] == "dispatch" for e in events) else None,
            "stage": stage,
            "stage_started_at": state["at"] if stage else None,
            "version": len(events),
            **fields,
        }
        return values, events, alerts

    def _intake_and_handling(self, step, pick, field, staff, handlers, lead, source, fields):
        rng = self.rng
        roll = rng.random()
        if roll < 0.04:
            step("reject", "rejected", (0.2, 6), pick(staff))
            return
        if not step("accept", "accepted", (0.1, 3), pick(staff)):
            return
        if rng.random() < 0.02:
            step("edit", None, (0.1, 2), pick(staff), {"priority": "urgent"})
        if source in PUBLIC and rng.random() < 0.6:
            if not step("request_verification", "verifying", (0.1, 2), pick(staff)):
                return
            if not step("verify", "accepted", (1, 24), pick(field or staff)):
                return
        if rng.random() < 0.03:
            step("void", "voided", (0.5, 8), pick(staff))
            return
        if not step("file", "filed", (0.3, 6), pick(staff)):
            return
        data = (
            {"lead_department": lead, "cooperating_departments": []}
            if lead
            else {"to_grid": True, "cooperating_departments": []}
        )
        if not step("dispatch", "dispatched", (0.3, 6), pick(staff), data):
            return
        step("take", "in_handling", (0.5, 24), pick(handlers))

    def _finish(self, step, pick, field, staff, handlers, source, fields):
        rng = self.rng
        if rng.random() < 0.02:
            step("void", "voided", (2, 48), pick(staff))
            return
        extended = rng.random() < 0.04
        if extended and not step("approve_extension", None, (2, 24), pick(staff), {"amount": 1}):
            return
        if not step("submit", "handled", (4, 72), pick(handlers)):
            return
        if not step("start_check", "checking", (0.5, 24), pick(field or staff)):
            return
        if rng.random() < 0.05:
            if not step("rework", "rework", (0.3, 8), pick(field or staff)):
                return
            fields["rework_count"] += 1
            if not step("take", "in_handling", (0.5, 12), pick(handlers)):
                return
            if not step("submit", "handled", (2, 48), pick(handlers)):
                return
            if not step("start_check", "checking", (0.5, 24), pick(field or staff)):
                return
        self._close(step, pick, field, staff, source, fields)

    def _close(self, step, pick, field, staff, source, fields):
        rng = self.rng
        if not step("close", "closed", (0.3, 8), pick(field or staff)):
            return
        if source in PUBLIC and rng.random() < 0.7:
            stars = rng.choices(list(SATISFACTION), weights=list(SATISFACTION.values()))[0]
            if step("rate", "evaluated", (2, 72), pick(staff), {"satisfaction": stars}):
                fields["satisfaction"] = stars
        elif rng.random() < 0.3:
            step("rate", "evaluated", (24 * 7, 24 * 7 + 1), None)


def _seed(tickets: int, now: datetime) -> dict[str, Any]:
    """Write the city and ``tickets`` tickets with their histories; returns its figures."""
    from django.db import connection
    from django.utils import timezone

    from incidents.models import StageAlert, Ticket, TicketEvent
    from personnel.models import GridAssignment, PatrolDay

    started = time.perf_counter()
    city = _city()
    city_seconds = time.perf_counter() - started
    # The city was set up before the history: its assignments and patrol days are older than
    # the refresh's last run (else the first refresh would rewrite every day they touch).
    GridAssignment.objects.update(created_at=now - CUTOFF)
    PatrolDay.objects.update(updated_at=now - CUTOFF)
    rng = random.Random(2026)
    generator = Generator(city, now, rng)
    # Report times, oldest first (so that ids grow with time, as they do in production),
    # more of them recent, in the day's waking hours.
    today = timezone.localdate(now)
    midnights = [
        datetime.combine(today - timedelta(days=d), clock(), tzinfo=timezone.get_current_timezone())
        for d in range(DAYS + 1)
    ]
    times = []
    for _index in range(tickets):
        day = int(DAYS * rng.random() ** 1.25)
        at = midnights[day] + timedelta(minutes=rng.uniform(7 * 60, 21 * 60))
        if at > now - CUTOFF:
            at -= timedelta(days=1)
        times.append(at.astimezone(UTC))
    times.sort()

    ticket_fields = [f.attname for f in Ticket._meta.concrete_fields]
    defaults = {f.attname: f.get_default() for f in Ticket._meta.concrete_fields}
    tickets_out = Writer(Ticket, ticket_fields)
    event_columns = ["ticket_id", "action", "from_status", "to_status", "actor_id", "at", "data"]
    event_columns.append("note")
    events_out = Writer(TicketEvent, event_columns)
    alert_columns = ["ticket_id", "stage_started_at", "due_at", "colour", "at", "sweep_run"]
    alerts_out = Writer(StageAlert, alert_columns)
    first_pk = (Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    events = alerts = 0
    started = time.perf_counter()
    for start in range(0, tickets, BATCH):
        ticket_rows, event_rows, alert_rows = [], [], []
        for offset, reported in enumerate(times[start : start + BATCH]):
            pk = first_pk + start + offset
            values, history, reds = generator.ticket(pk, reported)
            row = defaults | values
            ticket_rows.append(tuple(row[name] for name in ticket_fields))
            event_rows.extend((pk, *event, "") for event in history)
            alert_rows.extend(
                (pk, stage, due, "red", at, "00000000-0000-0000-0000-00000000be7c")
                for stage, due, at in reds
            )
        tickets_out.write(ticket_rows)
        events_out.write(event_rows)
        alerts_out.write(alert_rows)
        events += len(event_rows)
        alerts += len(alert_rows)
        done = min(start + BATCH, tickets)
        print(
            f"  seeded {done:,} / {tickets:,} tickets, {events:,} events, {alerts:,} red "
            f"alerts ({time.perf_counter() - started:,.0f} s)",
            flush=True,
        )
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Ticket]):
            cursor.execute(sql)
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    return {
        "tickets": tickets,
        "events": events,
        "red alerts": alerts,
        "city (demo steps) s": city_seconds,
        "generate and write tickets s": time.perf_counter() - started,
        "first day": min(times).astimezone(timezone.get_current_timezone()).date(),
    }


# Measuring ---------------------------------------------------------------------------------


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


def _change(now: datetime, rng: random.Random) -> int:
    """Give CHANGED tickets one more event at ``now``: the next step of the most recent
    open cases (a few edits among them), edits of recently closed ones if too few are
    open. Returns how many tickets changed."""
    from collections import defaultdict

    from incidents.choices import FINAL_STATUSES
    from incidents.models import Ticket, TicketEvent

    open_cases = list(
        Ticket.objects.exclude(status__in=FINAL_STATUSES)
        .order_by("-pk")
        .values_list("pk", "status")[:CHANGED]
    )
    if len(open_cases) < CHANGED:
        closed = Ticket.objects.filter(status__in=FINAL_STATUSES).order_by("-pk")
        open_cases += list(closed.values_list("pk", "status")[: CHANGED - len(open_cases)])
    events, moved = [], defaultdict(list)
    for pk, status in open_cases:
        if status in NEXT_STEP and rng.random() >= 0.05:
            action, to = NEXT_STEP[status]
            data = {"to_grid": True, "cooperating_departments": []} if action == "dispatch" else {}
            moved[to].append(pk)
        else:
            action, to, data = "edit", status, {"priority": "urgent"}
        events.append(
            TicketEvent(
                ticket_id=pk, action=action, from_status=status, to_status=to, at=now, data=data
            )
        )
    TicketEvent.objects.bulk_create(events, batch_size=1000)
    for status, pks in moved.items():
        Ticket.objects.filter(pk__in=pks).update(status=status, updated_at=now)
    return len(events)


def run() -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from assessment.models import RollupCursor
    from assessment.scopes import Scope, parse_period
    from assessment.selectors import indicators_for
    from assessment.services.events import day_bounds
    from assessment.services.rollups import rollups_rebuild, rollups_refresh
    from incidents.models import TicketEvent
    from personnel.models import User

    default = 1_000_000 if connection.vendor == "postgresql" else 50_000
    tickets = int(os.environ.get("BENCH_TICKETS", default))
    now = timezone.now()
    seeded = _seed(tickets, now)
    today = timezone.localdate(now)
    first_day = seeded.pop("first day")

    # 1. The full rebuild, every day of the history.
    started = time.perf_counter()
    total_days = (today - first_day).days + 1
    shown = max(total_days // 12, 1)

    def progress(day: date, done: int, total: int) -> None:
        if done % shown == 0 or done == total:
            elapsed = time.perf_counter() - started
            print(
                f"  rebuilt {day} ({done} / {total} days, {elapsed:,.1f} s, "
                f"~{elapsed / done * (total - done):,.0f} s to go)",
                flush=True,
            )

    rebuilt = rollups_rebuild(since=first_day, until=today, progress=progress)
    rebuild = time.perf_counter() - started

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
    changed_at = timezone.now()
    changed = _change(changed_at, random.Random(7))
    started = time.perf_counter()
    refreshed = rollups_refresh(now=timezone.now())
    refresh_ms = (time.perf_counter() - started) * 1000

    print(f"  database {connection.vendor}, period {period.label}, district {district_id}")
    return {
        **seeded,
        "rebuild: days": len(rebuilt.days),
        "rebuild: rows written": rebuilt.rows,
        "rebuild: total s": rebuild,
        "rebuild: ms per day": rebuild / len(rebuilt.days) * 1000,
        "reference GROUP BY over raw events, ms": reference_ms,
        "indicators_for district/month, ms (median)": indicators_ms,
        "indicators / reference": indicators_ms / reference_ms,
        "refresh with nothing new, ms": idle_ms,
        "refresh with nothing new: days rewritten": len(idle.days),
        "changed tickets": changed,
        "refresh after changes, ms": refresh_ms,
        "refresh after changes: days rewritten": len(refreshed.days),
        "refresh after changes: events read": refreshed.events,
        "refresh after changes: rows written": refreshed.rows,
        "refresh / reference": refresh_ms / reference_ms,
    }
