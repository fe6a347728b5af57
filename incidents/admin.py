"""Back office for the case catalogue: categories with their SLA policies, and the local
calendar overrides.

Categories and policies are saved through incidents.services and never deleted (tickets and
history point at them): a category is retired with ``active``, a limit is changed in place.
A changed limit applies to stages that start afterwards; running ones keep their due time.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, Model, QuerySet
from django.utils.translation import gettext_lazy as _

from grids.admin import ScopedAdmin, _adopt
from incidents import (
    admin_tickets,  # noqa: F401 - registers the ticket admins
    selectors,
    services,
)
from incidents.choices import Priority, Stage
from incidents.models import CalendarOverride, Category, SlaPolicy
from personnel import selectors as personnel_selectors
from personnel.models import Department

FULL_POLICY_SET = len(Priority) * len(Stage)


class CatalogueAdmin(ScopedAdmin):
    """Reads through the incidents selectors; department choices are those in the user's
    reach, as everywhere in the back office."""

    related_selectors = {
        **ScopedAdmin.related_selectors,
        Category: selectors.category_list,
        Department: personnel_selectors.department_list,
    }


class SlaPolicyInlineForm(forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            # Another stage or priority is another policy: only the limit itself changes.
            for name in services.POLICY_FIXED_FIELDS:
                if name in self.fields:
                    self.fields[name].disabled = True


class SlaPolicyInline(admin.TabularInline):
    model = SlaPolicy
    form = SlaPolicyInlineForm
    fields = ("priority", "stage", "amount", "unit", "updated_at")
    readonly_fields = ("updated_at",)
    can_delete = False
    max_num = FULL_POLICY_SET

    def get_queryset(self, request) -> QuerySet:
        if not self.has_view_or_change_permission(request):
            return SlaPolicy.objects.none()
        return selectors.sla_policy_list(user=request.user).order_by(*selectors.sla_policy_order())

    def get_extra(self, request, obj: Category | None = None, **kwargs: Any) -> int:
        # One blank row while the set is incomplete; none once every stage has its limit.
        if obj is not None and obj.policies.count() >= FULL_POLICY_SET:
            return 0
        return 1


@admin.register(Category)
class CategoryAdmin(CatalogueAdmin):
    selector = selectors.category_list
    list_display = (
        "code",
        "name",
        "name_en",
        "parent",
        "kind",
        "default_priority",
        "lead_department",
        "policy_count",
        "active",
    )
    list_filter = (
        "kind",
        "active",
        "default_priority",
        ("parent", admin.RelatedOnlyFieldListFilter),
        ("lead_department", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("parent", "lead_department")
    search_fields = ("code", "name", "name_en")
    fieldsets = (
        (None, {"fields": ("parent", "code", "kind", "name", "name_en", "active")}),
        (_("Handling defaults"), {"fields": ("default_priority", "lead_department")}),
        (_("Criteria"), {"fields": ("filing_criteria", "closing_criteria")}),
    )

    def get_queryset(self, request) -> QuerySet:
        return super().get_queryset(request).annotate(policy_count=Count("policies"))

    @admin.display(description=_("limits"), ordering="policy_count")
    def policy_count(self, obj: Category) -> int:
        return obj.policy_count

    def get_readonly_fields(self, request, obj: Model | None = None) -> tuple[str, ...]:
        if obj is None:
            return ()
        return services.CATEGORY_FIXED_FIELDS

    def get_inlines(self, request, obj: Category | None) -> list:
        # Limits hang on saved minor classes (a new category gets its limits once saved).
        if obj is None or obj.is_major:
            return []
        return [SlaPolicyInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs: Any):
        if db_field.name == "parent":
            kwargs["queryset"] = selectors.category_list(user=request.user).filter(
                parent__isnull=True
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def create(self, data: dict[str, Any]) -> Model:
        return services.category_create(**data)

    def update(self, obj: Model, data: dict[str, Any], expected_version: int | None) -> Model:
        return services.category_update(category=obj, **data)

    def save_formset(self, request, form, formset, change: bool) -> None:
        # save(commit=False) fills new_objects and changed_objects, which the admin's change
        # message reads; the rows themselves are written by the services.
        formset.save(commit=False)
        for policy in formset.new_objects:
            saved = services.sla_policy_create(
                category=form.instance,
                priority=policy.priority,
                stage=policy.stage,
                amount=policy.amount,
                unit=policy.unit,
            )
            _adopt(policy, saved)
        for policy, changed in formset.changed_objects:
            services.sla_policy_update(
                policy=policy, **{name: getattr(policy, name) for name in changed}
            )


@admin.register(SlaPolicy)
class SlaPolicyAdmin(CatalogueAdmin):
    selector = selectors.sla_policy_list
    actions = ()
    list_display = ("category", "priority", "stage", "amount", "unit", "updated_at")
    list_filter = ("priority", "stage", "unit", "category__kind")
    list_select_related = ("category",)
    search_fields = ("category__code", "category__name", "category__name_en")
    readonly_fields = ("updated_at",)

    def get_readonly_fields(self, request, obj: Model | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("updated_at",)
        return (*services.POLICY_FIXED_FIELDS, "updated_at")

    def formfield_for_foreignkey(self, db_field, request, **kwargs: Any):
        if db_field.name == "category":
            kwargs["queryset"] = selectors.category_list(user=request.user).filter(
                parent__isnull=False
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def create(self, data: dict[str, Any]) -> Model:
        return services.sla_policy_create(**data)

    def update(self, obj: Model, data: dict[str, Any], expected_version: int | None) -> Model:
        return services.sla_policy_update(policy=obj, **data)


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    """Local holidays and extra working days; a correction applies to limits that start
    afterwards. Saved as entered: the form runs the model's validation (one per date)."""

    list_display = ("date", "kind", "note")
    list_filter = ("kind",)
    search_fields = ("note",)
    date_hierarchy = "date"

    def get_queryset(self, request) -> QuerySet:
        return selectors.calendar_override_list(user=request.user)
