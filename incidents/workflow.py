"""The case workflow as one table, and the one function that applies it.

``WORKFLOW[(status, action)]`` says where the action leads, who may take it and what it
checks. ``ticket_act`` is the only way a ticket's status, stage or level changes: the API,
the browser and the admin all call it. It refuses an action the current status does not
offer (``ActionNotAllowed``, listing those it does), an actor without a role for it
(PermissionDenied), and a stale version (StaleObjectError); otherwise it updates the ticket
by compare-and-swap on its version and writes exactly one event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.exceptions import StaleObjectError
from gridgov.prepared import query_instances, query_rows
from incidents import calendar
from incidents import handling as h
from incidents.choices import (
    FINAL_STATUSES,
    OPEN_TASK_STATUSES,
    PUBLIC_SOURCES,
    Action,
    Level,
    LimitUnit,
    Priority,
    Status,
    SupervisionStatus,
    TaskRole,
    TaskStatus,
)
from incidents.clock import STATUS_STAGE, colour_at, due_and_warning, stage_fields
from incidents.models import LinkageTask, Ticket, TicketEvent
from incidents.signals import ticket_acted
from personnel.choices import AssignmentState, Role
from personnel.models import RoleAssignment, User

REPORTER = "reporter"  # a pseudo-role: the user who reported the ticket
# A pseudo-role: a handler of a department with a cooperating task on the ticket.
COOPERATOR = "cooperator"
SYSTEM = "system"  # the pseudo-role of jobs (actor None), e.g. auto-evaluation
STAFF = frozenset({Role.STREET_STAFF})
FIELD = frozenset({Role.GRID_WORKER, Role.GRID_CHIEF})
HANDLERS = frozenset({Role.DEPT_HANDLER, *FIELD})
ANYONE_IN_SCOPE = frozenset(
    {
        Role.STREET_STAFF,
        Role.SUPERVISOR,
        Role.COMMUNITY_STAFF,
        Role.GRID_CHIEF,
        Role.GRID_WORKER,
        Role.DEPT_HANDLER,
    }
)
# Actions after which the stage's clock starts afresh even though the stage is the same.
RESTARTS_CLOCK = frozenset({Action.RETURN, Action.REWORK, Action.REOPEN})
REOPEN_WINDOW = timedelta(days=7)
UNSATISFIED_AT_MOST = 2  # ratings 1 and 2 are "unsatisfied"

Guard = Callable[[Ticket, dict[str, Any], datetime], dict[str, Any]]
# (ticket before, ticket after, actor, data, now) → extra data for the action's event.
Effect = Callable[[Ticket, Ticket, User | None, dict[str, Any], datetime], dict[str, Any]]


class ActionNotAllowed(Exception):
    """The action does not exist in the ticket's current status (the API answers 409)."""

    def __init__(self, status: str, action: str, allowed: list[str]) -> None:
        super().__init__(f"{action} is not allowed in status {status}")
        self.status, self.action, self.allowed = status, action, allowed


@dataclass(frozen=True)
class Transition:
    """Where an action leads (``to`` None: the status stays), who may take it, the guard
    that checks its data and returns the extra field changes, and the effect on the rows
    around the ticket (tasks, photos, orders, notifications)."""

    to: str | None
    roles: frozenset[str]
    guard: Guard | None = None
    needs_note: bool = False
    effect: Effect | None = None
    # Whether the action makes sense for this ticket now (parking a parked case does not);
    # pages and the API offer only such actions. The guard still decides on the data.
    offered: Callable[[Ticket, datetime], bool] | None = None


def _public_only(ticket: Ticket, data: dict, now: datetime) -> dict:
    if ticket.source not in PUBLIC_SOURCES:
        raise ValidationError(_("Only reports from the public are verified on site."))
    return {}


def _merge(ticket: Ticket, data: dict, now: datetime) -> dict:
    original = Ticket.objects.filter(pk=data.get("duplicate_of")).first()
    if original is None or original.pk == ticket.pk or original.district_id != ticket.district_id:
        raise ValidationError({"duplicate_of": _("Choose another ticket of this district.")})
    return {"duplicate_of": original}


