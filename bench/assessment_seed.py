"""The synthetic city of the benches: the demo city (grids, people, departments,
categories, SLA policies: the demo steps without demo tickets) and N tickets reported over
the last ``DAYS`` days, in one of two shapes:

* with histories (the assessment bench): each ticket with its event history (report,
  accept, verification, file, dispatch, take, submit, start_check, close, rating; some
  rejected or voided, a few edits, reworks, and red stage alerts with their escalation),
  the most recent ones still open;
* open (``histories=False``; the ticket API and deadline benches): every ticket open in a
  running stage with its due and warning times, coloured as the sweep would have left them
  (red when overdue, yellow past the warning), with its report event only.

``bench.bulk`` writes them: COPY on PostgreSQL, batched inserts on SQLite (raw
``executemany``: ``bulk_create`` would stamp ``created_at`` with the seeding time), with a
progress bar showing tickets/s.
"""

from __future__ import annotations

import random
import time
from bisect import bisect
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from itertools import accumulate
from typing import Any

from bench.bulk import Pipeline, Progress, Writer, indexes_set_aside

__all__ = ["DAYS", "Generator", "Writer", "seed"]

DAYS = 120
BATCH = 20_000  # tickets per write
CUTOFF = timedelta(hours=1)  # histories end this long before the seeding time
# Places within each grid where its cases are reported: cases spread over a grid's streets
# and courtyards, as a city's do, rather than all lying on one point.
SPOTS_PER_GRID = 200

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
# The open city: status of an open case: weight; and how long its running stage may take
# (from its start, in hours: the due times spread from long past to weeks ahead).
OPEN_STATUSES = {
    "reported": 8,
    "accepted": 6,
    "verifying": 4,
    "filed": 6,
    "dispatched": 12,
    "in_handling": 40,
    "handled": 12,
    "checking": 12,
}
HANDLED_BY_DEPARTMENT = {"dispatched", "in_handling", "handled", "checking"}
OPEN_LIMIT_HOURS = (2, 24 * 60)


# The synthetic city and histories ----------------------------------------------------------


_CITY_WRITTEN = False  # whether this run's database holds the demo city already


def _city():
    """The demo city without demo tickets: grids, people, departments, categories, SLAs
    (its demo steps run once per database: a later seeding in the same run reuses it)."""
    global _CITY_WRITTEN
    from gridgov import demo as registry
    from gridgov.demo import DemoContext, run_steps
    from incidents.demo_city import load_city

    if not _CITY_WRITTEN:
        wanted = {"grids", "personnel", "incidents"}
        steps = [s for s in registry.demo_steps() if s.app_label in wanted]
        run_steps(DemoContext(tickets=0), steps)
        _CITY_WRITTEN = True
    return load_city()


def city_written() -> bool:
    return _CITY_WRITTEN


def forget() -> None:
    """The database was emptied: the next seeding writes the city again."""
    global _CITY_WRITTEN
    _CITY_WRITTEN = False


def _spots(shape, rng: random.Random, count: int) -> list[tuple[float, float]]:
    """``count`` random points (lat, lng) inside ``shape``; its representative point alone
    if it is too thin for random points to fall in it."""
    from shapely import contains_xy, prepare

    prepare(shape)
    west, south, east, north = shape.bounds
    spots = []
    for _attempt in range(count * 20):
        lng, lat = rng.uniform(west, east), rng.uniform(south, north)
        if contains_xy(shape, lng, lat):
            spots.append((round(lat, 6), round(lng, 6)))
            if len(spots) == count:
                return spots
    point = shape.representative_point()
    return spots or [(round(point.y, 6), round(point.x, 6))]


