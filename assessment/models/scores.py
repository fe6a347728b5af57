"""Monthly scores: the versioned schemes that compute them, the scores per grid worker,
department and community, and the supervisors' adjustments and sign-offs of them.

A scheme version is never changed: the admin saves every edit as a new version (see
``assessment.admin``), so a score's ``scheme`` always names the weights and grade bands
that computed it. Adjustments and sign-offs are history: never updated nor deleted.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assessment import indicators as ind
from assessment.choices import Grade, ScoreStatus, SubjectKind
from grids.models import Community
from personnel.models import Department

# The weights each kind's formula reads (assessment.indicators), with the published values,
# and the settings that may replace those before any scheme is saved.
DEFAULT_WEIGHTS: dict[str, tuple[str, dict[str, Decimal]]] = {
    SubjectKind.WORKER: ("ASSESSMENT_WORKER_WEIGHTS", ind.WORKER_WEIGHTS),
    SubjectKind.DEPARTMENT: ("ASSESSMENT_DEPARTMENT_WEIGHTS", ind.DEPARTMENT_WEIGHTS),
    SubjectKind.COMMUNITY: ("ASSESSMENT_COMMUNITY_WEIGHTS", ind.COMMUNITY_WEIGHTS),
}
# A scheme that applies to every month of the history.
BEGINNING = date(2000, 1, 1)
SCORE_RANGE = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


def _default_bands() -> dict[str, int]:
    return dict(ind.GRADE_BANDS)


def default_weights(kind: str) -> dict[str, str]:
    """The weights of ``kind`` before any scheme is saved, as a scheme stores them."""
    name, published = DEFAULT_WEIGHTS[kind]
    return {key: str(value) for key, value in getattr(settings, name, published).items()}


class ScoreSchemeQuerySet(models.QuerySet):
    def in_force(self, *, kind: str, on: date) -> ScoreScheme:
        """The scheme of ``kind`` in force on ``on``: the latest ``effective_from`` not after
        it (the highest version among equals); an unsaved one of the published defaults
        when there is none yet."""
        found = (
            self.filter(kind=kind, effective_from__lte=on)
            .order_by("-effective_from", "-version")
            .first()
        )
        return found or ScoreScheme(kind=kind, version=0, weights=default_weights(kind))


class ScoreScheme(models.Model):
    """One version of the weights and grade bands of a kind of monthly score.

    ``weights`` has exactly the keys of the kind's formula: for a grid worker
    ``valid_report``, ``missed_report``, ``on_time_verification``, ``on_time_check``; for a
    department ``closure``, ``on_time_handling``, ``no_rework`` (on top of the case-volume
    band); for a community ``closure``, ``on_time_closure``, ``satisfaction``,
    ``no_public_report``. ``grade_bands`` gives the lowest score of A, B, C and D (E below).
    The version in force for a month is the one with the latest ``effective_from`` on or
    before the month's last day.
    """

    kind = models.CharField(_("scored subject"), max_length=12, choices=SubjectKind.choices)
    version = models.PositiveIntegerField(_("version"), editable=False)
    weights = models.JSONField(_("weights"))
    grade_bands = models.JSONField(_("grade bands"), default=_default_bands)
    effective_from = models.DateField(_("in force from"), default=BEGINNING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScoreSchemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("score scheme")
        verbose_name_plural = _("score schemes")
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="scorescheme_kind_version")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"

    def clean(self) -> None:
        super().clean()
        errors = {}
        expected = set(DEFAULT_WEIGHTS[self.kind][1]) if self.kind in DEFAULT_WEIGHTS else set()
        weights = self.weights if isinstance(self.weights, dict) else None
        if weights is None or set(weights) != expected:
            errors["weights"] = gettext("Give exactly these weights: %(keys)s.") % {
                "keys": ", ".join(sorted(expected))
            }
        elif not all(_number(value, 0, 1) for value in weights.values()):
            errors["weights"] = gettext("Each weight is a number from 0 to 1.")
        elif not sum(Decimal(str(value)) for value in weights.values()):
            errors["weights"] = gettext("At least one weight must be above 0.")
        bands = self.grade_bands if isinstance(self.grade_bands, dict) else None
        letters = [Grade.A, Grade.B, Grade.C, Grade.D]
        if (
            bands is None
            or set(bands) != set(letters)
            or not all(_number(value, 0, 100) for value in bands.values())
            or [Decimal(str(bands[letter])) for letter in letters]
            != sorted((Decimal(str(bands[letter])) for letter in letters), reverse=True)
        ):
            errors["grade_bands"] = gettext(
                "Give the lowest score (0 to 100) of A, B, C and D, from high to low, e.g. "
                '{"A": 90, "B": 75, "C": 60, "D": 40}.'
            )
        if errors:
            raise ValidationError(errors)

    @property
    def decimal_weights(self) -> dict[str, Decimal]:
        return {name: Decimal(str(value)) for name, value in self.weights.items()}

    def grade(self, score: Decimal | None) -> str | None:
        """The letter of ``score`` under this scheme's bands."""
        return ind.grade(score, self.grade_bands)


