"""Grid workers (网格员): their profile and the grids they answer for."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.models import VersionedModel
from grids.models import Grid
from personnel.choices import AssignmentKind, EmploymentType, WorkerOrigin, WorkerStatus
from personnel.models.departments import phone_validator


class GridWorker(VersionedModel):
    """The employment profile of a user who works grids (grid worker or grid chief).

    ``street`` is the street office that employs the worker; it scopes who may manage them.
    The phone is personal data: serializers mask it except for street staff and above.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="grid_worker",
        verbose_name=_("user"),
    )
    street = models.ForeignKey(
        "grids.Street", on_delete=models.PROTECT, related_name="+", verbose_name=_("street")
    )
    employee_number = models.CharField(_("employee number"), max_length=20, unique=True)
    employment_type = models.CharField(
        _("employment type"), max_length=12, choices=EmploymentType.choices
    )
    origin = models.CharField(_("origin"), max_length=16, choices=WorkerOrigin.choices)
    hire_date = models.DateField(_("hire date"))
    phone = models.CharField(_("phone"), max_length=20, validators=[phone_validator])
    status = models.CharField(
        _("status"), max_length=10, choices=WorkerStatus.choices, default=WorkerStatus.ACTIVE
    )

    class Meta:
        verbose_name = _("grid worker")
        verbose_name_plural = _("grid workers")
        ordering = ["employee_number"]

    def __str__(self) -> str:
        return f"{self.employee_number} {self.user}"


class GridAssignment(models.Model):
    """A worker answers for a grid, as its primary or a backup, from ``since`` until
    ``until`` (open while empty).

    At most one open primary per grid (a database constraint). Rows are history: ending an
    assignment fills ``until``; nothing is deleted. Each assignment carries the grid_worker
    role assignment that gives the worker access to the grid.
    """

    worker = models.ForeignKey(
        GridWorker, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("worker")
    )
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, related_name="worker_assignments", verbose_name=_("grid")
    )
    street = models.ForeignKey("grids.Street", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=8, choices=AssignmentKind.choices)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    role_assignment = models.OneToOneField(
        "personnel.RoleAssignment",
        on_delete=models.PROTECT,
        related_name="grid_assignment",
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("grid assignment")
        verbose_name_plural = _("grid assignments")
        ordering = ["-since", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["grid"],
                condition=models.Q(kind="primary", until__isnull=True),
                name="one_open_primary_per_grid",
                violation_error_message=_("This grid already has a primary worker."),
            ),
            models.UniqueConstraint(
                fields=["worker", "grid"],
                condition=models.Q(until__isnull=True),
                name="one_open_assignment_per_worker_grid",
                violation_error_message=_("The worker is already assigned to this grid."),
            ),
            models.CheckConstraint(
                condition=models.Q(until__isnull=True) | models.Q(until__gte=models.F("since")),
                name="grid_assignment_until_after_since",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} → {self.grid} ({self.get_kind_display()})"

    def clean(self) -> None:
        super().clean()
        if self.until and self.since and self.until < self.since:
            raise ValidationError({"until": _("The end cannot come before the start.")})