class Generator:
    """Plans one ticket's columns, events and red alerts at a time (no workflow calls)."""

    def __init__(self, city, now: datetime, rng: random.Random) -> None:
        from incidents.clock import STATUS_STAGE
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
            self.points[grid["grid_id"]] = _spots(grid["shape"], rng, SPOTS_PER_GRID)
            field = city.held(Role.GRID_WORKER, grid, "grid") or city.held(
                Role.GRID_CHIEF, grid, "grid"
            )
            staff = city.held(Role.STREET_STAFF, grid, "street", "district")
            self.people[grid["grid_id"]] = (field, staff or [city.admin])
        self.departments = city.departments
        self.handlers = city.handlers
        self.stages = {str(status): str(stage) for status, stage in STATUS_STAGE.items()}
        self.open_statuses = list(OPEN_STATUSES)
        self.open_weights = list(accumulate(OPEN_STATUSES.values()))

    def actor(self, action: str, grid_id: int, lead: int | None) -> int | None:
        """Who takes ``action`` on a case of the grid: a field worker checks on site, the
        lead department's handlers handle, the street's staff does the rest."""
        field, staff = self.people[grid_id]
        if action in ("verify", "start_check", "close", "rework"):
            people = field or staff
        elif action in ("take", "submit"):
            people = self.handlers.get(lead) or field or staff
        else:
            people = staff
        return self.rng.choice(people) if people else None

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
        lat, lng = rng.choice(self.points[grid["grid_id"]])
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

    def open_ticket(self, pk: int, reported: datetime) -> tuple[dict, list[tuple], list]:
        """An open case: its columns (by attname), its report event and no alerts. Its
        stage started when it was reported; the due and warning (80 %) times follow from a
        random limit, and its colour and level are what the sweep would have left."""
        rng = self.rng
        grid = self._pick(self.grids, self.grid_weights)
        category = self._pick(self.categories, self.category_weights)
        source = self._pick(self.sources, self.source_weights)
        status = self._pick(self.open_statuses, self.open_weights)
        field, _staff = self.people[grid["grid_id"]]
        lead = category.lead_department_id
        lead = lead if lead in self.departments.get(grid["district_id"], ()) else None
        reporter = rng.choice(field) if field and source in ("patrol", "self_handled") else None
        limit = timedelta(hours=rng.uniform(*OPEN_LIMIT_HOURS))
        due, warn = reported + limit, reported + limit * 0.8
        colour = "red" if due <= self.now else "yellow" if warn <= self.now else "green"
        lat, lng = rng.choice(self.points[grid["grid_id"]])
        values = {
            "id": pk,
            "created_at": reported,
            "updated_at": reported,
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
            "level": 1 if colour == "red" else 0,
            "lead_department_id": lead if status in HANDLED_BY_DEPARTMENT else None,
            "stage": self.stages[status],
            "stage_started_at": reported,
            "stage_due_at": due,
            "stage_warn_at": warn,
            "sla_colour": colour,
            "version": 1,
        }
        report = ("report", "", "reported", reporter, reported, {"source": source})
        return values, [report], []

    def _intake_and_handling(self, step, pick, field, staff, handlers, lead, source, fields):
        rng = self.rng
        roll = rng.random()
        if roll < 0.04:
            step("reject", "rejected", (0.2, 6), pick(staff))
            return
        if not step("accept", "accepted", (0.1, 3), pick(staff)):
            return
        if rng.random() < 0.02:
            step("edit", None, (0.1, 2), pick(staff), {"description": "补充说明"})
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


def seed(
    tickets: int, now: datetime, days: int = DAYS, *, histories: bool = True
) -> dict[str, Any]:
    """Write the city and ``tickets`` tickets reported over the last ``days`` days, with
    their histories or (``histories=False``) open with their report event only; returns
    its figures, among them the tickets written per second (city set-up excluded)."""
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
        for d in range(days + 1)
    ]
    times = []
    for _index in range(tickets):
        day = int(days * rng.random() ** 1.25)
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
    plan = generator.ticket if histories else generator.open_ticket
    events = alerts = 0
    with indexes_set_aside([Ticket, TicketEvent], tickets):
        progress = Progress(tickets)
        pipeline = Pipeline(connection.vendor == "postgresql")
        started = time.perf_counter()
        for start in range(0, tickets, BATCH):
            ticket_rows, event_rows, alert_rows = [], [], []
            for offset, reported in enumerate(times[start : start + BATCH]):
                pk = first_pk + start + offset
                values, history, reds = plan(pk, reported)
                row = defaults | values
                ticket_rows.append(tuple(row[name] for name in ticket_fields))
                event_rows.extend((pk, *event, "") for event in history)
                alert_rows.extend(
                    (pk, stage, due, "red", at, "00000000-0000-0000-0000-00000000be7c")
                    for stage, due, at in reds
                )
            pipeline.send(
                [
                    (tickets_out, tickets_out.prepare(ticket_rows)),
                    (events_out, events_out.prepare(event_rows)),
                    (alerts_out, alerts_out.prepare(alert_rows)),
                ]
            )
            events += len(event_rows)
            alerts += len(alert_rows)
            progress.update(min(start + BATCH, tickets), f", {events:,} events")
        pipeline.close()
    written = time.perf_counter() - started
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
        "generate and write tickets s": written,
        "tickets written per s": tickets / written if written else 0.0,
        "first day": min(times).astimezone(timezone.get_current_timezone()).date(),
    }
