"""The ticket history as the rollups count it: one row per ticket event that counts for a
figure, with what the rollups derive from the history around it worked out once."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from grids.models import Community, District, Grid, Street
from incidents.choices import Action, Source, Status
from incidents.models import Category, Ticket, TicketEvent
from personnel.models import Department

# The steps a grid worker is counted for: reports, verifications, checks on site (which
# end in a closure or a rework).
OWN_WORK = (Action.REPORT, Action.VERIFY, Action.CLOSE, Action.REWORK)


def _ref(model, **options) -> models.ForeignKey:
    # Derived rows, written by the hundred thousand in a rebuild: no constraint to check
    # on every insert, and only the indexes of the Meta below.
    return models.ForeignKey(
        model,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
        **options,
    )


class EventFact(models.Model):
    """One ticket event that counts for a rollup figure, as ``assessment.services.events``
    reads it: its local day; the ticket's grid, category, source and scope (an edit moves
    the case's whole history, so these follow the ticket); whether it came late (``late``,
    and for a closure ``ever_late``: a stage of the case had gone red); the lead or task
    department it counts for; a rating's stars, an escalation's level, the handling time
    (of a closure from the report, of a submission from the start of the handle stage);
    for a report from the field, whether it was valid (``valid``: follows the case).

    Everything but the ticket's key, scope and ``valid`` depends only on the event and the
    history before it, so it is worked out once, when the rollups first read the event
    (``assessment.services.facts``); the refresh keeps those three current. Every rollup
    row is then one grouped read of these rows, and a dashboard's list of the cases behind
    a number lists exactly the events whose facts it counted.
    """

    event = models.OneToOneField(
        TicketEvent,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        primary_key=True,
        related_name="+",
    )
    ticket = _ref(Ticket)
    day = models.DateField(_("day"))
    action = models.CharField(_("action"), max_length=24, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Status.choices)
    actor = _ref(settings.AUTH_USER_MODEL, null=True)
    grid = _ref(Grid)
    category = _ref(Category)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    district = _ref(District)
    street = _ref(Street)
    community = _ref(Community)
    department = _ref(Department, null=True)
    late = models.BooleanField(default=False)
    ever_late = models.BooleanField(default=False)
    valid = models.BooleanField(null=True)
    stars = models.FloatField(null=True)
    level = models.PositiveSmallIntegerField(null=True)
    handling = models.DurationField(null=True)

    class Meta:
        verbose_name = _("counted case step")
        verbose_name_plural = _("counted case steps")
        indexes = [
            models.Index(fields=["day", "grid", "category", "source"], name="eventfact_day_key"),
            models.Index(fields=["ticket"], name="eventfact_ticket"),
            # A day's department and worker rows read only these facts.
            models.Index(
                fields=["day", "department"],
                condition=models.Q(department__isnull=False),
                name="eventfact_day_department",
            ),
            models.Index(
                fields=["day", "actor"],
                condition=models.Q(actor__isnull=False, action__in=OWN_WORK),
                name="eventfact_day_worker",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.event_id} {self.action}"
