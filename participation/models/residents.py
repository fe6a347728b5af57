"""Residents and households of the grids, their care tags, visits, and the log of who saw
their personal data.

Residents and households carry denormalised district/street/community ids next to their
grid, so that the selectors filter them by scope without a join. Names and phones are
personal data: shown masked unless the viewer's role needs them, and every unmasked read
leaves a :class:`PersonalDataView` row. An ID number is never stored, only its keyed hash.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.models import VersionedModel
from grids.models import Grid
from participation.choices import CareTagCode
from participation.models.places import InCommunity

phone_validator = RegexValidator(r"^\+?[0-9-]{5,20}$", _("Enter a valid phone number."))


class CareTag(models.Model):
    """One of the fixed care tags (``CareTagCode``), a row so that residents can be filtered
    by tag with an ordinary join on every database."""

    code = models.CharField(_("code"), max_length=30, unique=True, choices=CareTagCode.choices)

    class Meta:
        verbose_name = _("care tag")
        verbose_name_plural = _("care tags")
        ordering = ("code",)

    def __str__(self) -> str:
        return str(CareTagCode(self.code).label)


class PlacedModel(InCommunity, VersionedModel):
    """A row at an address of one grid: the grid, the scope ids derived from it, and the
    building, unit and room."""

    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, verbose_name=_("grid"))
    building = models.CharField(_("building"), max_length=30)
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    room = models.CharField(_("room"), max_length=10, blank=True)

    class Meta:
        abstract = True


class Household(PlacedModel):
    """A household (户): the residents living at one address of a grid."""

    head = models.ForeignKey(
        "Resident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("head of household"),
    )

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.UniqueConstraint(
                fields=["grid", "building", "unit", "room"], name="household_unique_address"
            ),
        ]

    def __str__(self) -> str:
        return "-".join(part for part in (self.building, self.unit, self.room) if part)

    def clean(self) -> None:
        if self.head_id is not None and (self.pk is None or self.head.household_id != self.pk):
            raise ValidationError({"head": _("The head must be a member of the household.")})


class Resident(PlacedModel):
    """A person living in a grid. ``__str__`` shows no personal data: it ends up in logs."""

    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("household"),
    )
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    id_number_hash = models.CharField(
        _("ID number (keyed hash)"), max_length=64, blank=True, editable=False
    )
    care_tags = models.ManyToManyField(
        CareTag, blank=True, related_name="residents", verbose_name=_("care tags")
    )
    active = models.BooleanField(_("lives here"), default=True)

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=~Q(id_number_hash=""),
                name="resident_unique_id_number",
                violation_error_message=_("A resident with this ID number is registered."),
            ),
        ]
        indexes = [models.Index(fields=["grid", "active"], name="resident_grid_active")]

    def __str__(self) -> str:
        return _("Resident #%(id)s") % {"id": self.pk}

    def clean(self) -> None:
        if self.household_id is not None and self.household.grid_id != self.grid_id:
            raise ValidationError({"household": _("The household belongs to another grid.")})


class Visit(models.Model):
    """A visit to a resident (走访). History: never edited or deleted."""

    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="visits", verbose_name=_("resident")
    )
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("visited by"),
    )
    at = models.DateTimeField(_("visited at"), default=timezone.now)
    note = models.TextField(_("note"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [models.Index(fields=["resident", "-at"], name="visit_resident_at")]

    def __str__(self) -> str:
        return _("Visit #%(id)s") % {"id": self.pk}


class PersonalDataView(models.Model):
    """Who saw which resident's personal data unmasked, and when. Append-only."""

    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("viewer"),
    )
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="+", verbose_name=_("resident")
    )
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    fields = models.JSONField(_("fields"), default=list)

    class Meta:
        verbose_name = _("personal-data view")
        verbose_name_plural = _("personal-data views")
        indexes = [models.Index(fields=["resident", "-at"], name="pdview_resident_at")]

    def __str__(self) -> str:
        return _("View #%(id)s") % {"id": self.pk}
