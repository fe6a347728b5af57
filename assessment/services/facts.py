"""Writing the facts the rollups count (``EventFact``): those of whole local days, those of
events the refresh has not read yet, and keeping current what can change after an event
was written (the ticket's key and scope, the validity of a report).

Facts are computed in the database, one INSERT … SELECT over the events (their columns are
``assessment.services.events.fact_columns``): a busy day has some 100,000 of them at a
million cases, too many to pass through Python.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from django.db.models import BooleanField, Case, F, OuterRef, Q, QuerySet, Subquery, Value, When

from assessment.models import EventFact
from assessment.services.events import (
    COUNTED,
    TICKET_KEY,
    day_bounds,
    fact_columns,
    stage_start,
    valid_report,
)
from assessment.services.inserts import insert_select
from incidents.choices import Action
from incidents.models import Ticket, TicketEvent

# A fact's day and key in the region rollup; and with them, what else it counts for: its
# department, actor and step.
KEY = ("day", "grid_id", "category_id", "source")
TRACE = (*KEY, "department_id", "actor_id", "action")


def facts_insert(events: QuerySet[TicketEvent]) -> int:
    """Insert the facts of ``events`` (of those a rollup counts), set-wise; returns how
    many. The caller removes any fact they had before."""
    columns = fact_columns()
    selected = (
        events.filter(action__in=COUNTED)
        .annotate(stage_start=stage_start())
        .values(**{f"row_{name}": expression for name, expression in columns.items()})
        .order_by()
    )
    return insert_select(EventFact, selected, list(columns))


def facts_write(first: date, last: date) -> int:
    """Replace the facts of the events of local days ``first``…``last``."""
    EventFact.objects.filter(day__gte=first, day__lte=last).delete()
    start, end = day_bounds(first, last)
    return facts_insert(TicketEvent.objects.filter(at__gte=start, at__lt=end))


def facts_replace(events: QuerySet[TicketEvent]) -> list[tuple]:
    """Replace the facts of ``events``; returns the ``TRACE`` of the facts before and after
    (what rollup rows they counted in, and count in now)."""
    facts = EventFact.objects.filter(event_id__in=events.values("pk"))
    before = list(facts.values_list(*TRACE))
    facts.delete()
    facts_insert(events)
    return before + list(facts.values_list(*TRACE))


def facts_follow(tickets: Collection[int]) -> list[tuple]:
    """Give the facts of ``tickets`` their ticket's key and scope again (an edit moved
    it); returns the days and keys of the facts that moved, before and after (nothing
    else a fact counts for depends on the key)."""
    moved = ~Q(**{name: F(f"ticket__{name}") for name in TICKET_KEY})
    stale = list(
        EventFact.objects.filter(moved, ticket_id__in=tickets).values_list("pk", flat=True)
    )
    facts = EventFact.objects.filter(pk__in=stale)
    before = list(facts.values_list(*KEY).distinct())
    ticket = Ticket.objects.filter(pk=OuterRef("ticket_id"))
    facts.update(
        **{name.removesuffix("_id"): Subquery(ticket.values(name)[:1]) for name in TICKET_KEY}
    )
    return before + list(facts.values_list(*KEY).distinct())


def facts_revalidate(tickets: Collection[int]) -> list[tuple[date, int]]:
    """Work out again whether the field reports of ``tickets`` were valid (a filing,
    closure, void or rejection decides it); returns their days and reporters."""
    reports = EventFact.objects.filter(
        ticket_id__in=tickets, action=Action.REPORT, valid__isnull=False
    )
    reports.update(
        valid=Case(
            When(valid_report(), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )
    return list(reports.filter(actor__isnull=False).values_list("day", "actor_id").distinct())
