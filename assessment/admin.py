"""Back office: the rollup job's cursor, read-only, for administrators checking how far the
rollups have read. The rollups themselves are read through the assessment selectors."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model

from assessment.models import RollupCursor


@admin.register(RollupCursor)
class RollupCursorAdmin(admin.ModelAdmin):
    list_display = ("last_event_id", "last_run_at")
    readonly_fields = ("last_event_id", "last_run_at")

    def has_module_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request, obj: Model | None = None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request, obj: Model | None = None) -> bool:
        return False
