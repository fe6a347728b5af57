"""Each stage's clock: which stage a status times, when it falls due and when it warns.

A stage's limit comes from the SLA policy of the ticket's category and priority, counted
on the working calendar (an emergency on the plain clock). The workflow (``ticket_act``)
starts, stretches and pauses clocks through these functions; the sweep reads what they
stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from gridgov.prepared import query_rows
from incidents import calendar
from incidents.choices import Priority, SlaColour, Stage, Status
from incidents.models import SlaPolicy, Ticket

WARN_SHARE = 0.8  # yellow once 80 % of a stage's limit is used

# The timed stage of each status; statuses not listed run no clock.
STATUS_STAGE = {
    Status.REPORTED: Stage.ACCEPT,
    Status.VERIFYING: Stage.VERIFY,
    Status.ACCEPTED: Stage.DISPATCH,
    Status.FILED: Stage.DISPATCH,
    Status.DISPATCHED: Stage.HANDLE,
    Status.IN_HANDLING: Stage.HANDLE,
    Status.REWORK: Stage.HANDLE,
    Status.HANDLED: Stage.CHECK,
    Status.CHECKING: Stage.CHECK,
}


def due_and_warning(start: datetime | None, due: datetime | None) -> dict[str, Any]:
    """The stored due and warning times of a clock started at ``start``."""
    if start is None or due is None:
        return {"stage_due_at": due, "stage_warn_at": None}
    return {"stage_due_at": due, "stage_warn_at": start + (due - start) * WARN_SHARE}


def colour_at(ticket: Ticket, due: datetime | None, now: datetime) -> str:
    """The SLA colour ``now`` of the ticket's stage were it due at ``due``."""
    if due is None:
        return SlaColour.GREEN
    start = ticket.stage_started_at or now
    if now >= due:
        return SlaColour.RED
    return SlaColour.YELLOW if now >= start + (due - start) * WARN_SHARE else SlaColour.GREEN


def _stage_limit(*, category_id: int, priority: str, stage: str) -> tuple[int, str] | None:
    """The time limit (amount, unit) of ``stage`` for a category and priority, if one is
    set. Every report and every action that starts a clock reads one: a prepared statement
    (``gridgov.prepared.query_rows``) spares each the ORM's building and the planning."""
    rows = query_rows(
        "gridgov_stage_limit",
        lambda category_id, priority, stage: (
            SlaPolicy.objects.filter(category_id=category_id, priority=priority, stage=stage)
            .order_by("pk")
            .values_list("amount", "unit")[:1]
        ),
        category_id=category_id,
        priority=priority,
        stage=stage,
    )
    return rows[0] if rows else None


def stage_fields(ticket: Ticket, status: str, now: datetime) -> dict[str, Any]:
    """The clock of the stage ``status`` runs, started ``now``: its due and warning times
    from the SLA policy of the ticket's category and priority (no policy, no clock)."""
    stage = STATUS_STAGE.get(status, "")
    if not stage:
        return {
            "stage": "",
            "stage_started_at": None,
            "stage_due_at": None,
            "stage_warn_at": None,
            "paused_at": None,
            "sla_colour": SlaColour.GREEN,
        }
    limit = _stage_limit(category_id=ticket.category_id, priority=ticket.priority, stage=stage)
    due = (
        calendar.due_at(now, *limit, plain_clock=ticket.priority == Priority.EMERGENCY)
        if limit
        else None
    )
    return {
        "stage": stage,
        "stage_started_at": now,
        "paused_at": None,
        "sla_colour": SlaColour.GREEN,
        **due_and_warning(now, due),
    }
