"""What happens around a case while it is handled: photos, linked department tasks,
supervision orders, escalations and the deadline alerts the sweep raises."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from incidents.choices import (
    EscalationReason,
    Level,
    PhotoPhase,
    SlaColour,
    SupervisionLevel,
    SupervisionStatus,
    TaskRole,
    TaskStatus,
)
from incidents.models.tickets import Ticket
from personnel.models import Department, GridWorker


def _photo_path(instance: Attachment, filename: str) -> str:
    # The stored name is ours: the uploaded name may carry personal data or path tricks.
    return f"tickets/{instance.ticket_id}/{uuid.uuid4().hex}.{instance.extension}"


class Attachment(models.Model):
    """A photo of the case, taken before or after handling.

    Only images that decode (JPEG, PNG or WebP) are kept; a photo is evidence and is never
    replaced or deleted.
    """

    ticket = models.ForeignKey(
        Ticket, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("ticket")
    )
    phase = models.CharField(_("phase"), max_length=6, choices=PhotoPhase.choices)
    file = models.FileField(_("file"), upload_to=_photo_path, max_length=200)
    content_type = models.CharField(_("content type"), max_length=20)
    size = models.PositiveIntegerField(_("size in bytes"))
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["uploaded_at", "pk"]
        indexes = [models.Index(fields=["ticket", "phase"], name="attachment_ticket_phase")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.phase} {self.pk}"

    @property
    def extension(self) -> str:
        return {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}[self.content_type]

    def delete(self, *args, **kwargs):
        raise TypeError("photos are evidence: they are never deleted")


class LinkageTask(models.Model):
    """One department's part in handling a case: the lead, or a cooperating department.

    Created at dispatch; the lead's task follows the ticket (taken, submitted, returned), a
    cooperating department accepts, finishes or returns its own. A cooperating department
    sees only the tickets it holds a task on.
    """

    ticket = models.ForeignKey(
        Ticket, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("ticket")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("department")
    )
    role = models.CharField(_("role"), max_length=12, choices=TaskRole.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.PENDING
    )
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    note = models.TextField(_("result or reason"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("linked task")
        verbose_name_plural = _("linked tasks")
        ordering = ["ticket", "role", "pk"]
        indexes = [
            models.Index(fields=["department", "status"], name="linkagetask_department_status"),
            models.Index(fields=["ticket", "status"], name="linkagetask_ticket_status"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.department_id} {self.role} {self.status}"


class SupervisionOrder(models.Model):
    """A supervision order (督办) on a case: issued by a supervisor or automatically when a
    case turns red at street level or above, answered by the responsible party, closed by
    a supervisor (or with the case). Each step is also a ticket event."""

    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.PROTECT,
        related_name="supervision_orders",
        verbose_name=_("ticket"),
    )
    level = models.CharField(_("level"), max_length=6, choices=SupervisionLevel.choices)
    reason = models.TextField(_("reason"))
    due_at = models.DateTimeField(_("answer due at"))
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=SupervisionStatus.choices,
        default=SupervisionStatus.OPEN,
    )
    automatic = models.BooleanField(_("issued automatically"), default=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    issued_at = models.DateTimeField(_("issued at"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)

    class Meta:
        verbose_name = _("supervision order")
        verbose_name_plural = _("supervision orders")
        ordering = ["-issued_at", "-pk"]
        indexes = [models.Index(fields=["status", "due_at"], name="supervision_status_due")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.level} {self.status}"


class StageAlert(models.Model):
    """The sweep's record that a running stage turned yellow or red.

    Its unique key (ticket, stage start, due time, colour) makes each alert happen once,
    even when two sweeps run at once: a sweep acts only on the alerts it inserted itself
    (``sweep_run``). An extended deadline is a new due time, and a new stage a new start,
    so either can warn and turn red again.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="alerts")
    stage_started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    colour = models.CharField(max_length=6, choices=SlaColour.choices)
    at = models.DateTimeField()
    sweep_run = models.UUIDField()

    class Meta:
        verbose_name = _("deadline alert")
        verbose_name_plural = _("deadline alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "stage_started_at", "due_at", "colour"],
                name="stagealert_once_per_deadline",
            )
        ]
        indexes = [
            models.Index(fields=["sweep_run"], name="stagealert_sweep_run"),
            # The assessment rollups read the red alerts of a range of days.
            models.Index(fields=["at"], name="stagealert_at"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.colour} {self.due_at}"


class Escalation(models.Model):
    """A case moved one level up the ladder, by the sweep (overdue) or by hand.

    A case reaches each level at most once: the database refuses a second row for the
    same ticket and level.
    """

    ticket = models.ForeignKey(
        Ticket, on_delete=models.PROTECT, related_name="escalations", verbose_name=_("ticket")
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    reason = models.CharField(_("reason"), max_length=8, choices=EscalationReason.choices)
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "level"], name="escalation_once_per_level")
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} → {self.level}"


class IdleWorkerReport(models.Model):
    """A grid worker reported to the grid chief and the street office for having neither
    patrolled nor touched a case since ``last_active_at``; one report per idle stretch."""

    worker = models.ForeignKey(
        GridWorker, on_delete=models.PROTECT, related_name="+", verbose_name=_("grid worker")
    )
    last_active_at = models.DateTimeField(_("last active at"))
    reported_at = models.DateTimeField(_("reported at"))

    class Meta:
        verbose_name = _("idle worker report")
        verbose_name_plural = _("idle worker reports")
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "last_active_at"], name="idlereport_once_per_stretch"
            )
        ]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.last_active_at}"


class SupervisorDigest(models.Model):
    """The daily digest sent to one supervisor, with the counts it carried."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    counts = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("supervisor digest")
        verbose_name_plural = _("supervisor digests")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once_per_day")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"
