"""Guards and effects of the workflow actions that touch more than the ticket row: linked
department tasks, photos, supervision orders, escalations and their notifications.

A guard checks the action's data before anything is written and returns the ticket's field
changes; an effect runs after the ticket's compare-and-swap, in the same transaction, and
returns extra data for the action's event. ``incidents.workflow`` wires them to actions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from incidents.choices import (
    OPEN_TASK_STATUSES,
    Action,
    EscalationReason,
    PhotoPhase,
    SupervisionLevel,
    SupervisionStatus,
    TaskRole,
    TaskStatus,
)
from incidents.models import Escalation, LinkageTask, SupervisionOrder, Ticket, TicketEvent
from incidents.photos import photos_check, photos_store
from incidents.recipients import department_handlers, holders, level_holders, stage_owners
from personnel.choices import AssignmentState, NotificationKind, Role
from personnel.models import Department, User
from personnel.services.notifications import notify_many


def ticket_url(ticket: Ticket) -> str:
    return reverse("incidents:ticket", args=[ticket.pk])


def tell(user_ids, ticket: Ticket, title: str, *, kind: str = NotificationKind.TICKET) -> None:
    """Notify ``user_ids`` about ``ticket`` (in the action's transaction)."""
    notify_many(
        user_ids=user_ids, title=f"{ticket.number} {title}", url=ticket_url(ticket), kind=kind
    )


# Photos ----------------------------------------------------------------------------------


def photos_guard(ticket: Ticket, data: dict, now: datetime) -> dict:
    """An ``attach`` action carries at least one photo that decodes."""
    data["photos"] = photos_check(list(data.get("photos") or []))
    if not data["photos"]:
        raise ValidationError({"photos": _("Add at least one photo.")})
    return {}


def photos_effect(before: Ticket, after: Ticket, actor: User | None, data: dict, now) -> dict:
    stored = photos_store(ticket=after, photos=data.get("photos") or [], uploaded_by=actor, now=now)
    return {"photos": [attachment.pk for attachment in stored]}


def _has_after_photo(ticket: Ticket, data: dict) -> bool:
    pending = data.get("photos") or []
    return any(photo.phase == PhotoPhase.AFTER for photo in pending) or (
        ticket.attachments.filter(phase=PhotoPhase.AFTER).exists()
    )


# Linked handling -------------------------------------------------------------------------


def _department_ids(value: Any, field: str) -> list[int]:
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple):
        value = [value]
    try:
        return sorted({int(item) for item in value})
    except (TypeError, ValueError):
        raise ValidationError({field: _("Give departments by their ids.")}) from None


def dispatchable_departments(ticket: Ticket):
    """The departments a case can go to: active ones of its district that serve the whole
    district or its own street (another street's office is not its business)."""
    return Department.objects.filter(
        Q(street__isnull=True) | Q(street_id=ticket.street_id),
        active=True,
        district_id=ticket.district_id,
    )


def dispatch_guard(ticket: Ticket, data: dict, now: datetime) -> dict:
    """To a lead department (the one named, else the category's default) with zero or
    more cooperating departments, or with ``to_grid`` to the grid itself."""
    cooperating = _department_ids(data.get("cooperating_departments"), "cooperating_departments")
    if data.get("to_grid") is True:
        if cooperating:
            raise ValidationError(
                {"cooperating_departments": _("A case handled by the grid has no departments.")}
            )
        data["cooperating_departments"] = []
        return {"lead_department": None}
    department_id = data.get("lead_department") or ticket.category.lead_department_id
    departments = {
        department.pk: department
        for department in dispatchable_departments(ticket).filter(
            pk__in=[department_id, *cooperating]
        )
    }
    lead = departments.get(department_id)
    if lead is None:
        raise ValidationError(
            {"lead_department": _("Choose an active department serving this case's street.")}
        )
    if lead.pk in cooperating:
        raise ValidationError(
            {"cooperating_departments": _("The lead department cannot also cooperate.")}
        )
    if set(cooperating) - set(departments):
        raise ValidationError(
            {"cooperating_departments": _("Choose active departments serving this street.")}
        )
    data["lead_department"], data["cooperating_departments"] = lead.pk, cooperating
    return {"lead_department": lead}


