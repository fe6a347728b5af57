"""Back office for cases: tickets with their history, tasks, photos and supervision orders,
read through the selectors. Nothing here edits a ticket directly; the admin actions apply
workflow actions through ``incidents.workflow.ticket_act``, like the API and the pages."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gridgov.exceptions import StaleObjectError
from incidents import selectors
from incidents.choices import Action
from incidents.models import (
    Attachment,
    LinkageTask,
    SupervisionOrder,
    Ticket,
    TicketEvent,
)
from incidents.workflow import ActionNotAllowed, ticket_act


class ReadOnlyInline(admin.TabularInline):
    """History and evidence: shown, never added, changed or deleted here."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request, obj: Model | None = None) -> bool:
        return False


class EventInline(ReadOnlyInline):
    model = TicketEvent
    fields = readonly_fields = ("at", "action", "from_status", "to_status", "actor", "note")


class TaskInline(ReadOnlyInline):
    model = LinkageTask
    fields = readonly_fields = ("department", "role", "status", "due_at", "note")


class PhotoInline(ReadOnlyInline):
    model = Attachment
    fields = readonly_fields = ("phase", "content_type", "width", "height", "uploaded_by")


class OrderInline(ReadOnlyInline):
    model = SupervisionOrder
    fields = readonly_fields = ("level", "status", "reason", "due_at", "issued_by", "answer")


def _workflow_action(action: str):
    """An admin action that applies ``action`` to each selected ticket through the
    workflow, reporting how many moved and why the others did not."""

    def apply(modeladmin: TicketAdmin, request, queryset: QuerySet[Ticket]) -> None:
        moved, refusals = 0, []
        for ticket in queryset:
            try:
                ticket_act(
                    ticket=ticket,
                    actor=request.user,
                    action=action,
                    expected_version=ticket.version,
                )
            except ActionNotAllowed:
                refusals.append(f"{ticket.number}: {ticket.get_status_display()}")
            except (PermissionDenied, ValidationError, StaleObjectError) as refusal:
                refusals.append(f"{ticket.number}: {refusal}")
            else:
                moved += 1
        if moved:
            modeladmin.message_user(
                request,
                ngettext("%(n)d ticket updated.", "%(n)d tickets updated.", moved) % {"n": moved},
                messages.SUCCESS,
            )
        if refusals:
            modeladmin.message_user(
                request, _("Not updated: %s") % "; ".join(refusals), messages.WARNING
            )

    apply.__name__ = f"workflow_{action}"
    apply.short_description = Action(action).label
    return apply


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Tickets in the user's scope, read-only, with their whole story inline."""

    list_display = (
        "number",
        "title",
        "category",
        "grid",
        "status",
        "level",
        "sla_colour",
        "stage_due_at",
        "lead_department",
    )
    list_filter = ("status", "sla_colour", "level", "priority", "source")
    search_fields = ("number", "title")
    list_select_related = ("category", "grid", "lead_department")
    inlines = (TaskInline, PhotoInline, OrderInline, EventInline)
    actions = [_workflow_action(a) for a in (Action.ACCEPT, Action.FILE, Action.START_CHECK)]
    readonly_fields = tuple(
        field.name
        for field in Ticket._meta.get_fields()
        if field.concrete and not field.many_to_many
    )

    def get_queryset(self, request) -> QuerySet[Ticket]:
        return selectors.ticket_list(user=request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request, obj: Model | None = None) -> bool:
        return False


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(admin.ModelAdmin):
    """Supervision orders in the user's scope; issued and answered through the workflow."""

    list_display = ("ticket", "level", "status", "due_at", "automatic", "issued_by")
    list_filter = ("status", "level", "automatic")
    list_select_related = ("ticket", "issued_by")
    readonly_fields = tuple(
        field.name
        for field in SupervisionOrder._meta.get_fields()
        if field.concrete and not field.many_to_many
    )

    def get_queryset(self, request) -> QuerySet[SupervisionOrder]:
        return selectors.supervision_order_list(user=request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request, obj: Model | None = None) -> bool:
        return False
