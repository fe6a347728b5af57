"""Organisations, volunteers and their activities.

Organisations (social organisations, volunteer teams, enterprises, property management,
residents' committees, party organisations) belong to a street and serve some of its grids.
Volunteers are residents or users. An activity has a capacity that concurrent sign-ups
never exceed: ``Activity.signed_up`` is moved only by a conditional update below capacity,
and a CHECK constraint holds it there. Attendance gives service hours, and hours give
points (``participation.models.points``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.models import VersionedModel
from grids.models import Grid
from participation.choices import ActivityKind, ActivityStatus, OrganisationKind, SignupStatus
from participation.models.places import InCommunity, InStreet
from participation.models.residents import Resident, phone_validator


class Organisation(InStreet, VersionedModel):
    """A social organisation, volunteer team, enterprise, property manager, residents'
    committee or party organisation of a street, with the grids it serves."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    grids_served = models.ManyToManyField(
        Grid, blank=True, related_name="organisations", verbose_name=_("grids served")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["street_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["street", "name"], name="organisation_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class OrganisationContact(models.Model):
    """A contact person of an organisation. The phone is shown masked to readers who do not
    keep the street's registers."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=50)
    title = models.CharField(_("title"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["organisation_id", "pk"]

    def __str__(self) -> str:
        return _("Contact #%(id)s") % {"id": self.pk}


class Volunteer(InCommunity, VersionedModel):
    """A volunteer of a community: a resident, a user, or both (a resident who signs in).

    ``skills`` is a list of ``Skill`` codes and ``availability`` a list of ``DayPart``
    codes per weekday (``{"0": ["morning"], ...}``, Monday = 0). Service hours and points
    are derived from attendance and the points ledger, never typed in.
    """

    resident = models.OneToOneField(
        Resident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="volunteer",
        verbose_name=_("resident"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="volunteer",
        verbose_name=_("user"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="volunteers",
        verbose_name=_("volunteer team"),
    )
    skills = models.JSONField(_("skills"), default=list, blank=True)
    availability = models.JSONField(_("availability"), default=dict, blank=True)
    active = models.BooleanField(_("active"), default=True)
    joined_on = models.DateField(_("joined on"))

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["community_id", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resident__isnull=False) | Q(user__isnull=False),
                name="volunteer_is_resident_or_user",
            ),
        ]

    def __str__(self) -> str:
        return _("Volunteer #%(id)s") % {"id": self.pk}


class Activity(InCommunity, VersionedModel):
    """A community activity volunteers sign up for: service, patrol, cleanup, elderly care,
    meeting or other. ``signed_up`` counts the sign-ups in force and never passes
    ``capacity`` (a CHECK constraint; the services move it by conditional update)."""

    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    organiser = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("organiser"),
    )
    grid = models.ForeignKey(
        Grid,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("grid"),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200)
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    signed_up = models.PositiveIntegerField(_("signed up"), default=0, editable=False)
    points_per_hour = models.PositiveIntegerField(_("points per hour of service"), default=10)
    status = models.CharField(
        _("status"), max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("creator", "created by"),
    )

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="activity_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(signed_up__lte=F("capacity")), name="activity_within_capacity"
            ),
        ]
        indexes = [models.Index(fields=["community", "starts_at"], name="activity_comm_start")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("An activity ends after it starts.")})
        if self.grid_id is not None and self.grid.community_id != self.community_id:
            raise ValidationError({"grid": _("The grid lies in another community.")})

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.signed_up, 0)


class ActivitySignup(models.Model):
    """A volunteer's sign-up for an activity, its withdrawal, and the attendance the
    organiser recorded (hours of service, which earn points). A withdrawn sign-up stays as
    history; signing up again makes a new row."""

    activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, related_name="signups", verbose_name=_("activity")
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="signups", verbose_name=_("volunteer")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SignupStatus.choices, default=SignupStatus.SIGNED_UP
    )
    signed_up_at = models.DateTimeField(_("signed up at"))
    signed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("signed up by"),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    hours = models.DecimalField(
        _("hours of service"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    attendance_recorded_at = models.DateTimeField(_("attendance recorded at"), null=True)
    attendance_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("attendance recorded by"),
    )

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["activity_id", "signed_up_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "volunteer"],
                condition=Q(status="signed_up"),
                name="signup_once_per_activity",
                violation_error_message=_("This volunteer has signed up already."),
            ),
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | Q(hours__gte=0), name="signup_hours_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["volunteer", "attended"], name="signup_volunteer_att")]

    def __str__(self) -> str:
        return f"{self.activity_id}:{self.volunteer_id}"
