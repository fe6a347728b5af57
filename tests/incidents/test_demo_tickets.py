"""Demo tickets: spread over the demo city, with histories the live workflow and the
deadline sweep could have written, and seeded once."""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import pairwise

import pytest
from django.utils import timezone

from gridgov import demo as registry
from gridgov.demo import DemoContext, run_steps
from grids.locate import locate_grid_ids
from grids.models import Grid
from incidents.choices import FINAL_STATUSES, Action, SlaColour, Status, TaskRole, TaskStatus
from incidents.clock import STATUS_STAGE
from incidents.demo_tickets import DEMO_NUMBER
from incidents.models import (
    Escalation,
    LinkageTask,
    StageAlert,
    SupervisionOrder,
    Ticket,
    TicketEvent,
)
from incidents.workflow import WORKFLOW

pytestmark = pytest.mark.django_db

TICKETS = 200
STEP = "incidents: demo tickets"
# Patrol history is not needed by the tickets and takes a while to seed.
SKIPPED = {"patrols: recent patrol history"}


def seed(tickets: int = TICKETS) -> DemoContext:
    """Run every demo step but the patrols with ``tickets`` demo tickets."""
    steps = [s for s in registry.demo_steps() if s.name not in SKIPPED]
    return run_steps(DemoContext(tickets=tickets), steps)


def by_ticket(model, **filters) -> dict[int, list]:
    """Rows of ``model`` grouped by ticket, in the model's order."""
    rows = defaultdict(list)
    for row in model.objects.filter(**filters).order_by(*model._meta.ordering or ["pk"]):
        rows[row.ticket_id].append(row)
    return rows


def test_step_runs_after_the_city_people_and_catalogue():
    order = {step.name: step.order for step in registry.demo_steps()}
    assert order[STEP] > max(
        order["incidents: SLA policies"], order["roles: demo accounts at their scopes"]
    )


def test_demo_tickets_are_consistent_and_seeded_once():
    ctx = seed()
    now = timezone.now()
    # Later demo steps add a few cases of their own (public reports, an accepted proposal).
    tickets = list(Ticket.objects.filter(number__regex=DEMO_NUMBER).order_by("pk"))
    assert len(tickets) == TICKETS
    assert ctx.data["tickets_seeded"]
    _assert_places(tickets)
    _assert_histories(tickets, now)
    _assert_mix(tickets, now)
    _assert_rows_around(tickets)

    counts = {model: model.objects.count() for model in (Ticket, TicketEvent, LinkageTask)}
    again = seed(tickets=3000)
    assert {model: model.objects.count() for model in counts} == counts
    assert again.counts["demo tickets"] == {"created": 0, "updated": 0, "unchanged": TICKETS}


def test_no_tickets_asked_none_seeded():
    ctx = run_steps(DemoContext(tickets=0), [s for s in registry.demo_steps() if s.name == STEP])
    assert not Ticket.objects.exists()
    assert "tickets_seeded" not in ctx.data


def _assert_places(tickets: list[Ticket]) -> None:
    """Every location lies in its grid, and the scope is the grid's."""
    located = locate_grid_ids([(t.lat, t.lng) for t in tickets])
    assert located == [t.grid_id for t in tickets]
    grids = Grid.objects.in_bulk([t.grid_id for t in tickets])
    for t in tickets:
        grid = grids[t.grid_id]
        scope = (grid.community_id, grid.street_id, grid.district_id)
        assert (t.community_id, t.street_id, t.district_id) == scope, t.number


def _assert_histories(tickets: list[Ticket], now) -> None:
    """Each history starts with the report, chains its statuses through transitions of the
    workflow table in time order, and ends in the ticket's status; the version counts one
    write per workflow action and per colour the sweep gave a stage."""
    events = by_ticket(TicketEvent)
    alerts = by_ticket(StageAlert)
    for t in tickets:
        history = events[t.pk]
        first = history[0]
        assert (first.action, first.from_status, first.at) == (Action.REPORT, "", t.created_at)
        for before, event in pairwise(history):
            assert event.from_status == before.to_status, (t.number, event.action)
            assert event.at >= before.at, (t.number, event.action)
            transition = WORKFLOW.get((event.from_status, event.action))
            assert transition is not None, (t.number, event.from_status, event.action)
            assert event.to_status == (transition.to or event.from_status), t.number
        assert history[-1].to_status == t.status
        assert history[-1].at <= now and t.updated_at >= history[-1].at
        # The sweep's supervision orders are events without a version of their own.
        automatic = sum(e.action == Action.SUPERVISE and e.actor_id is None for e in history)
        # Each colour the sweep gave a stage is one alert and one write.
        assert t.version == len(history) - automatic + len(alerts[t.pk]), t.number
        closes = [e for e in history if e.action == Action.CLOSE]
        if t.status in (Status.CLOSED, Status.EVALUATED):
            assert t.closed_at == closes[-1].at
        else:
            assert t.closed_at is None
        _assert_clock(t, now)


