"""The deadline sweep: stages turn yellow at 80 % of their limit and red when overdue; an
overdue stage moves the case one level up the ladder.

The sweep works on sets, batch by batch, each batch one short transaction:

* it reads only the rows it still has to change, through partial indexes on the due and
  warning times (a ticket it has coloured leaves the index), and locks them (other sweeps
  skip locked rows on PostgreSQL; SQLite serialises writers);
* it records each change as a ``StageAlert`` whose unique key (ticket, stage start, due
  time, colour) admits it once, and acts only on the alerts its own run inserted, so two
  sweeps at once, or a sweep re-run after a crash, never act twice;
* an escalation is an ``Escalation`` row, unique per ticket and level in the database;
* the events, supervision orders and notifications are written in the same transaction.

This is the one place besides ``incidents.workflow.ticket_act`` that changes a ticket's
colour and level: doing it ticket by ticket through the workflow would not keep up with a
backlog. It writes the same kind of events the workflow does.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, PositiveSmallIntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents import calendar
from incidents.choices import (
    Action,
    EscalationReason,
    Level,
    LimitUnit,
    SlaColour,
    SupervisionLevel,
)
from incidents.handling import ticket_url
from incidents.models import Escalation, StageAlert, SupervisionOrder, Ticket, TicketEvent
from incidents.recipients import level_holders, stage_owners
from personnel.choices import NotificationKind
from personnel.models import Notification
from personnel.services.notifications import notify_each

# A sweep stops taking new batches after this long; the next one (a minute later) goes on.
TIME_BUDGET_SECONDS = 40
# An automatic supervision order must be answered within this many working hours.
AUTO_ORDER_WORKING_HOURS = 8


@dataclass
class SweepResult:
    """What one sweep did, for its log line and for tests."""

    yellow: int = 0
    red: int = 0
    escalated: dict[int, int] = field(default_factory=dict)  # new level → tickets
    orders: int = 0
    notifications: int = 0
    batches: int = 0

    def as_dict(self) -> dict:
        return {
            "yellow": self.yellow,
            "red": self.red,
            "escalated": sum(self.escalated.values()),
            "orders": self.orders,
            "notifications": self.notifications,
            "batches": self.batches,
        }


def _locked(queryset):
    # Another sweep's batch is skipped rather than waited for; SQLite has no row locks (its
    # writers are serialised by the IMMEDIATE transactions of our settings).
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True, of=("self",))
    return queryset


def _claim(tickets: list[Ticket], *, colour: str, run: uuid.UUID, now) -> list[Ticket]:
    """Insert the alerts of ``tickets`` and return those whose alert this run inserted."""
    StageAlert.objects.bulk_create(
        [
            StageAlert(
                ticket=t,
                stage_started_at=t.stage_started_at,
                due_at=t.stage_due_at,
                colour=colour,
                at=now,
                sweep_run=run,
            )
            for t in tickets
        ],
        ignore_conflicts=True,
    )
    mine = set(
        StageAlert.objects.filter(sweep_run=run, colour=colour, ticket__in=tickets).values_list(
            "ticket_id", flat=True
        )
    )
    return [t for t in tickets if t.pk in mine]


def _messages(recipients: dict[int, set[int]], tickets, title: str, kind: str):
    for ticket in tickets:
        for user_id in sorted(recipients.get(ticket.pk, ())):
            yield Notification(
                user_id=user_id,
                kind=kind,
                title=f"{ticket.number} {title}",
                url=ticket_url(ticket),
            )


@transaction.atomic
def _warn_batch(*, now: datetime, run: uuid.UUID, size: int, result: SweepResult) -> int:
    """Turn one batch of stages past 80 % of their limit yellow and remind their owners."""
    candidates = list(
        _locked(
            Ticket.objects.filter(
                stage_warn_at__lte=now,
                stage_due_at__gt=now,
                paused_at__isnull=True,
                sla_colour=SlaColour.GREEN,
            ).order_by("stage_warn_at")
        )[:size]
    )
    if not candidates:
        return 0
    warned = _claim(candidates, colour=SlaColour.YELLOW, run=run, now=now)
    Ticket.objects.filter(pk__in=[t.pk for t in candidates], sla_colour=SlaColour.GREEN).update(
        sla_colour=SlaColour.YELLOW, version=F("version") + 1, updated_at=now
    )
    result.yellow += len(warned)
    result.notifications += notify_each(
        _messages(stage_owners(warned), warned, _("is due soon"), NotificationKind.DEADLINE)
    )
    return len(candidates)


@transaction.atomic
def _overdue_batch(*, now: datetime, run: uuid.UUID, size: int, result: SweepResult) -> int:
    """Turn one batch of overdue stages red, escalate each one level, issue supervision
    orders at street level and above, and tell the people concerned."""
    candidates = list(
        _locked(
            Ticket.objects.filter(stage_due_at__lte=now, paused_at__isnull=True)
            .exclude(sla_colour=SlaColour.RED)
            .order_by("stage_due_at")
        )[:size]
    )
    if not candidates:
        return 0
    overdue = _claim(candidates, colour=SlaColour.RED, run=run, now=now)
    result.red += len(overdue)
    escalated = _escalate(overdue, now=now, result=result)
    # Colour and level in one UPDATE: each rewrite of a ticket row in a table of millions
    # touches every index, and a second one per ticket doubled the batch's time.
    by_level: dict[int, list[int]] = defaultdict(list)
    for ticket in escalated:
        by_level[ticket.level].append(ticket.pk)
    raised = [
        When(pk__in=ids, level__lt=level, then=Value(level)) for level, ids in by_level.items()
    ]
    Ticket.objects.filter(pk__in=[t.pk for t in candidates]).exclude(
        sla_colour=SlaColour.RED
    ).update(
        sla_colour=SlaColour.RED,
        level=Case(*raised, default=F("level"), output_field=PositiveSmallIntegerField())
        if raised
        else F("level"),
        version=F("version") + 1,
        updated_at=now,
    )
    orders = _auto_orders(overdue, now=now)
    result.orders += len(orders)
    events = [
        TicketEvent(
            ticket=ticket,
            action=Action.ESCALATE,
            from_status=ticket.status,
            to_status=ticket.status,
            at=now,
            note=_("overdue"),
            data={"reason": EscalationReason.OVERDUE, "level": ticket.level},
        )
        for ticket in escalated
    ] + [
        TicketEvent(
            ticket=order.ticket,
            action=Action.SUPERVISE,
            from_status=order.ticket.status,
            to_status=order.ticket.status,
            at=now,
            note=order.reason,
            data={"order": order.pk, "automatic": True, "level": order.level},
        )
        for order in orders
    ]
    TicketEvent.objects.bulk_create(events)
    result.notifications += _tell_overdue(overdue, escalated, orders)
    return len(candidates)


def _escalate(overdue: list[Ticket], *, now: datetime, result: SweepResult) -> list[Ticket]:
    """One level up for each overdue ticket below district level; the database admits one
    escalation per ticket and level. Returns the tickets moved, with their new level (which
    the caller writes to the tickets)."""
    climbing = [t for t in overdue if t.level < Level.DISTRICT]
    Escalation.objects.bulk_create(
        [
            Escalation(ticket=t, level=t.level + 1, reason=EscalationReason.OVERDUE, at=now)
            for t in climbing
        ],
        ignore_conflicts=True,
    )
    # This run's rows are the ones stamped with its own time; a conflict left none.
    moved = dict(
        Escalation.objects.filter(
            ticket__in=climbing, at=now, reason=EscalationReason.OVERDUE
        ).values_list("ticket_id", "level")
    )
    escalated = []
    for ticket in climbing:
        if ticket.pk in moved:
            ticket.level = moved[ticket.pk]
            result.escalated[ticket.level] = result.escalated.get(ticket.level, 0) + 1
            escalated.append(ticket)
    return escalated


def _auto_orders(overdue: list[Ticket], *, now: datetime) -> list[SupervisionOrder]:
    """A red card for every case that turns red at street level or above."""
    due = calendar.due_at(now, AUTO_ORDER_WORKING_HOURS, LimitUnit.WORKING_HOURS)
    orders = [
        SupervisionOrder(
            ticket=ticket,
            level=SupervisionLevel.RED,
            reason=_("Overdue at %(level)s level: the %(stage)s stage ran past its limit.")
            % {"level": Level(ticket.level).label, "stage": ticket.get_stage_display()},
            due_at=due,
            automatic=True,
            issued_at=now,
        )
        for ticket in overdue
        if ticket.level >= Level.STREET
    ]
    return SupervisionOrder.objects.bulk_create(orders)


def _tell_overdue(overdue, escalated, orders) -> int:
    owners = stage_owners(overdue)
    messages = list(_messages(owners, overdue, _("is overdue"), NotificationKind.DEADLINE))
    by_level: dict[int, list[Ticket]] = defaultdict(list)
    for ticket in escalated:
        by_level[ticket.level].append(ticket)
    for level, group in by_level.items():
        title = _("was escalated to %(level)s level: overdue") % {"level": Level(level).label}
        messages += _messages(
            level_holders(group, level=level), group, title, NotificationKind.ESCALATION
        )
    ordered = [order.ticket for order in orders]
    messages += _messages(
        stage_owners(ordered) if ordered else {},
        ordered,
        _("received an automatic supervision order"),
        NotificationKind.SUPERVISION,
    )
    return notify_each(messages)


def deadline_sweep(
    *, now: datetime | None = None, batch: int | None = None, budget: float = TIME_BUDGET_SECONDS
) -> SweepResult:
    """Colour and escalate every stage whose warning or due time has passed, batch by
    batch, until none is left or the time budget is spent. Safe to run twice or at once."""
    now = now or timezone.now()
    size = batch or settings.DEADLINE_SWEEP_BATCH
    run = uuid.uuid4()
    result = SweepResult()
    started = time.monotonic()
    for step in (_overdue_batch, _warn_batch):
        while time.monotonic() - started < budget:
            result.batches += 1
            if step(now=now, run=run, size=size, result=result) < size:
                break
    return result
