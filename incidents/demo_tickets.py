"""The demo tickets of ``manage.py seed_demo --tickets N``.

N cases spread over the demo city's grids, categories and sources, reported over the last
~120 days (more in recent weeks) with each source's weekly rhythm (``_rhythm``: the
assessment app's forecasts are tested against it). About 70 % have finished (closed or
evaluated, a few voided or rejected); the rest are open, with running stages due around
now. Each history is planned here, played by :mod:`incidents.demo_histories` and written
with ``bulk_create`` in batches: no per-ticket workflow call, which would be slow and stamp
every step "now".

Idempotent: demo tickets are numbered in their own range (GD-YYYYMMDD-9NNNNN, far above
what a day's counter reaches); when any exist, the step leaves them as they are.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.demo import DemoContext, register
from gridgov.workdays import WorkingDayTest
from grids.locate import locate_grid_ids
from incidents import calendar
from incidents.choices import (
    FINAL_STATUSES,
    PUBLIC_SOURCES,
    Priority,
    Source,
    Status,
)
from incidents.demo_cases import Case, Cast, History, Ref, schedule
from incidents.demo_city import City, Planner, load_city, pick, point_inside
from incidents.demo_histories import UNTIMED_SPAN, Sim
from incidents.models import (
    Escalation,
    LinkageTask,
    StageAlert,
    SupervisionOrder,
    Ticket,
    TicketEvent,
)
from personnel import demo_data as people_data
from personnel.choices import Role

DEMO_SEED = 2026
DEMO_SERIAL = 900_000  # demo numbers of a day start above this
DEMO_NUMBER = r"^GD-[0-9]{8}-9[0-9]{5}$"
DAYS = 120
BATCH = 1000
SWEEP_RUN = uuid.uuid5(uuid.NAMESPACE_URL, "gridgov-demo/tickets")  # the demo's alerts
LATE_SHARE = 0.15  # cases with at least one stage finished late
# The first cases are public reports closed in the last days, so that the demo's ratings
# (participation.demo_voice) find cases to rate on whatever day the demo is seeded.
RECENT_PUBLIC_CLOSED = 4
ON_TIME = timedelta(minutes=1)  # how close an open case's planned share must come to now
STEP_BACK = timedelta(minutes=30)  # the first extra step back of a history that overran now

# Source: weight, the local minutes of the day it reports in, the description.
SOURCES = {
    Source.PATROL: (44, 510, 1050, "网格员巡查发现{place}{name}，请及时处置。"),
    Source.SELF_HANDLED: (8, 510, 1050, "网格员巡查发现{place}{name}，已现场处置完毕。"),
    Source.HOTLINE: (16, 420, 1350, "市民来电反映：{place}{name}，希望尽快解决。"),
    Source.RESIDENT: (9, 420, 1350, "居民随手拍反映{place}{name}。"),
    Source.OPEN311: (4, 420, 1350, "市民通过第三方平台反映{place}{name}。"),
    Source.DEPARTMENT: (6, 510, 1050, "部门巡检发现{place}{name}。"),
    Source.SENSOR: (8, 0, 1440, "物联感知设备报警：{place}{name}。"),
    Source.LEADER: (5, 480, 1200, "领导批示：请尽快处置{place}{name}问题。"),
}
FINISHED = {Status.CLOSED: 89, Status.VOIDED: 6, Status.REJECTED: 5}
OPEN = {
    Status.REPORTED: 10,
    Status.VERIFYING: 8,
    Status.FILED: 8,
    Status.DISPATCHED: 12,
    Status.IN_HANDLING: 30,
    Status.HANDLED: 8,
    Status.CHECKING: 14,
    Status.REWORK: 6,
}
# How far the running stage of an open case has run: green, yellow (past 80 %), red.
OPEN_SHARES = ((55, 0.1, 0.78), (20, 0.82, 0.97), (25, 1.1, 4.0))


SIDES = ("附近", "东侧", "西侧", "南侧", "北侧", "路口", "小区门口")

# How often a source reports on a day, relative to its busiest day. Patrols, departments
# and leaders follow the working calendar (a holiday is quiet, a swapped working weekend
# busy); the public calls most on Mondays and least at weekends; sensors do not rest.
OFFICE_HOURS = {True: 1.0, False: 0.25}  # by working day
PUBLIC_WEEK = (1.0, 0.8, 0.75, 0.75, 0.75, 0.55, 0.5)  # Monday first
OFFICE_SOURCES = {Source.PATROL, Source.SELF_HANDLED, Source.DEPARTMENT, Source.LEADER}
PUBLIC_WEEK_SOURCES = {Source.HOTLINE, Source.RESIDENT, Source.OPEN311}


def _rhythm(source: str, day: date, working: WorkingDayTest) -> float:
    """The source's relative report rate on ``day``, at most 1."""
    if source in OFFICE_SOURCES:
        return OFFICE_HOURS[working(day)]
    if source in PUBLIC_WEEK_SOURCES:
        return PUBLIC_WEEK[day.weekday()]
    return 1.0