def _extension(ticket: Ticket, data: dict, now: datetime) -> dict:
    try:
        amount = int(data.get("amount"))
        unit = LimitUnit(data.get("unit"))
    except (TypeError, ValueError):
        raise ValidationError(
            {"amount": _("Give the extension as an amount and a unit.")}
        ) from None
    if amount < 1 or ticket.stage_due_at is None:
        raise ValidationError({"amount": _("Give a positive amount for a running stage.")})
    due = calendar.due_at(
        ticket.stage_due_at, amount, unit, plain_clock=ticket.priority == Priority.EMERGENCY
    )
    colour = colour_at(ticket, due, now)
    return due_and_warning(ticket.stage_started_at, due) | {"sla_colour": colour}


def _park(ticket: Ticket, data: dict, now: datetime) -> dict:
    if ticket.paused_at is not None:
        raise ValidationError(_("This ticket is already parked."))
    return {"paused_at": now}


def _resume(ticket: Ticket, data: dict, now: datetime) -> dict:
    if ticket.paused_at is None:
        raise ValidationError(_("This ticket is not parked."))
    paused = now - ticket.paused_at
    changes = {
        "paused_at": None,
        "paused_seconds": ticket.paused_seconds + int(paused.total_seconds()),
    }
    if ticket.stage_due_at is not None:
        # Parking stops the clock: the time parked is added to the deadline.
        changes |= due_and_warning(ticket.stage_started_at, ticket.stage_due_at + paused)
    return changes


def _rework(ticket: Ticket, data: dict, now: datetime) -> dict:
    return {"rework_count": ticket.rework_count + 1}


def _close(ticket: Ticket, data: dict, now: datetime) -> dict:
    return {"closed_at": now}


def _rate(ticket: Ticket, data: dict, now: datetime) -> dict:
    if data.get("_actor") is None and data.get("satisfaction") is None:
        # The rating window passed without a rating: the case is evaluated unrated.
        return {}
    try:
        score = int(data.get("satisfaction"))
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ValidationError({"satisfaction": _("Rate from 1 to 5.")})
    return {"satisfaction": score}


def _reopen(ticket: Ticket, data: dict, now: datetime) -> dict:
    if ticket.closed_at is None or now - ticket.closed_at > REOPEN_WINDOW:
        raise ValidationError(_("A ticket can be reopened within 7 days of closing."))
    if ticket.satisfaction is not None and ticket.satisfaction > UNSATISFIED_AT_MOST:
        raise ValidationError(_("Only an unsatisfied rating reopens a ticket."))
    return {"rework_count": ticket.rework_count + 1, "closed_at": None}


def _escalate(ticket: Ticket, data: dict, now: datetime) -> dict:
    if ticket.level >= Level.DISTRICT:
        raise ValidationError(_("This ticket is already at district level."))
    return {"level": ticket.level + 1}


def _t(to, roles, guard=None, *, note=False, effect=None, offered=None) -> Transition:
    return Transition(
        to=to,
        roles=frozenset(roles),
        guard=guard,
        needs_note=note,
        effect=effect,
        offered=offered,
    )


def _running(ticket: Ticket, now: datetime) -> bool:
    return ticket.paused_at is None


def _parked(ticket: Ticket, now: datetime) -> bool:
    return ticket.paused_at is not None


def _below_district(ticket: Ticket, now: datetime) -> bool:
    return ticket.level < Level.DISTRICT


def _from_the_public(ticket: Ticket, now: datetime) -> bool:
    return ticket.source in PUBLIC_SOURCES


def _reopenable(ticket: Ticket, now: datetime) -> bool:
    return (
        ticket.closed_at is not None
        and now - ticket.closed_at <= REOPEN_WINDOW
        and (ticket.satisfaction is None or ticket.satisfaction <= UNSATISFIED_AT_MOST)
    )


def _has_order(status: str):
    def offered(ticket: Ticket, now: datetime) -> bool:
        return ticket.supervision_orders.filter(status=status).exists()

    return offered


