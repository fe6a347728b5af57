"""Base classes of the role-scoped back office, shared by the apps' admin modules."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model, QuerySet


class SelectorReadOnlyAdmin(admin.ModelAdmin):
    """Rows read through a selector (``selector(user=...)``, so the back office shows what
    the user may see and nothing else); never added, changed or deleted here: the services
    behind the API and the pages do the writing."""

    selector = None

    def get_queryset(self, request) -> QuerySet:
        return type(self).selector(user=request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request, obj: Model | None = None) -> bool:
        return False
