"""Tickets (cases) and their history.

A ticket's status only changes through ``incidents.workflow`` (one function for the API,
the browser and the admin); every change writes one ``TicketEvent``, and events are never
edited or deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.models import VersionedModel
from grids.models import Community, Component, District, Grid, Street
from incidents.choices import Action, Level, Priority, SlaColour, Source, Stage, Status
from incidents.models.catalogue import Category
from personnel.models import Department


class Ticket(VersionedModel):
    """A case, from report to evaluation.

    The scope foreign keys (grid, community, street, district) are copied from the grid
    that contains the location, so that selectors filter millions of rows by indexed
    columns. The running stage carries its own due and warning times, computed when the
    stage starts: editing an SLA policy later never moves them.
    """

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("category"),
        db_index=False,  # ticket_category_place leads with it
    )
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reported_tickets",
        verbose_name=_("reporter"),
    )
    reporter_name = models.CharField(_("reporter's name"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=20, blank=True)
    lat = models.FloatField(
        _("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    lng = models.FloatField(
        _("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    # Grid, street and lead department lead a composite index each (Meta.indexes): a
    # second index on the column alone would be written on every insert and read by none.
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="+", db_index=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="+", db_index=False)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    component = models.ForeignKey(
        Component,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("component"),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    level = models.PositiveSmallIntegerField(
        _("escalation level"), choices=Level.choices, default=Level.GRID
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        verbose_name=_("assignee"),
    )
    lead_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_tickets",
        verbose_name=_("lead department"),
        db_index=False,
    )
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, blank=True)
    stage_started_at = models.DateTimeField(_("stage started at"), null=True, blank=True)
    stage_due_at = models.DateTimeField(_("stage due at"), null=True, blank=True)
    stage_warn_at = models.DateTimeField(_("stage warning at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("paused seconds"), default=0)
    sla_colour = models.CharField(
        _("SLA colour"), max_length=6, choices=SlaColour.choices, default=SlaColour.GREEN
    )
    rework_count = models.PositiveSmallIntegerField(_("reworks"), default=0)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-pk"]
        indexes = [
            # The deadline sweep reads only the running, unpaused stages it still has to
            # change: not yet red by due time, still green by warning time. Tickets it has
            # already coloured leave these indexes, so a steady-state sweep reads nothing.
            models.Index(
                fields=["stage_due_at"],
                condition=models.Q(stage_due_at__isnull=False, paused_at__isnull=True)
                & ~models.Q(sla_colour="red"),
                name="ticket_due_not_red",
            ),
            models.Index(
                fields=["stage_warn_at"],
                condition=models.Q(
                    stage_warn_at__isnull=False, paused_at__isnull=True, sla_colour="green"
                ),
                name="ticket_warn_green",
            ),
            models.Index(fields=["street", "status"], name="ticket_street_status"),
            models.Index(fields=["grid", "status"], name="ticket_grid_status"),
            models.Index(fields=["lead_department", "status"], name="ticket_dept_status"),
            # Duplicate suggestions: cases of one category within a few dozen metres. Read by
            # place, a search costs what lies near the report, not the day's reports of the
            # category across the city nor every case of a busy grid.
            models.Index(fields=["category", "lat", "lng"], name="ticket_category_place"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__lte=Level.DISTRICT), name="ticket_level_on_the_ladder"
            ),
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True)
                | models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="ticket_satisfaction_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class TicketEvent(models.Model):
    """One step in a ticket's history: who did what, when, from which state to which.

    Append-only: the model refuses to update or delete a saved event.
    """

    ticket = models.ForeignKey(
        Ticket, on_delete=models.PROTECT, related_name="events", verbose_name=_("ticket")
    )
    action = models.CharField(_("action"), max_length=24, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["ticket", "at"], name="ticketevent_ticket_at"),
            # The assessment rollups read a range of days of events across all tickets.
            models.Index(fields=["at"], name="ticketevent_at"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.action} {self.from_status}→{self.to_status}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise TypeError("ticket events are history: they are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("ticket events are history: they are never deleted")


class TicketCounter(models.Model):
    """The last ticket number given out on one local day (GD-YYYYMMDD-NNNNNN)."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("ticket counter")
        verbose_name_plural = _("ticket counters")

    def __str__(self) -> str:
        return f"{self.day} {self.last}"