def dispatch_effect(before: Ticket, after: Ticket, actor, data: dict, now) -> dict:
    """One task for the lead and one per cooperating department, due with the stage."""
    if after.lead_department_id is None:
        return {}
    plan = [(after.lead_department_id, TaskRole.LEAD)] + [
        (department_id, TaskRole.COOPERATING) for department_id in data["cooperating_departments"]
    ]
    LinkageTask.objects.bulk_create(
        LinkageTask(
            ticket=after,
            department_id=department_id,
            role=role,
            due_at=after.stage_due_at,
            created_at=now,
            updated_at=now,
        )
        for department_id, role in plan
    )
    handlers = department_handlers(department_id for department_id, _role in plan)
    tell(
        set().union(*handlers.values()) if handlers else set(),
        after,
        _("was dispatched to your department"),
    )
    return {}


def _tasks(ticket: Ticket, **filters) -> Any:
    return LinkageTask.objects.filter(ticket=ticket, **filters)


def lead_task_effect(status: str):
    """The lead's task follows the ticket: taken, submitted or returned."""

    def effect(before: Ticket, after: Ticket, actor, data: dict, now) -> dict:
        _tasks(after, role=TaskRole.LEAD, status__in=OPEN_TASK_STATUSES).update(
            status=status, updated_at=now
        )
        return {}

    return effect


def submit_guard(ticket: Ticket, data: dict, now: datetime) -> dict:
    """The result needs an after-photo, and every cooperating task done, or a reason
    with which the lead closes the open ones out."""
    data["photos"] = photos_check(list(data.get("photos") or []))
    if not _has_after_photo(ticket, data):
        raise ValidationError({"photos": _("Add at least one photo taken after handling.")})
    waiting = list(
        _tasks(ticket, role=TaskRole.COOPERATING, status__in=OPEN_TASK_STATUSES).values_list(
            "department__name", flat=True
        )
    )
    if waiting and not str(data.get("close_out_reason") or "").strip():
        raise ValidationError(
            {
                "close_out_reason": _(
                    "Cooperating departments have not finished (%(names)s): wait for them, "
                    "or close their tasks out with a reason."
                )
                % {"names": ", ".join(waiting)}
            }
        )
    return {}


def submit_effect(before: Ticket, after: Ticket, actor, data: dict, now) -> dict:
    extra = photos_effect(before, after, actor, data, now) if data.get("photos") else {}
    _tasks(after, role=TaskRole.LEAD, status__in=OPEN_TASK_STATUSES).update(
        status=TaskStatus.DONE, updated_at=now
    )
    closed = _tasks(after, role=TaskRole.COOPERATING, status__in=OPEN_TASK_STATUSES).update(
        status=TaskStatus.CLOSED_OUT, note=str(data.get("close_out_reason") or ""), updated_at=now
    )
    return extra | ({"closed_out_tasks": closed} if closed else {})


def return_effect(before: Ticket, after: Ticket, actor, data: dict, now) -> dict:
    """Back to dispatch: the lead's task is returned, the cooperating ones end with it."""
    _tasks(after, role=TaskRole.LEAD, status__in=OPEN_TASK_STATUSES).update(
        status=TaskStatus.RETURNED, updated_at=now
    )
    _tasks(after, role=TaskRole.COOPERATING, status__in=OPEN_TASK_STATUSES).update(
        status=TaskStatus.CLOSED_OUT, note=_("returned to dispatch"), updated_at=now
    )
    tell(level_holders([after], level=after.level)[after.pk], after, _("was returned to dispatch"))
    return {}


def rework_effect(before: Ticket, after: Ticket, actor, data: dict, now) -> dict:
    """Rework reopens the lead's task with the new handling deadline."""
    _tasks(after, role=TaskRole.LEAD).exclude(status=TaskStatus.RETURNED).update(
        status=TaskStatus.PENDING, due_at=after.stage_due_at, updated_at=now
    )
    if after.lead_department_id:
        handlers = department_handlers([after.lead_department_id])
        tell(handlers.get(after.lead_department_id, set()), after, _("needs rework"))
    elif after.assignee_id:
        tell({after.assignee_id}, after, _("needs rework"))
    return {}


