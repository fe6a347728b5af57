"""Back office for training (courses, sessions, attendance, certificates), patrols (read
only) and one's own inbox (read only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet

from personnel import selectors
from personnel.admin.base import AddOnlyAdmin, PersonnelAdmin, ReadOnlyAdmin
from personnel.models import (
    Attendance,
    Certificate,
    Course,
    Notification,
    PatrolSession,
    TrainingSession,
)
from personnel.services.training import attendance_record, certificate_issue


class PlainSaveAdmin(PersonnelAdmin):
    """Catalogue rows with no rule beyond the model's own validation, which the form has
    already run: saved as they are."""

    def save_model(self, request, obj: Model, form, change: bool) -> None:
        obj.save()


@admin.register(Course)
class CourseAdmin(PlainSaveAdmin):
    selector = selectors.course_list
    list_display = ("code", "title", "hours", "pass_score", "certificate_months", "active")
    list_filter = ("active",)
    search_fields = ("code", "title")


@admin.register(TrainingSession)
class TrainingSessionAdmin(PlainSaveAdmin):
    selector = selectors.training_session_list
    list_display = ("course", "street", "starts_at", "ends_at", "place", "trainer")
    list_select_related = ("course", "street")
    search_fields = ("course__code", "course__title", "place", "trainer")
    date_hierarchy = "starts_at"


@admin.register(Attendance)
class AttendanceAdmin(PersonnelAdmin):
    """Recorded through the training service, which also issues the certificate a pass
    earns."""

    list_display = ("session", "user", "attended", "hours", "score")
    list_select_related = ("session__course", "user")
    search_fields = ("user__username", "user__full_name", "session__course__title")

    def get_queryset(self, request) -> QuerySet:
        sessions = selectors.training_session_list(user=request.user).values("pk")
        return Attendance.objects.select_related("session__course", "user").filter(
            session__in=sessions
        )

    def get_readonly_fields(self, request, obj: Model | None = None) -> tuple[str, ...]:
        # A correction keeps the person and the session; another one is a new record.
        return ("session", "user") if obj is not None else ()

    def create_with(self, request, data: dict[str, Any]) -> Model:
        return attendance_record(**data)

    def update_with(
        self, request, obj: Model, data: dict[str, Any], expected_version: int | None
    ) -> Model:
        return attendance_record(
            session=obj.session,
            user=obj.user,
            attended=obj.attended,
            hours=obj.hours,
            score=obj.score,
        )


@admin.register(Certificate)
class CertificateAdmin(AddOnlyAdmin):
    """Issued through the training service (numbered, dated, the holder told); never edited."""

    selector = selectors.certificate_list
    list_display = ("number", "user", "course", "issued_on", "expires_on", "reminded_at")
    list_select_related = ("user", "course")
    search_fields = ("number", "user__username", "user__full_name", "course__title")
    date_hierarchy = "issued_on"

    def get_fields(self, request, obj: Model | None = None):
        if obj is None:
            return ("user", "course", "issued_on")
        return ("number", "user", "course", "issued_on", "expires_on", "reminded_at")

    def create_with(self, request, data: dict[str, Any]) -> Model:
        return certificate_issue(**data)


@admin.register(PatrolSession)
class PatrolSessionAdmin(ReadOnlyAdmin):
    selector = selectors.patrol_session_list
    list_display = ("worker", "grid", "started_at", "ended_at")
    search_fields = ("worker__username", "worker__full_name", "grid__code")
    date_hierarchy = "started_at"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """One's own inbox; everyone with back-office access has one."""

    selector = selectors.notification_list
    list_display = ("title", "kind", "created_at", "read_at")
    list_filter = ("kind",)
    search_fields = ("title", "body")

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj: Model | None = None) -> bool:
        return request.user.is_active and request.user.is_staff
