"""Every assessment indicator of DOMAIN.md ("Assessment"), as a pure function of summed
rollup figures. Rates are Decimal percentages with two places (half up), or None when
their denominator is 0: "no case" is not "0 %". Weights and bands are policy and can be set
in settings (``ASSESSMENT_WORKER_WEIGHTS``, ``ASSESSMENT_DEPARTMENT_WEIGHTS``,
``ASSESSMENT_COMMUNITY_WEIGHTS``, ``ASSESSMENT_VOLUME_BANDS``) and, for the monthly scores and
rankings, in the versioned score schemes (``assessment.models.ScoreScheme``), which pass
their weights and grade bands to these functions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from assessment.choices import Grade

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
# Grid-worker score: 40 % valid reports, 20 % missed-report score, 20 % on-time
# verification, 20 % on-time check.
WORKER_WEIGHTS = {
    "valid_report": Decimal("0.4"),
    "missed_report": Decimal("0.2"),
    "on_time_verification": Decimal("0.2"),
    "on_time_check": Decimal("0.2"),
}
# Department score: 0.3 of each rate on top of the case-volume band (10..0).
DEPARTMENT_WEIGHTS = {
    "closure": Decimal("0.3"),
    "on_time_handling": Decimal("0.3"),
    "no_rework": Decimal("0.3"),
}
# Community (and grid) score: DOMAIN.md publishes no formula for places, so this is ours:
# 0.3 closure rate, 0.3 on-time closure rate, 0.2 satisfaction, 0.2 (100 − public-report
# rate). Closing cases, and on time, weighs most; residents' verdict and how few cases the
# patrols left for the public to find weigh the rest.
COMMUNITY_WEIGHTS = {
    "closure": Decimal("0.3"),
    "on_time_closure": Decimal("0.3"),
    "satisfaction": Decimal("0.2"),
    "no_public_report": Decimal("0.2"),
}
# Case-volume band: (at least this many cases handled in the period, points).
VOLUME_BANDS = ((500, 10), (200, 8), (100, 6), (50, 4), (10, 2), (0, 0))
GRADES = (
    (Decimal(90), Grade.A),
    (Decimal(75), Grade.B),
    (Decimal(60), Grade.C),
    (Decimal(40), Grade.D),
)
# The same bands as a scheme stores them: the lowest score of each letter above E.
GRADE_BANDS = {letter.value: int(floor) for floor, letter in GRADES}


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def percent(part: int, whole: int) -> Decimal | None:
    """part / whole × 100, two places; None when whole is 0."""
    if not whole:
        return None
    return _round(Decimal(part) * HUNDRED / Decimal(whole))


# Regions (grid, community, street, district) --------------------------------------------


def closure_rate(*, closed: int, filed: int, self_handled: int) -> Decimal | None:
    """closure rate = closed / due for closure × 100, where due for closure = filed +
    self-handled reports (a self-handled case enters at checking and is never filed)."""
    return percent(closed, filed + self_handled)


def on_time_closure_rate(*, closed_on_time: int, filed: int, self_handled: int) -> Decimal | None:
    """on-time closure rate = closed on time / due for closure × 100 (due for closure as in
    ``closure_rate``; a closure is on time when no stage of the case went red)."""
    return percent(closed_on_time, filed + self_handled)


def public_report_rate(*, public_filed: int, filed: int) -> Decimal | None:
    """public-report rate = filed cases reported by the public (12345 hotline, resident
    app or web, Open311: verified before filing) / filed × 100. High means patrols missed
    them."""
    return percent(public_filed, filed)


def community_score(
    *,
    closure: Decimal | None,
    on_time_closure: Decimal | None,
    satisfaction: Decimal | None,
    public_report: Decimal | None,
    weights: Mapping[str, Decimal] | None = None,
) -> Decimal | None:
    """community score (also used for a grid) = 0.3 × closure rate + 0.3 × on-time closure
    rate + 0.2 × satisfaction + 0.2 × (100 − public-report rate), two places.

    As in the grid-worker score, a part with nothing to measure (no rating in the period,
    say) is left out and the weights of the others are scaled up to sum to 1; None when no
    part has data."""
    weights = weights or getattr(settings, "ASSESSMENT_COMMUNITY_WEIGHTS", COMMUNITY_WEIGHTS)
    return _weighted_mean(
        {
            "closure": closure,
            "on_time_closure": on_time_closure,
            "satisfaction": satisfaction,
            "no_public_report": None if public_report is None else HUNDRED - public_report,
        },
        weights,
    )


# Departments ----------------------------------------------------------------------------


def handling_rate(*, handled: int, dispatched: int, reworks: int, returned: int) -> Decimal | None:
    """handling rate = handled / due for handling × 100, where due for handling = dispatched
    to it as lead + sent back to it for rework − returned by it to dispatch (each handle
    stage it kept ends in one submission)."""
    return percent(handled, dispatched + reworks - returned)


def on_time_handling_rate(*, handled_on_time: int, handled: int) -> Decimal | None:
    """on-time handling rate = handled on time / handled × 100."""
    return percent(handled_on_time, handled)


def rework_rate(*, reworks: int, handled: int) -> Decimal | None:
    """rework rate = reworks / handled × 100."""
    return percent(reworks, handled)


def department_closure_rate(*, closed: int, dispatched: int, returned: int) -> Decimal | None:
    """department closure rate = cases it led that were closed / cases it kept × 100, where
    cases kept = dispatched to it as lead − returned by it."""
    return percent(closed, dispatched - returned)


def volume_band(*, handled: int, bands: Sequence[tuple[int, int]] | None = None) -> int:
    """case-volume band = the points (10..0) of the first band whose threshold the number
    of cases handled in the period reaches; bands (threshold, points) from high to low,
    default ``VOLUME_BANDS`` (500 → 10, 200 → 8, 100 → 6, 50 → 4, 10 → 2, else 0)."""
    bands = bands or getattr(settings, "ASSESSMENT_VOLUME_BANDS", VOLUME_BANDS)
    return next((points for threshold, points in bands if handled >= threshold), 0)


def department_score(
    *,
    band: int,
    closure: Decimal | None,
    on_time_handling: Decimal | None,
    rework: Decimal | None,
    weights: Mapping[str, Decimal] | None = None,
) -> Decimal | None:
    """department score = case-volume band + 0.3 × closure rate + 0.3 × on-time handling
    rate + 0.3 × (100 − rework rate), two places, each rate capped at 100 (see
    :func:`capped`). None when the department had no case
    (any of the rates undefined)."""
    if closure is None or on_time_handling is None or rework is None:
        return None
    weights = weights or getattr(settings, "ASSESSMENT_DEPARTMENT_WEIGHTS", DEPARTMENT_WEIGHTS)
    return _round(
        Decimal(band)
        + weights["closure"] * capped(closure)
        + weights["on_time_handling"] * capped(on_time_handling)
        + weights["no_rework"] * (HUNDRED - capped(rework))
    )


# Grid workers ---------------------------------------------------------------------------


def valid_report_rate(*, valid_reports: int, reports: int) -> Decimal | None:
    """valid-report rate = valid reports / reports × 100 (reports made from patrol or
    self-handled; valid: filed, or self-handled and closed, and never voided or rejected)."""
    return percent(valid_reports, reports)


def missed_report_rate(*, public_filed: int, filed: int) -> Decimal | None:
    """missed-report rate = cases of one's grids reported by the public and filed / cases
    of one's grids filed × 100."""
    return percent(public_filed, filed)


