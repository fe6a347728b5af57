"""Daily rollups: what happened to cases per grid × category × source × day (and its sums per
grid × day), per department × day and per worker × day. They are derived data:
``assessment.services.rollups`` deletes and re-inserts their rows from the ticket history
(whole local days, or only the keys that changed; see there and ``grid_days`` for what each
figure counts), and dashboards read only these tables, never the raw tickets.

"On time" counts follow one rule (``assessment.services.events``): a step is on time
unless the stage it ends had been recorded red by the deadline sweep before it happened.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from grids.models import Community, District, Grid, Street
from incidents.choices import Source
from incidents.models import Category
from personnel.models import Department


def _count(label) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(label, default=0)


class RegionFigures(models.Model):
    """The figures of the region rollups: what ``assessment.services.grid_days`` counts for
    each grid, category and source (``GridDay``), and their sums per grid (``GridDayTotal``)."""

    reported = _count(_("reported"))
    accepted = _count(_("accepted"))
    rejected = _count(_("rejected (invalid or duplicate)"))
    verified = _count(_("verified on site"))
    verified_on_time = _count(_("verified on time"))
    filed = _count(_("filed"))
    filed_on_time = _count(_("filed on time"))
    voided = _count(_("voided"))
    voided_after_filing = _count(_("voided after filing"))
    dispatched = _count(_("dispatched"))
    dispatched_on_time = _count(_("dispatched on time"))
    returned = _count(_("returned to dispatch"))
    handled = _count(_("handled"))
    handled_on_time = _count(_("handled on time"))
    checked = _count(_("checked"))
    checked_on_time = _count(_("checked on time"))
    closed = _count(_("closed"))
    closed_on_time = _count(_("closed on time"))
    overdue = _count(_("stages overdue"))
    reworks = _count(_("reworks"))
    escalated_community = _count(_("escalated to community level"))
    escalated_street = _count(_("escalated to street level"))
    escalated_district = _count(_("escalated to district level"))
    extensions = _count(_("extensions approved"))
    parked = _count(_("parked"))
    rated = _count(_("rated"))
    rating_sum = _count(_("sum of ratings"))
    unsatisfied = _count(_("unsatisfied ratings"))
    handling_seconds = models.PositiveBigIntegerField(_("handling time (s), sum"), default=0)
    handling_count = _count(_("cases timed"))
    # The handling-time histogram (edges in assessment.histogram.EDGES_MINUTES).
    handling_b0 = _count(_("handled in under 30 min"))
    handling_b1 = _count(_("handled in 30 min to 1 h"))
    handling_b2 = _count(_("handled in 1 to 2 h"))
    handling_b3 = _count(_("handled in 2 to 4 h"))
    handling_b4 = _count(_("handled in 4 to 8 h"))
    handling_b5 = _count(_("handled in 8 to 24 h"))
    handling_b6 = _count(_("handled in 1 to 2 days"))
    handling_b7 = _count(_("handled in 2 to 7 days"))
    handling_b8 = _count(_("handled in 7 to 30 days"))
    handling_b9 = _count(_("handled in 30 days or more"))

    class Meta:
        abstract = True


class GridDay(RegionFigures):
    """What happened on one local day to the cases of one grid, category and
    source. Each figure counts the ticket events of that day (a case filed on Monday and
    closed on Wednesday adds to ``filed`` on Monday and ``closed`` on Wednesday), filed
    under the ticket's current grid, category and source.

    The scope columns (district, street, community) are the grid's, copied so that any
    place's sums read one indexed range.
    """

    day = models.DateField(_("day"))
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    street = models.ForeignKey(Street, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)

    class Meta:
        verbose_name = _("grid day")
        verbose_name_plural = _("grid days")
        ordering = ["-day", "grid_id", "category_id", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["grid", "category", "source", "day"], name="gridday_unique"
            )
        ]
        indexes = [
            models.Index(fields=["day"], name="gridday_day"),
            models.Index(fields=["district", "day"], name="gridday_district_day"),
            models.Index(fields=["street", "day"], name="gridday_street_day"),
            models.Index(fields=["community", "day"], name="gridday_community_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.grid_id} {self.category_id} {self.source}"


class GridDayTotal(RegionFigures):
    """One grid's ``GridDay`` rows of one local day added up over categories and sources,
    with the two figures the region indicators read by source. Written with the GridDay
    rows it sums (``assessment.services.rollups``), it is what place indicators, rankings,
    scores, the map and the workers' own-grid figures read: a district's month is about
    7,000 of these rows against 600,000 GridDay rows at a million cases.
    """

    day = models.DateField(_("day"))
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    street = models.ForeignKey(Street, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="+")
    public_filed = _count(_("public reports filed"))
    self_handled = _count(_("self-handled reports"))

    class Meta:
        verbose_name = _("grid day total")
        verbose_name_plural = _("grid day totals")
        ordering = ["-day", "grid_id"]
        constraints = [models.UniqueConstraint(fields=["grid", "day"], name="griddaytotal_unique")]
        indexes = [
            models.Index(fields=["day"], name="griddaytotal_day"),
            models.Index(fields=["district", "day"], name="griddaytotal_district_day"),
            models.Index(fields=["street", "day"], name="griddaytotal_street_day"),
            models.Index(fields=["community", "day"], name="griddaytotal_community_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.grid_id}"


class DepartmentDay(models.Model):
    """What one department did on one local day as the lead of cases, and in linked tasks.

    A step is the lead's by the dispatch in force when it happened (the ticket's latest
    dispatch before it), so a case returned and dispatched elsewhere counts for each
    department only what it did.
    """

    day = models.DateField(_("day"))
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    dispatched = _count(_("dispatched to it as lead"))
    returned = _count(_("returned to dispatch"))
    reworks = _count(_("sent back for rework"))
    handled = _count(_("handled"))
    handled_on_time = _count(_("handled on time"))
    closed = _count(_("closed"))
    extensions = _count(_("extensions approved"))
    tasks_assigned = _count(_("linked tasks received"))
    tasks_done = _count(_("linked tasks done"))
    tasks_returned = _count(_("linked tasks returned"))
    handling_seconds = models.PositiveBigIntegerField(_("handling time (s), sum"), default=0)
    handling_count = _count(_("cases timed"))

    class Meta:
        verbose_name = _("department day")
        verbose_name_plural = _("department days")
        ordering = ["-day", "department_id"]
        constraints = [
            models.UniqueConstraint(fields=["department", "day"], name="departmentday_unique")
        ]
        indexes = [models.Index(fields=["day"], name="departmentday_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.department_id}"


class WorkerDay(models.Model):
    """One person's field work on one local day: reports, verifications and checks they did,
    the cases of the grids they were the primary worker of that day, and patrols.

    A row exists for every user who acted, patrolled or held a grid assignment that day
    (an assigned worker who did nothing has a row of zeros but ``assigned_grids``).
    """

    day = models.DateField(_("day"))
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reports = _count(_("reports made (patrol or self-handled)"))
    valid_reports = _count(_("valid reports"))
    verifications = _count(_("verifications"))
    verifications_on_time = _count(_("verifications on time"))
    checks = _count(_("checks"))
    checks_on_time = _count(_("checks on time"))
    grid_filed = _count(_("cases filed in own grids"))
    grid_public_filed = _count(_("public reports filed in own grids"))
    grid_rated = _count(_("ratings in own grids"))
    grid_rating_sum = _count(_("sum of ratings in own grids"))
    grid_unsatisfied = _count(_("unsatisfied ratings in own grids"))
    patrol_seconds = models.PositiveIntegerField(_("patrol time (s)"), default=0)
    patrolled_grids = _count(_("grids patrolled"))
    assigned_grids = _count(_("grids assigned"))
    covered_grids = _count(_("assigned grids patrolled"))

    class Meta:
        verbose_name = _("worker day")
        verbose_name_plural = _("worker days")
        ordering = ["-day", "worker_id"]
        constraints = [models.UniqueConstraint(fields=["worker", "day"], name="workerday_unique")]
        indexes = [models.Index(fields=["day"], name="workerday_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.worker_id}"


class RollupCursor(models.Model):
    """The one row that says how far the incremental rollup job has read: the highest ticket
    event id it has seen and when its last run started. Every rollup write locks this row
    first, so two runs (or a run and a rebuild) never write the same days at once."""

    SINGLETON = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON, editable=False)
    last_event_id = models.PositiveBigIntegerField(_("last ticket event read"), default=0)
    last_run_at = models.DateTimeField(_("last run started at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rollup cursor")
        verbose_name_plural = _("rollup cursors")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="rollupcursor_singleton")
        ]

    def __str__(self) -> str:
        return f"{self.last_event_id} @ {self.last_run_at}"