SUPERVISOR = frozenset({Role.SUPERVISOR})
# Who answers a supervision order: the command centre, the community and the handlers.
ANSWERS_ORDERS = STAFF | HANDLERS | {Role.COMMUNITY_STAFF}
_OPEN_ANYTIME = {
    Action.COMMENT: _t(None, ANYONE_IN_SCOPE | {REPORTER, COOPERATOR}, note=True),
    Action.ATTACH: _t(
        None, ANYONE_IN_SCOPE | {REPORTER, COOPERATOR}, h.photos_guard, effect=h.photos_effect
    ),
    Action.ESCALATE: _t(
        None,
        STAFF | SUPERVISOR,
        _escalate,
        note=True,
        effect=h.escalate_effect,
        offered=_below_district,
    ),
    Action.SUPERVISE: _t(None, SUPERVISOR, h.supervise_guard, note=True, effect=h.supervise_effect),
    Action.ANSWER_SUPERVISION: _t(
        None,
        ANSWERS_ORDERS,
        h.order_guard(SupervisionStatus.OPEN),
        note=True,
        effect=h.answer_effect,
        offered=_has_order(SupervisionStatus.OPEN),
    ),
    Action.CLOSE_SUPERVISION: _t(
        None,
        SUPERVISOR,
        h.order_guard(SupervisionStatus.ANSWERED),
        effect=h.close_order_effect,
        offered=_has_order(SupervisionStatus.ANSWERED),
    ),
}
_LINKED = {
    Action.TASK_ACCEPT: _t(
        None,
        {COOPERATOR},
        h.task_guard(frozenset({TaskStatus.PENDING})),
        effect=h.task_effect(TaskStatus.ACCEPTED),
    ),
    Action.TASK_DONE: _t(
        None,
        {COOPERATOR},
        h.task_guard(OPEN_TASK_STATUSES),
        note=True,
        effect=h.task_effect(TaskStatus.DONE),
    ),
    Action.TASK_RETURN: _t(
        None,
        {COOPERATOR},
        h.task_guard(OPEN_TASK_STATUSES),
        note=True,
        effect=h.task_effect(TaskStatus.RETURNED),
    ),
}
_ENDS = h.final_effect