def on_time_verification_rate(*, verifications_on_time: int, verifications: int) -> Decimal | None:
    """on-time verification rate = verifications done on time / verifications done × 100."""
    return percent(verifications_on_time, verifications)


def on_time_check_rate(*, checks_on_time: int, checks: int) -> Decimal | None:
    """on-time check rate = checks done on time / checks done × 100 (a check ends in a
    closure or a rework)."""
    return percent(checks_on_time, checks)


def patrol_coverage(*, covered_grids: int, assigned_grids: int) -> Decimal | None:
    """patrol coverage = grid-days patrolled / grid-days assigned × 100 (each day, each
    assigned grid, patrolled or not)."""
    return percent(covered_grids, assigned_grids)


def satisfaction_rate(*, rated: int, unsatisfied: int) -> Decimal | None:
    """satisfaction = ratings of 3 to 5 / ratings × 100 (1 and 2 are unsatisfied; a case
    evaluated without a rating does not count)."""
    return percent(rated - unsatisfied, rated)


def mean_rating(*, rating_sum: int, rated: int) -> Decimal | None:
    """mean rating = sum of ratings / ratings, on the 1..5 scale, two places."""
    if not rated:
        return None
    return _round(Decimal(rating_sum) / Decimal(rated))


def grid_worker_score(
    *,
    valid_report: Decimal | None,
    missed_report: Decimal | None,
    on_time_verification: Decimal | None,
    on_time_check: Decimal | None,
    weights: Mapping[str, Decimal] | None = None,
) -> Decimal | None:
    """grid-worker score = 0.4 × valid-report rate + 0.2 × (100 − missed-report rate) +
    0.2 × on-time verification rate + 0.2 × on-time check rate, two places.

    A part with nothing to measure (no verification in the period, say) is left out and
    the weights of the others are scaled up to sum to 1; None when no part has data."""
    weights = weights or getattr(settings, "ASSESSMENT_WORKER_WEIGHTS", WORKER_WEIGHTS)
    return _weighted_mean(
        {
            "valid_report": valid_report,
            "missed_report": None if missed_report is None else HUNDRED - missed_report,
            "on_time_verification": on_time_verification,
            "on_time_check": on_time_check,
        },
        weights,
    )


