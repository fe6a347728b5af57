"""Back office for role assignments: grants under the granting rule, revocation as an
action, no edits and no deletes (assignments are history)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from personnel import selectors
from personnel.admin.base import AddOnlyAdmin
from personnel.forms import RoleAssignmentForm
from personnel.models import RoleAssignment
from personnel.models.access import SCOPE_FIELDS
from personnel.services.roles import role_assignment_grant
from personnel.services.workers import role_assignment_end


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AddOnlyAdmin):
    form = RoleAssignmentForm
    selector = selectors.role_assignment_list
    list_display = (
        "user",
        "role",
        "scope_type",
        "scope_name",
        "state",
        "valid_from",
        "valid_until",
        "granted_by",
        "ended_at",
    )
    list_filter = ("state", "role", "scope_type")
    search_fields = ("user__username", "user__full_name", "note")
    actions = ("revoke_selected",)
    add_fieldsets = (
        (None, {"fields": ("user", "role", "note")}),
        (_("Scope"), {"fields": ("scope_type", *SCOPE_FIELDS.values())}),
        (_("Validity"), {"fields": ("valid_from", "valid_until")}),
    )
    view_fields = (
        "user",
        "role",
        "scope_type",
        "scope_name",
        "state",
        "valid_from",
        "valid_until",
        "granted_by",
        "granted_at",
        "ended_at",
        "ended_by",
        "note",
    )

    @admin.display(description=_("scope"))
    def scope_name(self, obj: RoleAssignment) -> str:
        return str(obj.scope)

    def get_fieldsets(self, request, obj: Model | None = None):
        if obj is None:
            return self.add_fieldsets
        return ((None, {"fields": self.view_fields}),)

    def get_readonly_fields(self, request, obj: Model | None = None) -> tuple[str, ...]:
        return self.view_fields if obj is not None else ()

    def create_with(self, request, data: dict[str, Any]) -> Model:
        scope = data[SCOPE_FIELDS[data["scope_type"]]]
        return role_assignment_grant(
            granted_by=request.user,
            user=data["user"],
            role=data["role"],
            scope=scope,
            valid_from=data.get("valid_from"),
            valid_until=data.get("valid_until"),
            note=data.get("note", ""),
        )

    def has_revoke_permission(self, request) -> bool:
        # Those who may grant may revoke; the granting rule decides for each row.
        return request.user.has_perm("personnel.add_roleassignment")

    @admin.action(description=_("Revoke the selected role assignments"), permissions=["revoke"])
    def revoke_selected(self, request, queryset: QuerySet) -> None:
        self.apply_each(
            request,
            queryset.filter(ended_at__isnull=True),
            lambda row: role_assignment_end(assignment=row, ended_by=request.user),
            lambda n: (
                ngettext("%(n)d role assignment revoked.", "%(n)d role assignments revoked.", n)
                % {"n": n}
            ),
        )
