"""The ticket history as the rollups read it: every column of an event's ``EventFact`` as
an expression over the event, worked out set-wise (one SQL statement, correlated subqueries
on indexed columns): its local day, whether it came late, the department it counts for, the
handling time it closes, whether a report was valid.

The rule for "on time"
----------------------
Events do not carry the deadline they were held to, and a ticket keeps only the due time of
its running stage. Recomputing old deadlines from the SLA policies would be wrong as soon
as a policy, the holiday calendar, an extension or a parked spell moved them. The record
that does hold the history of deadlines is the deadline sweep's ``StageAlert``: a red
alert, unique per (ticket, stage start, due time), is written the minute a running stage
passes its due time (extensions and parking included, since the sweep reads the live
deadline; a parked stage is never swept). So:

    a step that ends a stage is *late* when a red alert exists for that stage instance
    (alert.stage_started_at ≥ the stage's start and alert.at ≤ the step's time); otherwise
    it is *on time*.

The stage's start is the time of the ticket's latest earlier event that started a stage
(``ticket_act`` stamps a new stage with the very ``now`` of the event that starts it). A
stage without an SLA policy runs no clock and is always on time. The sweep runs every
minute, so a step taken within a minute after its deadline may still count as on time; an
extension approved after a stage went red does not make it on time. A closure is on time
when no stage of the case went red before it.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable, Collection, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, TruncDate

from incidents.choices import Action, SlaColour, Source, Status
from incidents.clock import STATUS_STAGE
from incidents.models import StageAlert, TicketEvent
from incidents.workflow import RESTARTS_CLOCK, WORKFLOW

# The ticket's columns an event's fact copies: its key in the region rollup, and its scope.
TICKET_KEY = (
    "grid_id",
    "category_id",
    "source",
    "district_id",
    "street_id",
    "community_id",
)
# Steps that end a timed stage, and so come on time or late.
ENDS_STAGE = frozenset(
    {
        Action.VERIFY,
        Action.FILE,  # taken within the dispatch stage: filed before it ran out
        Action.DISPATCH,
        Action.SUBMIT,
        Action.CLOSE,
        Action.REWORK,
    }
)
REWORKS = (Action.REWORK, Action.REOPEN)
CHECKS = (Action.CLOSE, Action.REWORK)  # a check on site ends in one of these
ENDS_UNFILED = (Status.VOIDED, Status.REJECTED)  # how a report turns out invalid
UNSATISFIED_AT_MOST = 2  # as incidents.workflow: ratings 1 and 2 are unsatisfied
# The steps a department counts as the lead in force, and those of its own linked tasks.
LEAD_ACTIONS = (
    Action.DISPATCH,
    Action.RETURN,
    *REWORKS,
    Action.SUBMIT,
    Action.CLOSE,
    Action.APPROVE_EXTENSION,
)
TASK_ACTIONS = (Action.TASK_DONE, Action.TASK_RETURN)
FIELD_SOURCES = (Source.PATROL, Source.SELF_HANDLED)  # the reports a grid worker makes
# Every step some rollup figure counts (``grid_days``, ``people_days``): only these have
# an EventFact. A figure of another step must add it here.
COUNTED = frozenset(
    {
        Action.REPORT,
        Action.ACCEPT,
        Action.REJECT,
        Action.MERGE,
        Action.VERIFY,
        Action.FILE,
        Action.VOID,
        Action.ESCALATE,
        Action.PARK,
        Action.RATE,
        *LEAD_ACTIONS,
        *TASK_ACTIONS,
    }
)


def local_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The instants from local midnight starting ``first`` to local midnight after ``last``."""
    zone = local_zone()
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def per_day(rows: Mapping[date, Collection], condition: Callable[[date, Collection], Q]) -> Q:
    """Rows of some days, each day's picked by ``condition(day, what)`` (keys, grids,
    workers...): one query for every day a refresh rewrites."""
    found = Q(pk__in=[])  # no day, no row
    for day, picked in rows.items():
        found |= condition(day, picked)
    return found


def local_day(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=local_zone())


def _starts_stage() -> Q:
    """Events that start a stage's clock, read off the workflow table: the report, and
    every transition into a timed status whose stage differs from the one it leaves, or
    that restarts the clock (a return, rework or reopen)."""
    starts = Q(action=Action.REPORT)
    for (status, action), transition in WORKFLOW.items():
        target = transition.to or status
        stage = STATUS_STAGE.get(target)
        if (
            target != status
            and stage
            and (stage != STATUS_STAGE.get(status) or action in RESTARTS_CLOCK)
        ):
            starts |= Q(action=action, from_status=status)
    return starts