WORKFLOW: dict[tuple[str, str], Transition] = {
    (Status.REPORTED, Action.ACCEPT): _t(Status.ACCEPTED, STAFF),
    (Status.REPORTED, Action.REJECT): _t(Status.REJECTED, STAFF, note=True, effect=_ENDS),
    (Status.REPORTED, Action.MERGE): _t(Status.REJECTED, STAFF, _merge, effect=h.merge_effect),
    (Status.ACCEPTED, Action.REQUEST_VERIFICATION): _t(
        Status.VERIFYING, STAFF, _public_only, offered=_from_the_public
    ),
    (Status.ACCEPTED, Action.FILE): _t(Status.FILED, STAFF),
    (Status.ACCEPTED, Action.VOID): _t(Status.VOIDED, STAFF, note=True, effect=_ENDS),
    (Status.VERIFYING, Action.VERIFY): _t(Status.ACCEPTED, FIELD),
    (Status.VERIFYING, Action.VOID): _t(Status.VOIDED, STAFF, note=True, effect=_ENDS),
    (Status.FILED, Action.DISPATCH): _t(
        Status.DISPATCHED, STAFF, h.dispatch_guard, effect=h.dispatch_effect
    ),
    (Status.FILED, Action.VOID): _t(Status.VOIDED, STAFF, note=True, effect=_ENDS),
    (Status.DISPATCHED, Action.TAKE): _t(
        Status.IN_HANDLING, HANDLERS, effect=h.lead_task_effect(TaskStatus.ACCEPTED)
    ),
    (Status.DISPATCHED, Action.RETURN): _t(
        Status.FILED, HANDLERS, note=True, effect=h.return_effect
    ),
    (Status.IN_HANDLING, Action.SUBMIT): _t(
        Status.HANDLED, HANDLERS, h.submit_guard, effect=h.submit_effect
    ),
    (Status.IN_HANDLING, Action.RETURN): _t(
        Status.FILED, HANDLERS, note=True, effect=h.return_effect
    ),
    (Status.IN_HANDLING, Action.REQUEST_EXTENSION): _t(None, HANDLERS, note=True),
    (Status.IN_HANDLING, Action.APPROVE_EXTENSION): _t(
        None, STAFF, _extension, effect=h.deadline_effect
    ),
    (Status.IN_HANDLING, Action.DENY_EXTENSION): _t(None, STAFF, note=True),
    (Status.IN_HANDLING, Action.PARK): _t(None, STAFF, _park, note=True, offered=_running),
    (Status.IN_HANDLING, Action.RESUME): _t(
        None, STAFF, _resume, effect=h.deadline_effect, offered=_parked
    ),
    (Status.IN_HANDLING, Action.REQUEST_VOID): _t(None, HANDLERS, note=True),
    (Status.IN_HANDLING, Action.VOID): _t(Status.VOIDED, STAFF, note=True, effect=_ENDS),
    (Status.REWORK, Action.TAKE): _t(
        Status.IN_HANDLING, HANDLERS, effect=h.lead_task_effect(TaskStatus.ACCEPTED)
    ),
    (Status.HANDLED, Action.START_CHECK): _t(Status.CHECKING, FIELD | STAFF),
    (Status.CHECKING, Action.CLOSE): _t(Status.CLOSED, FIELD | STAFF, _close, effect=_ENDS),
    (Status.CHECKING, Action.REWORK): _t(
        Status.REWORK, FIELD | STAFF, _rework, note=True, effect=h.rework_effect
    ),
    (Status.CLOSED, Action.RATE): _t(Status.EVALUATED, STAFF | {REPORTER, SYSTEM}, _rate),
    (Status.CLOSED, Action.REOPEN): _t(
        Status.REWORK,
        STAFF | {REPORTER, SYSTEM},
        _reopen,
        note=True,
        effect=h.rework_effect,
        offered=_reopenable,
    ),
    (Status.EVALUATED, Action.REOPEN): _t(
        Status.REWORK,
        STAFF | {REPORTER, SYSTEM},
        _reopen,
        note=True,
        effect=h.rework_effect,
        offered=_reopenable,
    ),
}
for _status in Status:
    if _status not in FINAL_STATUSES:
        for _action, _transition in _OPEN_ANYTIME.items():
            WORKFLOW[(_status, _action)] = _transition
for _status in (Status.DISPATCHED, Status.IN_HANDLING, Status.REWORK):
    for _action, _transition in _LINKED.items():
        WORKFLOW[(_status, _action)] = _transition


def allowed_actions(status: str) -> list[str]:
    """The actions the workflow offers in ``status``, in table order."""
    return [action for (state, action) in WORKFLOW if state == status]


def actions_for(user: User | None, ticket: Ticket) -> list[str]:
    """The actions ``user`` may take on ``ticket`` now: offered by its status, open to one
    of the user's roles over it, and making sense for it now (what a page shows as
    buttons)."""
    roles = actor_roles(user, ticket)
    now = timezone.now()
    offered = []
    for action in allowed_actions(ticket.status):
        transition = WORKFLOW[(ticket.status, action)]
        if transition.roles & roles and (
            transition.offered is None or transition.offered(ticket, now)
        ):
            offered.append(action)
    return offered


