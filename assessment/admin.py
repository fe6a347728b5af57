"""Back office: the score schemes (administrators keep them), the monthly scores read
through their selector, and the rollup job's cursor, read-only, for administrators checking
how far the rollups have read. The rollups themselves are read through the assessment
selectors.

Score schemes are versioned: saving the form of an existing version never changes it, it
saves a NEW version with the form's values (``score_scheme_create``), so every score keeps
naming the weights and bands that computed it. Versions are never deleted.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from assessment.models import MonthlyScore, RollupCursor, ScoreScheme
from assessment.selectors_scores import score_list
from assessment.services.scores import score_scheme_create


@admin.register(ScoreScheme)
class ScoreSchemeAdmin(admin.ModelAdmin):
    list_display = ("kind", "version", "effective_from", "created_by", "created_at")
    list_filter = ("kind",)
    readonly_fields = ("version", "created_by", "created_at")
    fields = ("kind", "version", "weights", "grade_bands", "effective_from")

    def save_model(self, request, obj: ScoreScheme, form, change: bool) -> None:
        """Every save, of a new scheme or an edit of one, is a new version."""
        saved = score_scheme_create(
            kind=obj.kind,
            weights=obj.weights,
            grade_bands=obj.grade_bands,
            effective_from=obj.effective_from,
            created_by=request.user,
        )
        if change:
            self.message_user(
                request,
                _("Saved as version %(new)d; version %(old)d stays as it was.")
                % {"new": saved.version, "old": obj.version},
                messages.INFO,
            )
        # The admin's redirect and log entry name the object it saved: the new version.
        obj.pk, obj.version = saved.pk, saved.version

    def has_delete_permission(self, request, obj: Model | None = None) -> bool:
        return False


@admin.register(MonthlyScore)
class MonthlyScoreAdmin(admin.ModelAdmin):
    """Read-only: scores are computed by the job, adjusted and signed off by supervisors
    through the API and the dashboard (the services keep their history)."""

    list_display = ("month", "kind", "__str__", "computed_score", "grade", "status")
    list_filter = ("kind", "status", "month")

    def get_queryset(self, request) -> QuerySet[MonthlyScore]:
        return score_list(user=request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request, obj: Model | None = None) -> bool:
        return False


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