def stage_start() -> Subquery:
    """The start of the stage an event happened in: the ticket's latest earlier event that
    started one (events are appended in order, so earlier means a smaller id)."""
    return Subquery(
        TicketEvent.objects.filter(
            _starts_stage(), ticket_id=OuterRef("ticket_id"), pk__lt=OuterRef("pk")
        )
        .order_by("-pk")
        .values("at")[:1],
        output_field=DateTimeField(),
    )


def _red_before(outer_at: str = "at") -> QuerySet:
    return StageAlert.objects.filter(
        ticket_id=OuterRef("ticket_id"), colour=SlaColour.RED, at__lte=OuterRef(outer_at)
    )


def json_int(key: str) -> Cast:
    """An integer kept in the event's data (None when absent)."""
    return Cast(KeyTextTransform(key, "data"), IntegerField())


def rating() -> Cast:
    # Cast through a float: the rating may have been given as "4", 4 or 4.0.
    return Cast(KeyTextTransform("satisfaction", "data"), FloatField())


def since(start: Subquery | F) -> ExpressionWrapper:
    """The time from ``start`` to the event."""
    return ExpressionWrapper(F("at") - start, output_field=DurationField())


def reported_at() -> Subquery:
    """When the event's ticket was reported."""
    return Subquery(
        TicketEvent.objects.filter(ticket_id=OuterRef("ticket_id"), action=Action.REPORT)
        .order_by("pk")
        .values("at")[:1],
        output_field=DateTimeField(),
    )


def lead_of_dispatch() -> Case:
    """The lead department a dispatch event named (None when dispatched to the grid)."""
    return Case(
        When(data__to_grid=True, then=Value(None)),
        default=json_int("lead_department"),
        output_field=IntegerField(),
    )


def lead_in_force() -> Subquery:
    """The lead department of the ticket's latest dispatch up to and including the event."""
    return Subquery(
        TicketEvent.objects.filter(
            ticket_id=OuterRef("ticket_id"), action=Action.DISPATCH, pk__lte=OuterRef("pk")
        )
        .order_by("-pk")
        .annotate(lead=lead_of_dispatch())
        .values("lead")[:1],
        output_field=IntegerField(),
    )


def valid_report() -> Q:
    """A report (or its fact) that led somewhere: filed (or, self-handled, closed) and
    never voided, rejected or merged as a duplicate."""
    # Its ticket's later events (every other one is): said so, the condition also keeps
    # PostgreSQL from hashing the whole history once per query instead of looking up the
    # few reports' tickets.
    events = TicketEvent.objects.filter(ticket_id=OuterRef("ticket_id"), pk__gt=OuterRef("pk"))
    led = Exists(events.filter(action=Action.FILE)) | Exists(
        events.filter(action=Action.CLOSE, ticket__source=Source.SELF_HANDLED)
    )
    # A merge event written on the original keeps the original's status: only the
    # duplicate's own merge leads to "rejected".
    failed = Exists(events.filter(to_status__in=ENDS_UNFILED))
    return Q(led) & ~Q(failed)


def fact_columns() -> dict[str, Any]:
    """Every column of an event's ``EventFact``, by attribute name, as an expression over
    an event annotated with ``stage_start``: the rule of this module for ``late`` and
    ``ever_late``, the lead in force for the department of a lead's step (a task's own
    department for a task's), the time from the report for a closure and from the stage's
    start for a submission, whether a report from the field was valid."""
    field_report = Q(action=Action.REPORT, ticket__source__in=FIELD_SOURCES)
    return {
        "event_id": F("pk"),
        "ticket_id": F("ticket_id"),
        "day": local_day("at"),
        "action": F("action"),
        "from_status": F("from_status"),
        "to_status": F("to_status"),
        "actor_id": F("actor_id"),
        **{name: F(f"ticket__{name}") for name in TICKET_KEY},
        "department_id": Case(
            When(action__in=TASK_ACTIONS, then=json_int("department")),
            When(action__in=LEAD_ACTIONS, then=lead_in_force()),
            output_field=IntegerField(),
        ),
        "late": Case(
            When(
                action__in=ENDS_STAGE,
                then=Exists(_red_before().filter(stage_started_at__gte=OuterRef("stage_start"))),
            ),
            default=Value(False),
            output_field=BooleanField(),
        ),
        "ever_late": Case(
            When(action=Action.CLOSE, then=Exists(_red_before())),
            default=Value(False),
            output_field=BooleanField(),
        ),
        "valid": Case(
            When(field_report & valid_report(), then=Value(True)),
            When(field_report, then=Value(False)),
            output_field=BooleanField(null=True),
        ),
        "stars": Case(When(action=Action.RATE, then=rating()), output_field=FloatField()),
        "level": Case(
            When(action=Action.ESCALATE, then=json_int("level")), output_field=IntegerField()
        ),
        "handling": Case(
            When(action=Action.CLOSE, then=since(reported_at())),
            When(action=Action.SUBMIT, then=since(F("stage_start"))),
            output_field=DurationField(),
        ),
    }