def deadline_effect(before: Ticket, after: Ticket, actor, data: dict, now) -> dict:
    """An extension or a resume moves the deadline of the lead's open task with the stage."""
    _tasks(after, role=TaskRole.LEAD, status__in=OPEN_TASK_STATUSES).update(
        due_at=after.stage_due_at, updated_at=now
    )
    return {}


def task_of(ticket: Ticket, actor: User | None, data: dict) -> LinkageTask:
    """The cooperating task the actor acts on: the one named, or the only open one of a
    department the actor handles."""
    tasks = _tasks(ticket, role=TaskRole.COOPERATING).select_related("department")
    if actor is None or not actor.is_superuser:
        tasks = tasks.filter(department_id__in=handled_department_ids(actor))
    if data.get("task"):
        task = tasks.filter(pk=data.get("task")).first()
    else:
        open_tasks = list(tasks.filter(status__in=OPEN_TASK_STATUSES)[:2])
        task = open_tasks[0] if len(open_tasks) == 1 else None
    if task is None:
        raise ValidationError({"task": _("Name the linked task of your department.")})
    return task


def handled_department_ids(user: User | None) -> list[int]:
    """The departments ``user`` handles cases for (dept_handler assignments in force)."""
    if user is None:
        return []
    return list(
        user.role_assignments.filter(
            role=Role.DEPT_HANDLER, state=AssignmentState.ACTIVE
        ).values_list("department_id", flat=True)
    )


def task_guard(allowed_from: frozenset[str]):
    def guard(ticket: Ticket, data: dict, now: datetime) -> dict:
        task = task_of(ticket, data.get("_actor"), data)
        if task.status not in allowed_from:
            raise ValidationError(
                {"task": _("This task is %(status)s.") % {"status": task.get_status_display()}}
            )
        data["_task"] = task
        return {}

    return guard


def task_effect(status: str):
    def effect(before: Ticket, after: Ticket, actor, data: dict, now) -> dict:
        task = data["_task"]
        LinkageTask.objects.filter(pk=task.pk, status=task.status).update(
            status=status, note=data.get("_note", ""), updated_at=now
        )
        if status != TaskStatus.ACCEPTED and after.lead_department_id:
            handlers = department_handlers([after.lead_department_id])
            tell(
                handlers.get(after.lead_department_id, set()),
                after,
                _("%(department)s: task %(status)s")
                % {"department": task.department.name, "status": TaskStatus(status).label},
            )
        return {"task": task.pk, "department": task.department_id}

    return effect


# Supervision -----------------------------------------------------------------------------


def supervise_guard(ticket: Ticket, data: dict, now: datetime) -> dict:
    """A supervision order needs a level, a reason (the note) and a future deadline."""
    if data.get("level") not in SupervisionLevel.values:
        raise ValidationError({"level": _("Choose a yellow or a red card.")})
    due = data.get("due_at")
    due = parse_datetime(due) if isinstance(due, str) else due
    if due is None or due.tzinfo is None or due <= now:
        raise ValidationError(
            {"due_at": _("Give the answer's deadline as a future date and time with a zone.")}
        )
    data["due_at"] = due
    return {}


def supervision_order_issue(
    *, ticket: Ticket, level: str, reason: str, due_at: datetime, issued_by, now, automatic=False
) -> SupervisionOrder:
    """Write a supervision order and tell who answers for the case."""
    order = SupervisionOrder.objects.create(
        ticket=ticket,
        level=level,
        reason=reason,
        due_at=due_at,
        automatic=automatic,
        issued_by=issued_by,
        issued_at=now,
    )
    tell(
        responsible_users(ticket),
        ticket,
        _("received a supervision order (%(level)s)") % {"level": order.get_level_display()},
        kind=NotificationKind.SUPERVISION,
    )
    return order