def _created(rng: random.Random, source: str, now: datetime, working: WorkingDayTest) -> datetime:
    """A report time in the last DAYS days, more of them recent, on a day drawn with the
    source's weekly rhythm (rejection sampling: a day is kept with probability
    ``_rhythm``, at least 1 in 4, so a few draws suffice), at the source's hours."""
    today = timezone.localdate(now)
    while True:
        day = today - timedelta(days=int(DAYS * rng.random() ** 1.25))
        if rng.random() < _rhythm(source, day, working):
            break
    _weight, start, end, _text = SOURCES[source]
    at = timezone.make_aware(datetime.combine(day, time())) + timedelta(
        minutes=rng.uniform(start, end)
    )
    return at if at < now else at - timedelta(days=1)


def make_case(
    index: int, rng: random.Random, city: City, now: datetime, working: WorkingDayTest
) -> tuple[dict[str, Any], Case, datetime]:
    """One ticket's columns, its planned history and a first guess of its report time
    (``working`` tells the working days of the last DAYS days)."""
    source = pick(rng, {source: row[0] for source, row in SOURCES.items()})
    is_open = rng.random() < 0.3
    recent_public = index < RECENT_PUBLIC_CLOSED
    if recent_public:
        source, is_open = sorted(PUBLIC_SOURCES)[index % len(PUBLIC_SOURCES)], False
    if source == Source.SELF_HANDLED:
        target = (Status.CHECKING if rng.random() < 0.8 else Status.REWORK) if is_open else ""
    else:
        target = pick(rng, OPEN if is_open else FINISHED)
    if recent_public:
        target = Status.CLOSED
    if target == Status.VERIFYING and source not in PUBLIC_SOURCES:
        target = Status.FILED
    weights = [3 if c.kind == "event" else 1 for c in city.categories]
    category = rng.choices(city.categories, weights=weights)[0]
    priority, roll = category.default_priority, rng.random()
    if roll < 0.04:
        priority = Priority.EMERGENCY
    elif roll < 0.14 and priority == Priority.NORMAL:
        priority = Priority.URGENT
    spots = [s for s in city.components.get(category.code[1:], []) if s[1] in city.by_id]
    component, roll = None, rng.random()
    if category.kind == "component" and spots and roll < 0.6:
        component, grid_id, lat, lng = rng.choice(spots)
        grid = city.by_id[grid_id]
    else:
        grid = rng.choices(city.grids, weights=[g["weight"] for g in city.grids])[0]
        lat, lng = point_inside(rng, grid["shape"])
    nearby = city.departments.get(grid["district_id"], [])
    lead = category.lead_department_id if category.lead_department_id in nearby else None
    others = [d for d in nearby if d != lead]
    wrong = rng.choice(others) if lead and others and rng.random() < 0.04 else None
    coop = rng.choice(others) if lead and others and rng.random() < 0.15 else None
    field_people = city.held(Role.GRID_WORKER, grid, "grid") or city.held(
        Role.GRID_CHIEF, grid, "grid"
    )
    cast = Cast(
        staff=city.held(Role.STREET_STAFF, grid, "street", "district"),
        field=field_people,
        handlers=city.handlers.get(lead, []) if lead else field_people,
        wrong=city.handlers.get(wrong, []),
        coop=city.handlers.get(coop, []),
        supervisors=city.held(Role.SUPERVISOR, grid, "district", "street"),
        admin=city.admin,
    )
    name, phone = "", ""
    if source in (Source.PATROL, Source.SELF_HANDLED):
        cast.reporter = rng.choice(field_people) if field_people else None
    elif source == Source.DEPARTMENT and cast.handlers and lead:
        cast.reporter = rng.choice(cast.handlers)
    elif source in PUBLIC_SOURCES:
        name = rng.choice(people_data.SURNAMES) + rng.choice(["先生", "女士"])
        phone = f"1390000{rng.randrange(10000):04d}"  # the made-up 139 0000 block
    else:
        name = {Source.SENSOR: "物联感知平台", Source.LEADER: "县政府办公室"}.get(
            source, "职能部门"
        )
    address = grid["name"] + rng.choice(SIDES)
    values = {
        "source": source,
        "category_id": category.pk,
        "priority": priority,
        "title": category.name,
        "description": SOURCES[source][3].format(place=address, name=category.name),
        "reporter_id": cast.reporter,
        "reporter_name": name,
        "reporter_phone": phone,
        "lat": lat,
        "lng": lng,
        "address": address,
        "grid_id": grid["grid_id"],
        "community_id": grid["community_id"],
        "street_id": grid["street_id"],
        "district_id": grid["district_id"],
        "component_id": component,
    }
    late = pick(rng, {1: 70, 2: 22, 3: 8}) if rng.random() < LATE_SHARE else 0
    open_share = None
    if is_open:
        _weight, low, high = rng.choices(OPEN_SHARES, weights=[s[0] for s in OPEN_SHARES])[0]
        open_share = rng.uniform(low, high)
    steps = Planner(rng, source, target or Status.CLOSED).plan(lead=lead, wrong=wrong, coop=coop)
    first = Status.CHECKING if source == Source.SELF_HANDLED else Status.REPORTED
    schedule(rng, steps, first, late=late, open_share=open_share)
    limits = city.limits.get((category.pk, priority), {})
    case = Case(source, priority, limits, lead, steps, cast, f"{DEMO_SEED}:{index}", open_share)
    if is_open or recent_public:
        created = now - timedelta(hours=rng.uniform(1, 72))
    else:
        created = _created(rng, source, now, working)
    return values, case, created