def actor_roles(user: User | None, ticket: Ticket) -> set[str]:
    """The roles ``user`` holds over ``ticket``: place roles whose scope covers its grid,
    dept_handler on its lead department, ``cooperator`` when the user handles a department
    with a cooperating task on it, and ``reporter`` when the user reported it. An
    administrator (superuser or admin role over the ticket) holds every role; a job
    (``user`` None) holds only ``system``."""
    if user is None:
        return {SYSTEM}
    roles: set[str] = {REPORTER} if ticket.reporter_id == user.pk else set()
    if user.is_superuser:
        return roles | {str(role) for role in Role}
    place = {
        "district": ticket.district_id,
        "street": ticket.street_id,
        "community": ticket.community_id,
        "grid": ticket.grid_id,
        "department": ticket.lead_department_id,
    }
    held = query_rows("gridgov_actor_roles", _roles_held, user_id=user.pk)
    handled: set[int] = set()
    for role, scope_type, *ids in held:
        scope_id = dict(zip(place, ids, strict=True))[scope_type]
        if scope_id is not None and scope_id == place[scope_type]:
            roles.add(role)
        if role == Role.DEPT_HANDLER and scope_id is not None:
            handled.add(scope_id)
    if (
        handled
        and LinkageTask.objects.filter(
            ticket=ticket, role=TaskRole.COOPERATING, department_id__in=handled
        ).exists()
    ):
        roles.add(COOPERATOR)
    if Role.ADMIN in roles:
        roles |= {str(role) for role in Role}
    return roles


def _roles_held(user_id: int):
    """Each active role of the user with its scope type and the ids of its scope."""
    return (
        RoleAssignment.objects.filter(user_id=user_id, state=AssignmentState.ACTIVE)
        .order_by()
        .values_list(
            "role",
            "scope_type",
            "district_id",
            "street_id",
            "community_id",
            "grid_id",
            "department_id",
        )
    )


@transaction.atomic
def ticket_act(
    *,
    ticket: Ticket,
    actor: User | None,
    action: str,
    expected_version: int,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> Ticket:
    """Apply ``action`` to ``ticket`` for ``actor``; returns the updated ticket.

    The one path for every state change: looks the action up in WORKFLOW, checks the
    actor's roles over the ticket and the action's guard, updates the ticket by
    compare-and-swap on ``expected_version``, applies the action's effect (tasks, photos,
    orders, notifications) and writes one event, all in one transaction. ``actor`` None is
    a job acting as ``system``.
    """
    data = dict(data or {})
    data["_actor"], data["_note"] = actor, note
    transition = WORKFLOW.get((ticket.status, action))
    if transition is None:
        raise ActionNotAllowed(ticket.status, action, allowed_actions(ticket.status))
    if not transition.roles & actor_roles(actor, ticket):
        raise PermissionDenied(_("Your roles do not allow this action on this ticket."))
    if transition.needs_note and not note.strip():
        raise ValidationError({"note": _("Say why: this action needs a note.")})
    now = timezone.now()
    changes = transition.guard(ticket, data, now) if transition.guard else {}
    to_status = transition.to or ticket.status
    if to_status != ticket.status:
        changes["status"] = to_status
        if STATUS_STAGE.get(to_status, "") != ticket.stage or action in RESTARTS_CLOCK:
            changes = stage_fields(ticket, to_status, now) | changes
    if action == Action.TAKE:
        changes["assignee"] = actor
    updated = Ticket.objects.filter(pk=ticket.pk, version=expected_version).update(
        version=F("version") + 1, updated_at=now, **changes
    )
    if not updated:
        raise StaleObjectError(f"ticket {ticket.pk} changed since version {expected_version}")
    [after] = query_instances("gridgov_ticket_after_act", _ticket_as_acted_on, pk=ticket.pk)
    extra = transition.effect(ticket, after, actor, data, now) if transition.effect else {}
    event = TicketEvent.objects.create(
        ticket=ticket,
        action=action,
        from_status=ticket.status,
        to_status=to_status,
        actor=actor,
        at=now,
        note=note,
        data=_jsonable(data) | extra,
    )
    ticket_acted.send(sender=Ticket, ticket=after, action=action, event=event)
    return after


def _ticket_as_acted_on(pk: int):
    """The ticket as an action leaves it, with what its answer and its effects read."""
    return Ticket.objects.select_related("category", "grid", "duplicate_of").filter(pk=pk)


def _plain(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return all(_plain(item) for item in value)
    return isinstance(value, str | int | float | bool)


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    """What the event keeps of the action's data: plain values, not files or internals."""
    return {key: value for key, value in data.items() if not key.startswith("_") and _plain(value)}
