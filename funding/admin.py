"""Back office for the books, read through the funding selectors. The ledger is history:
nothing here edits or deletes a posted row; months are locked through the service."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model, QuerySet

from funding import selectors
from funding.models import (
    Account,
    Budget,
    BudgetLine,
    ExpenditureRequest,
    Flag,
    Leg,
    PeriodLock,
    Transaction,
)
from funding.services.ledger import period_lock
from gridgov.admin_base import SelectorReadOnlyAdmin
from grids.selectors import street_list


class LegInline(admin.TabularInline):
    model = Leg
    extra = 0
    can_delete = False
    fields = readonly_fields = ("account", "source", "amount", "memo")

    def has_add_permission(self, request, obj: Model | None = None) -> bool:
        return False


class LineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0
    can_delete = False
    fields = readonly_fields = ("category", "source", "amount")

    def has_add_permission(self, request, obj: Model | None = None) -> bool:
        return False


@admin.register(Account)
class AccountAdmin(SelectorReadOnlyAdmin):
    selector = selectors.account_list
    list_display = ("entity_key", "code", "name", "type", "active")
    list_filter = ("type", "active")
    search_fields = ("code", "name", "entity_key")


@admin.register(Transaction)
class TransactionAdmin(SelectorReadOnlyAdmin):
    selector = selectors.transaction_list
    list_display = ("date", "voucher_number", "description", "entity_key", "status", "posted_at")
    list_filter = ("status",)
    search_fields = ("voucher_number", "description")
    inlines = (LegInline,)


@admin.register(Budget)
class BudgetAdmin(SelectorReadOnlyAdmin):
    selector = selectors.budget_list
    list_display = ("entity_key", "fiscal_year")
    inlines = (LineInline,)


@admin.register(ExpenditureRequest)
class ExpenditureAdmin(SelectorReadOnlyAdmin):
    selector = selectors.expenditure_list
    list_display = ("payee", "amount", "status", "budget_line", "created_at")
    list_filter = ("status",)


@admin.register(Flag)
class FlagAdmin(SelectorReadOnlyAdmin):
    selector = selectors.flag_list
    list_display = ("kind", "entity_key", "status", "detected_at")
    list_filter = ("kind", "status")


@admin.register(PeriodLock)
class PeriodLockAdmin(admin.ModelAdmin):
    """Locking a month is the one write here, through the ledger service."""

    list_display = ("street", "period", "locked_by", "locked_at")
    fields = ("street", "period")

    def get_queryset(self, request) -> QuerySet[PeriodLock]:
        scope = selectors.books_scope(request.user, roles=selectors.KEEPER_ROLES)
        if scope.empty:
            return PeriodLock.objects.none()
        if scope.is_global:
            return PeriodLock.objects.all()
        return PeriodLock.objects.filter(
            street__district_id__in=scope.district_ids
        ) | PeriodLock.objects.filter(street_id__in=scope.street_ids)

    def has_change_permission(self, request, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request, obj: Model | None = None) -> bool:
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "street":
            kwargs["queryset"] = street_list(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj: PeriodLock, form, change: bool) -> None:
        locked = period_lock(street=obj.street, month=obj.period, locked_by=request.user)
        obj.pk, obj.locked_by, obj.locked_at = locked.pk, locked.locked_by, locked.locked_at