def running_start(case: Case, stage: str, now: datetime) -> datetime:
    """When the running stage of an open case must have started for now to fall at its
    planned share: ``start + share * (due_at(start) - start) == now``, solved by Newton
    steps (slope 1 in working time) kept inside a bracket."""
    share, limit = case.open_share or 0.0, case.limits.get(stage)
    if limit is None:
        return now - UNTIMED_SPAN * share
    plain = case.priority == Priority.EMERGENCY
    low, high = None, now
    start = now - (calendar.due_at(now, *limit, plain_clock=plain) - now) * share
    for _attempt in range(12):
        miss = start + (calendar.due_at(start, *limit, plain_clock=plain) - start) * share - now
        if abs(miss) < ON_TIME:
            return start
        low, high = (low, start) if miss > timedelta(0) else (start, high)
        start -= miss
        if low is not None and not low < start < high:
            start = low + (high - low) / 2
    # No start gives that share (a working-time limit jumps over a night or a weekend):
    # take the one just after the jump, whose stage has run less of its limit.
    return high


def play(case: Case, created: datetime, now: datetime) -> History:
    """The case's history, moved in time until every step lies in the past; an open case's
    running stage starts when it must for now to fall at its planned share (the steps
    before it are moved towards that time, their shares kept as well as working time
    allows)."""
    if case.open_share is not None:
        history = Sim(case, created, now).run()
        start = running_start(case, history.fields["stage"], now)
        if history.natural is None:  # the running stage started with the report
            history = Sim(case, start, now).run()
        for _attempt in range(3 if history.natural else 0):
            created += start - history.natural
            history = Sim(case, created, now, pin_at=start).run()
            if abs(history.natural - start) <= ON_TIME:
                break
        if history.latest <= now:
            return history
    for attempt in range(16):
        history = Sim(case, created, now).run()
        if history.latest <= now:
            return history
        # Working time is not shift-invariant: each retry steps back a little further.
        created -= history.latest - now + STEP_BACK * 2**attempt
    raise RuntimeError(f"no demo history for case {case.seed} fits before now")


def _placed(items: list[tuple[dict[str, Any], History]], city: City) -> None:
    """Make sure each location lies in its ticket's grid as ``locate`` finds it (a point on
    an edge belongs to the grid with the smaller code)."""
    points = [(values["lat"], values["lng"]) for values, _h in items]
    for (values, _h), found in zip(items, locate_grid_ids(points), strict=True):
        if found != values["grid_id"]:
            point = city.by_id[values["grid_id"]]["shape"].representative_point()
            values["lat"], values["lng"] = round(point.y, 6), round(point.x, 6)


def _number(items: list[tuple[dict[str, Any], History]]) -> None:
    """Numbers in report order, in the demo range of each local day."""
    items.sort(key=lambda item: item[1].fields["created_at"])
    serial: dict[Any, int] = defaultdict(int)
    for values, history in items:
        day = timezone.localdate(history.fields["created_at"])
        serial[day] += 1
        values["number"] = f"GD-{day:%Y%m%d}-{DEMO_SERIAL + serial[day]:06d}"


