"""Writes of the monthly scores: the job that computes them, and the supervisors'
adjustments and sign-offs.

The job reads only the rollups, one grouped query per kind of subject, and computes each
subject's score with the scheme in force for the month (the figures and indicators as in
``assessment.figures``). A score not signed off is rewritten with the fresh value; a
signed-off one is frozen: the job recomputes it with its own scheme and, if the data now
give another value, records that value and when as a notice (``recomputed_score``,
``recomputed_at``), cleared again when the data agree once more. Running the job twice, or
two at once, writes the same rows: new rows are inserted ignoring conflicts, and updates
are compare-and-swap on the status they expect.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment import figures
from assessment.choices import ScoreStatus, SubjectKind
from assessment.indicators import GRADE_BANDS
from assessment.models import (
    DepartmentDay,
    GridDayTotal,
    MonthlyScore,
    ScoreAdjustment,
    ScoreScheme,
    ScoreSignOff,
    WorkerDay,
)
from assessment.models.scores import BEGINNING, default_weights
from assessment.selectors_scores import may_sign
from grids.models import Community
from personnel.choices import WorkerStatus
from personnel.models import Department, GridWorker, User

BATCH = 500
HUNDRED = Decimal(100)


class ScoreFrozen(Exception):
    """The score is signed off: it is no longer adjusted nor signed off again."""

    def __init__(self, score: MonthlyScore) -> None:
        super().__init__(
            _("The score of %(period)s is signed off: it can no longer be changed.")
            % {"period": score.period}
        )
        self.score = score


def month_bounds(month: date) -> tuple[date, date]:
    """The first and last day of ``month``'s calendar month."""
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def previous_month(day: date) -> date:
    """The first day of the month before ``day``'s."""
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


# What each kind reads: its rollup rows grouped by subject, its indicator builder, and the
# subjects that get a score (active ones; the rows they already have are kept current too).
_KINDS: dict[str, tuple[Any, str, Callable[..., dict], Callable[[], Any]]] = {
    SubjectKind.WORKER: (
        WorkerDay.objects,
        "worker_id",
        figures.worker_indicators,
        lambda: GridWorker.objects.filter(status=WorkerStatus.ACTIVE).values_list(
            "user_id", flat=True
        ),
    ),
    SubjectKind.DEPARTMENT: (
        DepartmentDay.objects,
        "department_id",
        figures.department_indicators,
        lambda: Department.objects.filter(active=True).values_list("pk", flat=True),
    ),
    SubjectKind.COMMUNITY: (
        GridDayTotal.objects,
        "community_id",
        figures.place_indicators,
        lambda: Community.objects.filter(active=True).values_list("pk", flat=True),
    ),
}


def score_scheme_in_force(*, kind: str, on: date, created_by: User | None = None) -> ScoreScheme:
    """The scheme of ``kind`` in force on ``on``. When none is, the published (or
    configured) defaults are saved as a version in force since the beginning: version 1 on
    the first run, or, when the only schemes saved start later, a version that applies to
    the months before them."""
    scheme = ScoreScheme.objects.in_force(kind=kind, on=on)
    if scheme.pk is not None:
        return scheme
    if not ScoreScheme.objects.filter(kind=kind).exists():
        scheme, _created = ScoreScheme.objects.get_or_create(
            kind=kind,
            version=1,
            defaults={"weights": default_weights(kind), "created_by": created_by},
        )
        return scheme
    return score_scheme_create(
        kind=kind,
        weights=default_weights(kind),
        grade_bands=GRADE_BANDS,
        effective_from=BEGINNING,
        created_by=created_by,
    )


