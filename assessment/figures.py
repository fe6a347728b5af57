"""Summing rollup rows into figures, and figures into indicators: the one place that knows
which columns each indicator reads. The scoped selectors (one scope), the rankings (many
subjects at once) and the monthly score job all go through here, so an indicator means
the same wherever it is shown.

``sums`` adds up a set of rows; ``sums_by`` does the same per subject in one grouped
query. The ``*_indicators`` functions turn one subject's figures into its indicators,
score and grade, with the weights and grade bands of a score scheme when given.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db.models import Model, Q, QuerySet, Sum

from assessment import indicators as ind
from assessment.histogram import BUCKET_FIELDS, median_minutes
from assessment.models import GridDay
from incidents.choices import PUBLIC_SOURCES, Source

_KEYS = {"id", "day", "district", "street", "community", "grid", "category", "source"}
_KEYS |= {"department", "worker"}

Weights = Mapping[str, Decimal] | None
Bands = Mapping[str, int | Decimal] | None


def count_fields(model: type[Model]) -> list[str]:
    """The summable figures of a rollup model (every column but its keys)."""
    return [field.name for field in model._meta.concrete_fields if field.name not in _KEYS]


def _expressions(model: type[Model]) -> dict[str, Any]:
    # Aliased: an aggregate named like a column would shadow the column for the extras.
    found = {f"sum_{name}": Sum(name) for name in count_fields(model)}
    if model is GridDay:
        # The two figures the region indicators need that no column holds.
        found["sum_public_filed"] = Sum("filed", filter=Q(source__in=PUBLIC_SOURCES))
        found["sum_self_handled"] = Sum("reported", filter=Q(source=Source.SELF_HANDLED))
    return found


def _clean(row: Mapping[str, Any]) -> dict[str, int]:
    return {
        name.removeprefix("sum_"): value or 0
        for name, value in row.items()
        if name.startswith("sum_")
    }


def sums(rows: QuerySet) -> dict[str, int]:
    """Every figure of ``rows`` (of one rollup model) added up, 0 where there is none."""
    return _clean(rows.aggregate(**_expressions(rows.model)))


def sums_by(rows: QuerySet, key: str) -> dict[int, dict[str, int]]:
    """Every figure of ``rows`` added up per value of ``key`` (``"grid_id"``,
    ``"worker_id"``…), in one grouped query; subjects without rows are absent."""
    grouped = rows.order_by().values(key).annotate(**_expressions(rows.model))
    return {row[key]: _clean(row) for row in grouped}


def place_indicators(f: Mapping[str, int], *, weights: Weights = None, bands: Bands = None):
    """Every indicator of a place (grid, community, street, district) from its GridDay
    sums, with the community score and grade (``ind.community_score``)."""
    due = {"filed": f["filed"], "self_handled": f["self_handled"]}
    found = {
        "closure_rate": ind.closure_rate(closed=f["closed"], **due),
        "on_time_closure_rate": ind.on_time_closure_rate(closed_on_time=f["closed_on_time"], **due),
        "public_report_rate": ind.public_report_rate(
            public_filed=f["public_filed"], filed=f["filed"]
        ),
        "on_time_filing_rate": ind.on_time_filing_rate(
            filed_on_time=f["filed_on_time"], filed=f["filed"]
        ),
        "accurate_filing_rate": ind.accurate_filing_rate(
            filed=f["filed"], voided_after_filing=f["voided_after_filing"]
        ),
        "on_time_dispatch_rate": ind.on_time_dispatch_rate(
            dispatched_on_time=f["dispatched_on_time"], dispatched=f["dispatched"]
        ),
        "accurate_dispatch_rate": ind.accurate_dispatch_rate(
            dispatched=f["dispatched"], reworks=f["reworks"]
        ),
        "on_time_verification_rate": ind.on_time_verification_rate(
            verifications_on_time=f["verified_on_time"], verifications=f["verified"]
        ),
        "on_time_check_rate": ind.on_time_check_rate(
            checks_on_time=f["checked_on_time"], checks=f["checked"]
        ),
        "satisfaction_rate": ind.satisfaction_rate(rated=f["rated"], unsatisfied=f["unsatisfied"]),
        "mean_rating": ind.mean_rating(rating_sum=f["rating_sum"], rated=f["rated"]),
        "mean_handling_minutes": ind.mean_minutes(
            seconds=f["handling_seconds"], count=f["handling_count"]
        ),
        "median_handling_minutes": median_minutes([f[name] for name in BUCKET_FIELDS]),
    }
    score = ind.community_score(
        closure=found["closure_rate"],
        on_time_closure=found["on_time_closure_rate"],
        satisfaction=found["satisfaction_rate"],
        public_report=found["public_report_rate"],
        weights=weights,
    )
    return {**found, "score": score, "grade": ind.grade(score, bands)}


def department_indicators(f: Mapping[str, int], *, weights: Weights = None, bands: Bands = None):
    """A department's handling indicators, volume band, score and grade from its
    DepartmentDay sums."""
    closure = ind.department_closure_rate(
        closed=f["closed"], dispatched=f["dispatched"], returned=f["returned"]
    )
    on_time = ind.on_time_handling_rate(handled_on_time=f["handled_on_time"], handled=f["handled"])
    rework = ind.rework_rate(reworks=f["reworks"], handled=f["handled"])
    band = ind.volume_band(handled=f["handled"])
    score = ind.department_score(
        band=band, closure=closure, on_time_handling=on_time, rework=rework, weights=weights
    )
    return {
        "handling_rate": ind.handling_rate(
            handled=f["handled"],
            dispatched=f["dispatched"],
            reworks=f["reworks"],
            returned=f["returned"],
        ),
        "on_time_handling_rate": on_time,
        "rework_rate": rework,
        "closure_rate": closure,
        "mean_handling_minutes": ind.mean_minutes(
            seconds=f["handling_seconds"], count=f["handling_count"]
        ),
        "volume_band": band,
        "score": score,
        "grade": ind.grade(score, bands),
    }


def worker_indicators(f: Mapping[str, int], *, weights: Weights = None, bands: Bands = None):
    """A grid worker's indicators, score and grade from their WorkerDay sums."""
    parts = {
        "valid_report": ind.valid_report_rate(
            valid_reports=f["valid_reports"], reports=f["reports"]
        ),
        "missed_report": ind.missed_report_rate(
            public_filed=f["grid_public_filed"], filed=f["grid_filed"]
        ),
        "on_time_verification": ind.on_time_verification_rate(
            verifications_on_time=f["verifications_on_time"], verifications=f["verifications"]
        ),
        "on_time_check": ind.on_time_check_rate(
            checks_on_time=f["checks_on_time"], checks=f["checks"]
        ),
    }
    score = ind.grid_worker_score(**parts, weights=weights)
    return {
        **{f"{name}_rate": value for name, value in parts.items()},
        "patrol_coverage": ind.patrol_coverage(
            covered_grids=f["covered_grids"], assigned_grids=f["assigned_grids"]
        ),
        "satisfaction_rate": ind.satisfaction_rate(
            rated=f["grid_rated"], unsatisfied=f["grid_unsatisfied"]
        ),
        "mean_rating": ind.mean_rating(rating_sum=f["grid_rating_sum"], rated=f["grid_rated"]),
        "score": score,
        "grade": ind.grade(score, bands),
    }


def empty(model: type[Model]) -> dict[str, int]:
    """The figures of a subject with no rollup row: every one 0."""
    return {name.removeprefix("sum_"): 0 for name in _expressions(model)}