def capped(value: Decimal) -> Decimal:
    """``min(value, 100)``: the most a rate adds to a score."""
    return min(value, HUNDRED)


def _weighted_mean(
    parts: Mapping[str, Decimal | None], weights: Mapping[str, Decimal]
) -> Decimal | None:
    """Σ weight × min(part, 100) / Σ weight over the parts that have a value; None when
    none has. A part is capped at 100: a rate over one period passes 100 when cases from
    before it are closed in it, and a score must not reward that beyond full marks."""
    known = {name: capped(value) for name, value in parts.items() if value is not None}
    total = sum((Decimal(weights[name]) for name in known), Decimal(0))
    if not total:
        return None
    weighted = sum((Decimal(weights[name]) * value for name, value in known.items()), Decimal(0))
    return _round(weighted / total)


# Command centre -------------------------------------------------------------------------


def on_time_filing_rate(*, filed_on_time: int, filed: int) -> Decimal | None:
    """on-time filing rate = filed before the dispatch stage ran out / filed × 100."""
    return percent(filed_on_time, filed)


def accurate_filing_rate(*, filed: int, voided_after_filing: int) -> Decimal | None:
    """accurate filing = (filed − voided after filing) / filed × 100."""
    return percent(filed - voided_after_filing, filed)


def on_time_dispatch_rate(*, dispatched_on_time: int, dispatched: int) -> Decimal | None:
    """on-time dispatch rate = dispatched on time / dispatched × 100."""
    return percent(dispatched_on_time, dispatched)


def accurate_dispatch_rate(*, dispatched: int, reworks: int) -> Decimal | None:
    """accurate dispatch = (dispatched − reworks) / dispatched × 100 (DOMAIN.md's formula)."""
    return percent(dispatched - reworks, dispatched)


# Times and grades -----------------------------------------------------------------------


def mean_minutes(*, seconds: int, count: int) -> Decimal | None:
    """mean handling time = sum of handling seconds / cases timed / 60, in minutes with one
    decimal."""
    if not count:
        return None
    return (Decimal(seconds) / Decimal(count) / 60).quantize(Decimal("0.1"), ROUND_HALF_UP)


def grade(score: Decimal | None, bands: Mapping[str, int | Decimal] | None = None) -> str | None:
    """grade = A if score ≥ 90, B ≥ 75, C ≥ 60, D ≥ 40, else E; None without a score.
    ``bands`` (a scheme's: letter → lowest score of that letter) replaces the default."""
    if score is None:
        return None
    floors = (
        GRADES
        if bands is None
        else sorted(((Decimal(floor), letter) for letter, floor in bands.items()), reverse=True)
    )
    return next((str(letter) for floor, letter in floors if score >= floor), Grade.E.value)