def _assert_clock(t: Ticket, now) -> None:
    """A running stage is the one of the status, due after it started, warned in between;
    a finished case runs no clock."""
    if t.status in FINAL_STATUSES:
        assert (t.stage, t.stage_due_at, t.paused_at) == ("", None, None), t.number
        return
    assert t.stage == STATUS_STAGE[t.status], t.number
    assert t.stage_started_at <= now
    assert t.stage_started_at <= t.stage_warn_at <= t.stage_due_at, t.number
    if t.paused_at is None and t.sla_colour == SlaColour.RED:
        assert t.stage_due_at <= now, t.number


def _assert_mix(tickets: list[Ticket], now) -> None:
    """Sources, states and outcomes are mixed; open cases are due around now."""
    statuses = Counter(t.status for t in tickets)
    sources = Counter(t.source for t in tickets)
    assert len(sources) >= 6 and sources.most_common(1)[0][0] == "patrol"
    assert len(statuses) >= 8
    assert {Status.EVALUATED, Status.IN_HANDLING, Status.REPORTED} <= set(statuses)
    finished = sum(statuses[s] for s in FINAL_STATUSES) / len(tickets)
    assert 0.55 <= finished <= 0.85
    running = [t for t in tickets if t.status not in FINAL_STATUSES]
    assert len({t.sla_colour for t in running}) >= 2
    assert any(abs(t.stage_due_at - now).days < 2 for t in running if t.stage_due_at)
    ratings = [t.satisfaction for t in tickets if t.satisfaction is not None]
    assert ratings and sum(r >= 4 for r in ratings) / len(ratings) > 0.6
    # A rating ends a case, unless an unsatisfied one reopened it (the rating stays).
    reopened = set(
        TicketEvent.objects.filter(action=Action.REOPEN).values_list("ticket_id", flat=True)
    )
    rated = [t for t in tickets if t.satisfaction is not None]
    assert all(t.status == Status.EVALUATED or t.pk in reopened for t in rated)
    span = now - min(t.created_at for t in tickets)
    assert 60 <= span.days <= 150


def _assert_rows_around(tickets: list[Ticket]) -> None:
    """Linked tasks follow their ticket; escalations and orders match their events."""
    tasks = by_ticket(LinkageTask)
    escalations = by_ticket(Escalation)
    orders = by_ticket(SupervisionOrder)
    events = by_ticket(TicketEvent)
    handled = {Status.HANDLED, Status.CHECKING, Status.CLOSED, Status.EVALUATED}
    for t in tickets:
        lead = [
            task
            for task in tasks[t.pk]
            if task.role == TaskRole.LEAD and task.department_id == t.lead_department_id
        ]
        if t.lead_department_id and t.status in handled:
            assert lead[-1].status == TaskStatus.DONE, t.number
        if t.lead_department_id and t.status in (Status.DISPATCHED, Status.IN_HANDLING):
            assert lead[-1].status in (TaskStatus.PENDING, TaskStatus.ACCEPTED), t.number
        if t.status in FINAL_STATUSES:
            assert all(task.status not in ("pending", "accepted") for task in tasks[t.pk])
            assert all(order.status == "closed" for order in orders[t.pk]), t.number
        escalated = [e for e in events[t.pk] if e.action == Action.ESCALATE]
        assert [e.level for e in escalations[t.pk]] == list(range(1, t.level + 1)), t.number
        assert len(escalated) == t.level
        issued = [e.data["order"] for e in events[t.pk] if e.action == Action.SUPERVISE]
        assert sorted(issued) == sorted(order.pk for order in orders[t.pk])
    assert any(tasks.values()) and any(escalations.values()) and any(orders.values())