def supervise_effect(before: Ticket, after: Ticket, actor, data: dict, now) -> dict:
    order = supervision_order_issue(
        ticket=after,
        level=data["level"],
        reason=data["_note"],
        due_at=data["due_at"],
        issued_by=actor,
        now=now,
    )
    return {"order": order.pk, "due_at": order.due_at.isoformat()}


def responsible_users(ticket: Ticket) -> set[int]:
    """Who answers a supervision order: whoever must act on the running stage (see
    ``stage_owners``) and the holders of the case's current level."""
    return (
        level_holders([ticket], level=ticket.level)[ticket.pk] | stage_owners([ticket])[ticket.pk]
    )


def order_guard(status: str):
    def guard(ticket: Ticket, data: dict, now: datetime) -> dict:
        order = SupervisionOrder.objects.filter(ticket=ticket, pk=data.get("order")).first()
        if order is None:
            raise ValidationError({"order": _("Name a supervision order of this ticket.")})
        if order.status != status:
            raise ValidationError(
                {"order": _("This order is %(status)s.") % {"status": order.get_status_display()}}
            )
        data["_order"] = order
        return {}

    return guard


def answer_effect(before: Ticket, after: Ticket, actor, data: dict, now) -> dict:
    order = data["_order"]
    SupervisionOrder.objects.filter(pk=order.pk, status=SupervisionStatus.OPEN).update(
        status=SupervisionStatus.ANSWERED, answer=data["_note"], answered_by=actor, answered_at=now
    )
    if order.issued_by_id:
        tell({order.issued_by_id}, after, _("answered your supervision order"))
    return {"order": order.pk}


def close_order_effect(before: Ticket, after: Ticket, actor, data: dict, now) -> dict:
    order = data["_order"]
    SupervisionOrder.objects.filter(pk=order.pk, status=SupervisionStatus.ANSWERED).update(
        status=SupervisionStatus.CLOSED, closed_by=actor, closed_at=now, closing_note=data["_note"]
    )
    return {"order": order.pk}


def final_effect(before: Ticket, after: Ticket, actor, data: dict, now) -> dict:
    """A case that ends closes its open supervision orders and linked tasks with it."""
    SupervisionOrder.objects.filter(ticket=after).exclude(status=SupervisionStatus.CLOSED).update(
        status=SupervisionStatus.CLOSED,
        closed_at=now,
        closed_by=actor,
        closing_note=_("closed with the case"),
    )
    _tasks(after, status__in=OPEN_TASK_STATUSES).update(
        status=TaskStatus.CLOSED_OUT, note=_("closed with the case"), updated_at=now
    )
    if after.reporter_id and after.reporter_id != getattr(actor, "pk", None):
        tell({after.reporter_id}, after, after.get_status_display())
    return {}


def merge_effect(before: Ticket, after: Ticket, actor, data: dict, now) -> dict:
    """The original's history records the duplicate merged into it; both keep theirs."""
    original = after.duplicate_of
    TicketEvent.objects.create(
        ticket=original,
        action=Action.MERGE,
        from_status=original.status,
        to_status=original.status,
        actor=actor,
        at=now,
        data={"merged": after.pk, "number": after.number},
    )
    return final_effect(before, after, actor, data, now) | {"into": original.pk}


# Escalation ------------------------------------------------------------------------------


def escalate_effect(before: Ticket, after: Ticket, actor, data: dict, now) -> dict:
    """A manual escalation is recorded like the sweep's, once per ticket and level."""
    Escalation.objects.create(
        ticket=after, level=after.level, reason=EscalationReason.MANUAL, at=now, by=actor
    )
    tell(
        level_holders([after], level=after.level)[after.pk],
        after,
        _("was escalated to %(level)s level") % {"level": after.get_level_display()},
        kind=NotificationKind.ESCALATION,
    )
    return {"level": after.level}


def report_recipients(ticket: Ticket) -> set[int]:
    """Who hears of a new report: the command centre of its street (street staff)."""
    return holders([ticket], {Role.STREET_STAFF})[ticket.pk]
