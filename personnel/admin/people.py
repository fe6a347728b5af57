"""Back office for departments, grid workers and grid assignments (street-office staff
manage those of their street here)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import BooleanField, Model, QuerySet, Value
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from grids.admin import ScopedRelatedFilter
from personnel import selectors
from personnel.admin.base import AddOnlyAdmin, PersonnelAdmin, unmasked
from personnel.forms import DepartmentForm, GridAssignmentForm, GridWorkerForm
from personnel.models import Department, GridAssignment, GridWorker
from personnel.selectors import mask_phone
from personnel.services.departments import department_create, department_update
from personnel.services.roles import may_manage
from personnel.services.workers import (
    grid_assignment_create,
    grid_assignment_end,
    worker_create,
    worker_update,
)

BOOKKEEPING = ("version", "created_at", "updated_at")


@admin.register(Department)
class DepartmentAdmin(PersonnelAdmin):
    form = DepartmentForm
    selector = selectors.department_list
    list_display = ("code", "name", "kind", "district", "street", "handler_names", "active")
    list_filter = (
        "active",
        "kind",
        ("district", ScopedRelatedFilter),
        ("street", ScopedRelatedFilter),
    )
    search_fields = ("code", "name", "name_en")
    readonly_fields = ("handler_names", *BOOKKEEPING)
    fieldsets = (
        (None, {"fields": ("code", "name", "name_en", "kind", "active", "expected_version")}),
        (_("Scope"), {"fields": ("district", "street")}),
        (_("Contact"), {"fields": ("contact_name", "contact_phone", "contact_email")}),
        (_("Handlers"), {"fields": ("handler_names",)}),
        (_("Bookkeeping"), {"fields": BOOKKEEPING}),
    )

    def get_queryset(self, request) -> QuerySet:
        queryset = selectors.department_list(user=request.user, with_handlers=True)
        return queryset.order_by(*self.get_ordering(request) or ("code",))

    @admin.display(description=_("handlers"))
    def handler_names(self, obj: Department) -> str:
        assignments = getattr(obj, "handler_assignments", None)
        if assignments is None:  # the add form: no department yet
            return "–"
        return ", ".join(str(assignment.user) for assignment in assignments) or "–"

    def has_change_permission(self, request, obj: Model | None = None) -> bool:
        # A district-level department is shown to street staff, but is not theirs to edit.
        if obj is not None and not may_manage(
            user=request.user,
            permission="personnel.change_department",
            place=obj.street or obj.district,
        ):
            return False
        return super().has_change_permission(request, obj)

    def create_with(self, request, data: dict[str, Any]) -> Model:
        return department_create(created_by=request.user, **data)

    def update_with(
        self, request, obj: Model, data: dict[str, Any], expected_version: int | None
    ) -> Model:
        return department_update(
            department=obj, updated_by=request.user, expected_version=expected_version, **data
        )


@admin.register(GridWorker)
class GridWorkerAdmin(PersonnelAdmin):
    """Worker profiles; the phone is masked in lists and forms unless the user sees
    personal data."""

    form = GridWorkerForm
    selector = selectors.worker_list
    list_display = (
        "employee_number",
        "user",
        "street",
        "employment_type",
        "origin",
        "status",
        "masked_phone",
    )
    list_filter = ("status", "employment_type", "origin", ("street", ScopedRelatedFilter))
    search_fields = ("employee_number", "user__username", "user__full_name")
    readonly_fields = ("masked_phone", *BOOKKEEPING)

    def get_queryset(self, request) -> QuerySet:
        # Display methods get no request: the rows carry whether this user sees phones.
        shown = Value(unmasked(request), output_field=BooleanField())
        return super().get_queryset(request).annotate(phone_unmasked=shown)

    @admin.display(description=_("phone"))
    def masked_phone(self, obj: GridWorker) -> str:
        if getattr(obj, "phone_unmasked", False):
            return obj.phone
        return mask_phone(obj.phone) if obj.phone else "–"

    def get_fieldsets(self, request, obj: Model | None = None):
        phone = "phone" if unmasked(request) else "masked_phone"
        return (
            (
                None,
                {
                    "fields": (
                        "user",
                        "street",
                        "employee_number",
                        ("employment_type", "origin"),
                        "hire_date",
                        phone,
                        "status",
                        "expected_version",
                    )
                },
            ),
            (_("Bookkeeping"), {"fields": BOOKKEEPING}),
        )

    def get_readonly_fields(self, request, obj: Model | None = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        # A profile belongs to one user for good.
        return (*fields, "user") if obj is not None else fields

    def has_change_permission(self, request, obj: Model | None = None) -> bool:
        # A worker of another street assigned to one's grid is shown, not editable.
        if obj is not None and not may_manage(
            user=request.user, permission="personnel.change_gridworker", place=obj.street
        ):
            return False
        return super().has_change_permission(request, obj)

    def create_with(self, request, data: dict[str, Any]) -> Model:
        return worker_create(created_by=request.user, **data)

    def update_with(
        self, request, obj: Model, data: dict[str, Any], expected_version: int | None
    ) -> Model:
        return worker_update(
            worker=obj, updated_by=request.user, expected_version=expected_version, **data
        )


@admin.register(GridAssignment)
class GridAssignmentAdmin(AddOnlyAdmin):
    """Assignments are added through the service (which grants the worker the grid) and
    ended with the "end" action (which revokes it); rows stay as history."""

    form = GridAssignmentForm
    selector = selectors.grid_assignment_list
    list_display = ("grid", "worker", "kind", "since", "until", "is_open")
    list_filter = ("kind", ("street", ScopedRelatedFilter), ("until", admin.EmptyFieldListFilter))
    search_fields = (
        "grid__code",
        "grid__name",
        "worker__employee_number",
        "worker__user__username",
    )
    date_hierarchy = "since"
    actions = ("end_selected",)
    fields = ("worker", "grid", "kind", "since", "replace_primary")

    @admin.display(description=_("open"), boolean=True)
    def is_open(self, obj: GridAssignment) -> bool:
        return obj.until is None

    def get_fields(self, request, obj: Model | None = None):
        if obj is None:
            return self.fields
        return (
            "worker",
            "grid",
            "street",
            "kind",
            "since",
            "until",
            "role_assignment",
            "created_by",
        )

    def create_with(self, request, data: dict[str, Any]) -> Model:
        return grid_assignment_create(created_by=request.user, **data)

    @admin.action(description=_("End the selected assignments today"), permissions=["change"])
    def end_selected(self, request, queryset: QuerySet) -> None:
        self.apply_each(
            request,
            queryset.filter(until__isnull=True),
            lambda row: grid_assignment_end(assignment=row, ended_by=request.user),
            lambda n: ngettext("%(n)d assignment ended.", "%(n)d assignments ended.", n) % {"n": n},
        )
