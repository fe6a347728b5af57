"""Reads of the case catalogue and the calendar overrides, always for a user.

Categories, SLA policies and calendar overrides are city-wide reference data: every signed-in
user sees all of them (a grid worker picks a category when reporting, a department reads the
limits it is held to); anonymous callers see none.
"""

from __future__ import annotations

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When

from incidents.choices import Priority, Stage
from incidents.models import CalendarOverride, Category, SlaPolicy, Ticket, TicketEvent
from personnel.scope import scope_for


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _rank(field: str, values: list[str]) -> Case:
    """Order by the declared order of a choice set rather than alphabetically."""
    return Case(
        *(When(**{field: value}, then=Value(index)) for index, value in enumerate(values)),
        default=Value(len(values)),
        output_field=IntegerField(),
    )


def sla_policy_order() -> tuple[Case, Case]:
    """Policies from emergency to normal, each in the order of the case's stages."""
    return _rank("priority", Priority.values), _rank("stage", Stage.values)


def category_list(*, user, with_policies: bool = False) -> QuerySet[Category]:
    """Every category for a signed-in user; ``with_policies`` prefetches each category's
    SLA policies, in priority and stage order, in one query for the whole page."""
    if not _signed_in(user):
        return Category.objects.none()
    categories = Category.objects.select_related("parent", "lead_department")
    if with_policies:
        policies = SlaPolicy.objects.order_by(*sla_policy_order())
        categories = categories.prefetch_related(Prefetch("policies", queryset=policies))
    return categories


def sla_policy_list(*, user) -> QuerySet[SlaPolicy]:
    if not _signed_in(user):
        return SlaPolicy.objects.none()
    return SlaPolicy.objects.select_related("category")


def calendar_override_list(*, user) -> QuerySet[CalendarOverride]:
    if not _signed_in(user):
        return CalendarOverride.objects.none()
    return CalendarOverride.objects.all()


def ticket_list(*, user) -> QuerySet[Ticket]:
    """Tickets in the user's area (by their scope foreign keys), those led by a department
    the user works for, and those the user reported."""
    if not _signed_in(user):
        return Ticket.objects.none()
    tickets = Ticket.objects.select_related("category", "grid", "lead_department", "assignee")
    scope = scope_for(user)
    if scope.is_global:
        return tickets
    return tickets.filter(
        scope.area_q() | Q(lead_department_id__in=scope.department_ids) | Q(reporter=user)
    )


def ticket_event_list(*, user, ticket: Ticket) -> QuerySet[TicketEvent]:
    """The history of a ticket the user may see, oldest first."""
    return TicketEvent.objects.filter(ticket=ticket).select_related("actor").order_by("at", "pk")
