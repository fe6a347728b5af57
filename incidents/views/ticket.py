"""The ticket page: everything known about one case and the actions the user may take now."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from incidents import selectors
from incidents.choices import (
    OPEN_TASK_STATUSES,
    Action,
    PhotoPhase,
    Status,
    SupervisionStatus,
    TaskRole,
    TaskStatus,
)
from incidents.handling import handled_department_ids
from incidents.models import Ticket
from incidents.views.common import SLA_COLOURS, map_settings
from incidents.views.forms import ROW_ACTIONS, ActionForm, action_form
from incidents.workflow import actions_for
from personnel.selectors import mask_phone, sees_personal_data


def _task_rows(user, ticket: Ticket, allowed: list[str]) -> list[dict]:
    """The linked tasks, each with the task actions the user may take on it: only on a
    cooperating task of a department the user handles, in a status the action accepts."""
    mine = set(handled_department_ids(user))
    rows = []
    for task in selectors.linkage_task_list(user=user, ticket=ticket):
        actions = []
        if task.role == TaskRole.COOPERATING and (user.is_superuser or task.department_id in mine):
            if Action.TASK_ACCEPT in allowed and task.status == TaskStatus.PENDING:
                actions.append(Action.TASK_ACCEPT)
            if task.status in OPEN_TASK_STATUSES:
                actions += [a for a in (Action.TASK_DONE, Action.TASK_RETURN) if a in allowed]
        rows.append({"task": task, "actions": [(a, Action(a).label) for a in actions]})
    return rows


def _order_rows(user, ticket: Ticket, allowed: list[str]) -> list[dict]:
    now = timezone.now()
    rows = []
    for order in selectors.supervision_order_list(user=user).filter(ticket=ticket):
        action = None
        if order.status == SupervisionStatus.OPEN and Action.ANSWER_SUPERVISION in allowed:
            action = Action.ANSWER_SUPERVISION
        elif order.status == SupervisionStatus.ANSWERED and Action.CLOSE_SUPERVISION in allowed:
            action = Action.CLOSE_SUPERVISION
        rows.append(
            {
                "order": order,
                "overdue": order.status == SupervisionStatus.OPEN and order.due_at < now,
                "action": action,
                "action_label": Action(action).label if action else "",
                "note_required": action == Action.ANSWER_SUPERVISION,
            }
        )
    return rows


def _reporter(user, ticket: Ticket) -> dict:
    """Who reported, masked unless the user's role needs the personal data."""
    name = ticket.reporter_name or (str(ticket.reporter) if ticket.reporter_id else "")
    phone = ticket.reporter_phone
    if not sees_personal_data(user=user):
        name = f"{name[:1]}{'*' * min(len(name) - 1, 2)}" if name else ""
        phone = mask_phone(phone) if phone else ""
    return {"name": name, "phone": phone}


def _map_data(ticket: Ticket) -> dict:
    grid = ticket.grid
    return {
        "lat": ticket.lat,
        "lng": ticket.lng,
        "colour": SLA_COLOURS.get(ticket.sla_colour, SLA_COLOURS["green"]),
        "grid": {
            "type": "Feature",
            "geometry": grid.boundary,
            "properties": {"code": grid.code, "name": grid.name},
        }
        if grid.boundary
        else None,
    }


def ticket_page_context(request: HttpRequest, ticket: Ticket, bound: ActionForm | None) -> dict:
    """The page's context; ``bound`` is a form that failed and is shown with its errors."""
    user = request.user
    allowed = actions_for(user, ticket)
    panel = [
        bound
        if bound is not None and bound.action == action
        else action_form(action, ticket=ticket, user=user)
        for action in allowed
        if action not in ROW_ACTIONS
    ]
    photos = list(selectors.attachment_list(user=user, ticket=ticket))
    duplicates = []
    if ticket.status == Status.REPORTED:
        duplicates = selectors.duplicate_suggestions(user=user, ticket=ticket)
    return {
        "ticket": ticket,
        "reporter": _reporter(user, ticket),
        "action_forms": panel,
        "failed_form": bound,
        "before_photos": [photo for photo in photos if photo.phase == PhotoPhase.BEFORE],
        "after_photos": [photo for photo in photos if photo.phase == PhotoPhase.AFTER],
        "task_rows": _task_rows(user, ticket, allowed),
        "order_rows": _order_rows(user, ticket, allowed),
        "duplicates": duplicates,
        "may_merge": Action.MERGE in allowed,
        "events": selectors.ticket_event_list(user=user, ticket=ticket),
        "deadline_url": reverse("calendar-deadline"),
        "ticket_map": _map_data(ticket),
        **map_settings(),
    }


def render_ticket_page(
    request: HttpRequest, ticket: Ticket, *, bound: ActionForm | None = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "incidents/ticket.html",
        ticket_page_context(request, ticket, bound),
        status=status,
    )


@login_required
@require_safe
def ticket_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One ticket in the user's scope (404 outside it): header, details, location, photos,
    linked tasks, supervision orders, duplicates, history, and the actions open now."""
    ticket = get_object_or_404(selectors.ticket_list(user=request.user), pk=pk)
    return render_ticket_page(request, ticket)