def _number(value, low: int, high: int) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return False
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return False
    return number.is_finite() and low <= number <= high


class MonthlyScore(models.Model):
    """The score of one grid worker, department or community for one calendar month.

    The monthly job (``assessment.services.scores``) writes ``computed_score`` with the
    scheme then in force, and the indicators and figures it came from (``snapshot``). A
    supervisor may adjust it (``ScoreAdjustment``) and signs it off (``ScoreSignOff``);
    from then on the month is frozen: the job no longer changes the score, and when the
    data would now give another value it records that value in ``recomputed_score`` (and
    when, in ``recomputed_at``) as a notice.
    """

    kind = models.CharField(_("scored subject"), max_length=12, choices=SubjectKind.choices)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("grid worker"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("community"),
    )
    month = models.DateField(_("month (its first day)"))
    scheme = models.ForeignKey(
        ScoreScheme, on_delete=models.PROTECT, related_name="+", verbose_name=_("scheme")
    )
    computed_score = models.DecimalField(
        _("computed score"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty when the month had nothing to measure."),
    )
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices, blank=True)
    snapshot = models.JSONField(_("indicators and figures"), default=dict)
    computed_at = models.DateTimeField(_("computed at"))
    status = models.CharField(
        _("status"), max_length=12, choices=ScoreStatus.choices, default=ScoreStatus.COMPUTED
    )
    recomputed_score = models.DecimalField(
        _("score the data now gives"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    recomputed_at = models.DateTimeField(_("found to differ at"), null=True, blank=True)

    class Meta:
        verbose_name = _("monthly score")
        verbose_name_plural = _("monthly scores")
        ordering = ["-month", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind=SubjectKind.WORKER,
                        worker__isnull=False,
                        department__isnull=True,
                        community__isnull=True,
                    )
                    | models.Q(
                        kind=SubjectKind.DEPARTMENT,
                        worker__isnull=True,
                        department__isnull=False,
                        community__isnull=True,
                    )
                    | models.Q(
                        kind=SubjectKind.COMMUNITY,
                        worker__isnull=True,
                        department__isnull=True,
                        community__isnull=False,
                    )
                ),
                name="monthlyscore_one_subject",
            ),
            *(
                models.UniqueConstraint(
                    fields=[kind, "month"],
                    condition=models.Q(kind=kind),
                    name=f"monthlyscore_{kind}_month",
                )
                for kind in SubjectKind.values
            ),
        ]
        indexes = [models.Index(fields=["month", "kind"], name="monthlyscore_month_kind")]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_id} {self.month:%Y-%m}"

    @property
    def subject_id(self) -> int | None:
        return getattr(self, f"{self.kind}_id", None)

    @property
    def period(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def effective_score(self) -> Decimal | None:
        """The last adjustment's value, else the computed score (reads the prefetched
        adjustments when the selector prefetched them)."""
        adjustments = list(self.adjustments.all())
        return adjustments[-1].new_value if adjustments else self.computed_score

    @property
    def effective_grade(self) -> str | None:
        return self.scheme.grade(self.effective_score)

    @property
    def recomputed_differs(self) -> bool:
        """Whether the data, recomputed since sign-off, would give another score."""
        return self.recomputed_at is not None


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses the bulk paths around ``save`` and ``delete``: history rows stay as written."""

    def update(self, **kwargs):
        raise TypeError("assessment history is append-only: it is never changed")

    def delete(self):
        raise TypeError("assessment history is append-only: it is never deleted")


class _History(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise TypeError("assessment history is append-only: it is never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("assessment history is append-only: it is never deleted")


class ScoreAdjustment(_History):
    """A supervisor's change of a score before sign-off, with the reason. The last one's
    ``new_value`` is the score in force. Append-only."""

    score = models.ForeignKey(
        MonthlyScore, on_delete=models.PROTECT, related_name="adjustments", verbose_name=_("score")
    )
    old_value = models.DecimalField(
        _("old value"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    new_value = models.DecimalField(
        _("new value"), max_digits=5, decimal_places=2, validators=SCORE_RANGE
    )
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("score adjustment")
        verbose_name_plural = _("score adjustments")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(new_value__gte=0, new_value__lte=100),
                name="scoreadjustment_0_to_100",
            ),
            models.CheckConstraint(condition=~models.Q(reason=""), name="scoreadjustment_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.score_id}: {self.old_value} → {self.new_value}"


class ScoreSignOff(_History):
    """A supervisor's sign-off of a score: the month is frozen from then on. One per score;
    append-only."""

    score = models.ForeignKey(
        MonthlyScore, on_delete=models.PROTECT, related_name="sign_offs", verbose_name=_("score")
    )
    signed_score = models.DecimalField(
        _("score signed off"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("score sign-off")
        verbose_name_plural = _("score sign-offs")
        ordering = ["at", "pk"]
        constraints = [models.UniqueConstraint(fields=["score"], name="scoresignoff_once")]

    def __str__(self) -> str:
        return f"{self.score_id} {self.at:%Y-%m-%d}"