@transaction.atomic
def score_scheme_create(
    *,
    kind: str,
    weights: Mapping[str, Any],
    grade_bands: Mapping[str, Any],
    effective_from: date,
    created_by: User | None,
) -> ScoreScheme:
    """Save a new version of ``kind``'s scheme (one above the highest so far). Versions are
    never edited: a change of weights or bands is always a new version, so the scores
    computed with the old one still name what computed them."""
    latest = (
        ScoreScheme.objects.select_for_update()
        .filter(kind=kind)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    scheme = ScoreScheme(
        kind=kind,
        version=(latest or 0) + 1,
        weights=dict(weights),
        grade_bands=dict(grade_bands),
        effective_from=effective_from,
        created_by=created_by,
    )
    scheme.full_clean()
    scheme.save()
    return scheme


def _json(values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        name: str(value) if isinstance(value, Decimal) else value for name, value in values.items()
    }


def _compute(indicators: Callable[..., dict], f: Mapping[str, int], scheme: ScoreScheme) -> dict:
    found = indicators(f, weights=scheme.decimal_weights, bands=scheme.grade_bands)
    return {
        "score": found["score"],
        "grade": found["grade"] or "",
        "snapshot": {"indicators": _json(found), "figures": dict(f)},
    }


def _score_kind(kind: str, first: date, last: date, now) -> dict[str, int]:
    manager, key, indicators, active = _KINDS[kind]
    scheme = score_scheme_in_force(kind=kind, on=last)
    existing = {
        row.subject_id: row
        for row in MonthlyScore.objects.filter(kind=kind, month=first).select_related("scheme")
    }
    grouped = figures.sums_by(manager.filter(day__gte=first, day__lte=last), key)
    blank = figures.empty(manager.model)
    counts = {"created": 0, "updated": 0, "frozen_differ": 0}

    new = []
    for subject in set(active()) - set(existing):
        fresh = _compute(indicators, grouped.get(subject, blank), scheme)
        new.append(
            MonthlyScore(
                kind=kind,
                **{f"{kind}_id": subject},
                month=first,
                scheme=scheme,
                computed_score=fresh["score"],
                grade=fresh["grade"],
                snapshot=fresh["snapshot"],
                computed_at=now,
            )
        )
    # A run at the same moment may have inserted some of them: theirs are the same values.
    MonthlyScore.objects.bulk_create(new, batch_size=BATCH, ignore_conflicts=True)
    counts["created"] = len(new)

    changed, frozen = [], []
    for subject, row in existing.items():
        f = grouped.get(subject, blank)
        if row.status == ScoreStatus.SIGNED_OFF:
            # Frozen with the scheme that computed it: only a change of data shows.
            fresh_score = _compute(indicators, f, row.scheme)["score"]
            differs = fresh_score != row.computed_score
            if differs and (row.recomputed_at is None or row.recomputed_score != fresh_score):
                row.recomputed_score, row.recomputed_at = fresh_score, now
                frozen.append(row)
            elif not differs and row.recomputed_at is not None:
                row.recomputed_score, row.recomputed_at = None, None
                frozen.append(row)
            counts["frozen_differ"] += differs
            continue
        fresh = _compute(indicators, f, scheme)
        if (row.computed_score, row.grade, row.snapshot, row.scheme_id) != (
            fresh["score"],
            fresh["grade"],
            fresh["snapshot"],
            scheme.pk,
        ):
            row.computed_score, row.grade = fresh["score"], fresh["grade"]
            row.snapshot, row.scheme, row.computed_at = fresh["snapshot"], scheme, now
            changed.append(row)
    # Compare-and-swap on the status: a row signed off since it was read keeps its value.
    counts["updated"] = MonthlyScore.objects.filter(status=ScoreStatus.COMPUTED).bulk_update(
        changed, ["computed_score", "grade", "snapshot", "scheme", "computed_at"], batch_size=BATCH
    )
    MonthlyScore.objects.filter(status=ScoreStatus.SIGNED_OFF).bulk_update(
        frozen, ["recomputed_score", "recomputed_at"], batch_size=BATCH
    )
    return counts


@transaction.atomic
def scores_compute_month(*, month: date) -> dict[str, dict[str, int]]:
    """Compute the scores of ``month`` (any day of it) for every active grid worker,
    department and community, and keep the rows they already have current. Returns, per
    kind, how many rows were created and updated, and how many frozen ones the data now
    contradict."""
    first, last = month_bounds(month)
    now = timezone.now()
    return {kind: _score_kind(kind, first, last, now) for kind in SubjectKind.values}


def _check_signer(*, by: User, score: MonthlyScore) -> None:
    if not may_sign(user=by, score=score):
        raise PermissionDenied(
            _("Only a supervisor or an administrator over this subject may do that.")
        )


def _locked(score: MonthlyScore) -> MonthlyScore:
    locked = MonthlyScore.objects.select_for_update().get(pk=score.pk)
    if locked.status != ScoreStatus.COMPUTED:
        raise ScoreFrozen(locked)
    return locked


@transaction.atomic
def score_adjust(
    *, score: MonthlyScore, new_value: Decimal, reason: str, by: User
) -> ScoreAdjustment:
    """Set the score in force to ``new_value`` (0 to 100), saying why. Refused on a
    signed-off score (ScoreFrozen) and to anyone but a supervisor or administrator over the
    subject (PermissionDenied)."""
    _check_signer(by=by, score=score)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the score is adjusted.")}, code="required")
    try:
        new_value = Decimal(new_value)
    except (ArithmeticError, TypeError, ValueError):
        new_value = Decimal("NaN")
    if not new_value.is_finite() or not 0 <= new_value <= HUNDRED:
        raise ValidationError({"value": _("A score is from 0 to 100.")}, code="invalid")
    locked = _locked(score)
    adjustment = ScoreAdjustment(
        score=locked,
        old_value=locked.effective_score,
        new_value=new_value.quantize(Decimal("0.01")),
        reason=reason,
        by=by,
        at=timezone.now(),
    )
    adjustment.full_clean()
    adjustment.save()
    return adjustment


@transaction.atomic
def score_sign_off(*, score: MonthlyScore, by: User, note: str = "") -> ScoreSignOff:
    """Sign the score off: the month is frozen from now on (see the module). Signing twice
    is refused (ScoreFrozen), as is anyone but a supervisor or administrator over the
    subject (PermissionDenied)."""
    _check_signer(by=by, score=score)
    locked = _locked(score)
    at = timezone.now()
    swapped = MonthlyScore.objects.filter(pk=locked.pk, status=ScoreStatus.COMPUTED).update(
        status=ScoreStatus.SIGNED_OFF
    )
    if swapped != 1:
        raise ScoreFrozen(locked)
    sign_off = ScoreSignOff(
        score=locked, signed_score=locked.effective_score, note=note.strip(), by=by, at=at
    )
    sign_off.full_clean()
    sign_off.save()
    return sign_off