def _insert(model, rows: list, progress) -> None:
    """Write ``rows`` in batches; their ids are read back where the database returns them."""
    if rows and not connection.features.can_return_rows_from_bulk_insert:
        for row in rows:  # only other rows name these ones: save them one by one
            row.save()
        progress(len(rows))
        return
    for start in range(0, len(rows), BATCH):
        model.objects.bulk_create(rows[start : start + BATCH])
        progress(len(rows[start : start + BATCH]))


def _resolved(data: dict[str, Any]) -> dict[str, Any]:
    """An event's data with the rows it names replaced by their ids."""
    return {key: v.resolve() if isinstance(v, Ref) else v for key, v in data.items()}


def write(ctx: DemoContext, items: list[tuple[dict[str, Any], History]]) -> int:
    """Write the tickets and the rows around them; returns the number of events."""
    label = _("demo ticket history rows")
    total = len(items) + sum(
        len(h.tasks) + len(h.orders) + len(h.escalations) + len(h.alerts) + len(h.events)
        for _v, h in items
    )
    done = 0

    def progress(n: int) -> None:
        """Report ``n`` more rows written."""
        nonlocal done
        done += n
        ctx.progress(label, done, total)

    tickets = [Ticket(**values, **history.fields) for values, history in items]
    _insert(Ticket, tickets, progress)
    # auto_now and auto_now_add stamped the seeding time on every row: put the histories'
    # own times back in one statement (bulk_update's CASE per row costs seconds here).
    ops, meta = connection.ops, Ticket._meta
    sql = "UPDATE {} SET {} = %s, {} = %s WHERE {} = %s".format(  # noqa: S608 - quoted names
        *map(ops.quote_name, (meta.db_table, "created_at", "updated_at", meta.pk.column))
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [
                (
                    ops.adapt_datetimefield_value(history.fields["created_at"]),
                    ops.adapt_datetimefield_value(history.fields["updated_at"]),
                    ticket.pk,
                )
                for ticket, (_v, history) in zip(tickets, items, strict=True)
            ],
        )
    related = {LinkageTask: "tasks", SupervisionOrder: "orders"}
    related |= {Escalation: "escalations", StageAlert: "alerts"}
    for model, name in related.items():
        pairs = [
            (row, t) for t, (_v, h) in zip(tickets, items, strict=True) for row in getattr(h, name)
        ]
        extra = {"sweep_run": SWEEP_RUN} if model is StageAlert else {}
        objects = [model(ticket_id=t.pk, **row, **extra) for row, t in pairs]
        _insert(model, objects, progress)
        for (row, _t), obj in zip(pairs, objects, strict=True):
            row["pk"] = obj.pk
    events = [
        TicketEvent(ticket_id=ticket.pk, **(row | {"data": _resolved(row["data"])}))
        for ticket, (_v, history) in zip(tickets, items, strict=True)
        for row in history.events
    ]
    _insert(TicketEvent, events, progress)
    return len(events)


def _summary(ctx: DemoContext, tickets) -> None:
    """Say how many demo tickets there are, finished and open."""
    finished = tickets.filter(status__in=FINAL_STATUSES).count()
    ctx.say(
        _("%(n)d demo tickets: %(finished)d finished, %(open)d open.")
        % {"n": tickets.count(), "finished": finished, "open": tickets.count() - finished}
    )


@register("incidents: demo tickets", order=35)
def seed_tickets(ctx: DemoContext) -> None:
    """``ctx.tickets`` demo cases with their histories, unless demo tickets exist."""
    if ctx.tickets <= 0:
        return
    label = _("demo tickets")
    ctx.data["tickets_seeded"] = True
    existing = Ticket.objects.filter(number__regex=DEMO_NUMBER)
    if existing.exists():
        ctx.count(label, "unchanged", existing.count())
        _summary(ctx, existing)
        return
    city = load_city()
    if not city.grids or not city.categories:
        ctx.say(_("No active grids or case categories: no demo tickets were seeded."))
        return
    now = timezone.now()
    today = timezone.localdate(now)
    working = calendar.Calendar(today - timedelta(days=DAYS), today).is_working_day
    rng = random.Random(DEMO_SEED)  # noqa: S311 - demo data, not security
    items = []
    for index in range(ctx.tickets):
        values, case, created = make_case(index, rng, city, now, working)
        items.append((values, play(case, created, now)))
        if (index + 1) % 250 == 0 or index + 1 == ctx.tickets:
            ctx.progress(label, index + 1, ctx.tickets)
    _placed(items, city)
    _number(items)
    events = write(ctx, items)
    ctx.count(label, "created", len(items))
    ctx.count(_("demo ticket events"), "created", events)
    _summary(ctx, Ticket.objects.filter(number__regex=DEMO_NUMBER))
