"""Reads of the assessment app, always for a user: the rollups restricted to the user's
reach, and every indicator of a scope and period computed from them (never from the raw
tickets). A scope outside the user's reach, or one that does not exist, answers 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from assessment import indicators as ind
from assessment.choices import PLACE_KINDS, ScopeKind
from assessment.histogram import BUCKET_FIELDS, median_minutes
from assessment.models import DepartmentDay, GridDay, WorkerDay
from assessment.scopes import Period, Scope
from grids.models import Community, District, Street
from grids.selectors import grid_list
from incidents.choices import PUBLIC_SOURCES, Source
from personnel.scope import scope_for
from personnel.selectors import department_list, worker_list

_ROLLUP_KEYS = {"id", "day", "district", "street", "community", "grid", "category", "source"}


def _counts(model) -> list[str]:
    return [
        field.name
        for field in model._meta.concrete_fields
        if field.name not in _ROLLUP_KEYS | {"department", "worker"}
    ]


def grid_day_list(*, user) -> QuerySet[GridDay]:
    """Region rollup rows of the places the user works in."""
    scope = scope_for(user)
    if scope.is_empty:
        return GridDay.objects.none()
    return GridDay.objects.filter(scope.area_q())


def department_day_list(*, user) -> QuerySet[DepartmentDay]:
    """Department rollup rows of the departments in the user's reach."""
    return DepartmentDay.objects.filter(department__in=department_list(user=user).values("pk"))


def worker_day_list(*, user) -> QuerySet[WorkerDay]:
    """Worker rollup rows: the user's own, and those of the workers in the user's reach."""
    if not getattr(user, "is_authenticated", False):
        return WorkerDay.objects.none()
    return WorkerDay.objects.filter(
        Q(worker=user) | Q(worker_id__in=worker_list(user=user).values("user_id"))
    )


def _sums(rows: QuerySet, names: list[str], **extra: Any) -> dict[str, int]:
    # Aliased: an aggregate named like a column would shadow the column for ``extra``.
    found = rows.aggregate(
        **{f"sum_{name}": Sum(name) for name in names},
        **{f"sum_{name}": expression for name, expression in extra.items()},
    )
    return {name.removeprefix("sum_"): value or 0 for name, value in found.items()}


def _place_visible(user, scope: Scope) -> bool:
    """Whether the place exists and the user works in it or above it (the places above
    one's own are shown for context only: they give no access to their figures)."""
    if scope.kind == ScopeKind.GRID:
        return grid_list(user=user).filter(pk=scope.id).exists()
    reach = scope_for(user)
    if scope.kind == ScopeKind.DISTRICT:
        return District.objects.filter(pk=scope.id).exists() and (
            reach.is_global or scope.id in reach.district_ids
        )
    if scope.kind == ScopeKind.STREET:
        district_id = (
            Street.objects.filter(pk=scope.id).values_list("district_id", flat=True).first()
        )
        return district_id is not None and reach.covers_street(scope.id, district_id)
    found = (
        Community.objects.filter(pk=scope.id)
        .values_list("street_id", "street__district_id")
        .first()
    )
    return found is not None and (scope.id in reach.community_ids or reach.covers_street(*found))


def _place(user, scope: Scope, period: Period) -> dict[str, Any]:
    if not _place_visible(user, scope):
        raise Http404(_("No such place in your scope."))
    rows = GridDay.objects.filter(
        **{f"{scope.kind}_id": scope.id}, day__gte=period.first, day__lte=period.last
    )
    figures = _sums(
        rows,
        _counts(GridDay),
        public_filed=Sum("filed", filter=Q(source__in=PUBLIC_SOURCES)),
        self_handled=Sum("reported", filter=Q(source=Source.SELF_HANDLED)),
    )
    f = figures
    due = {"filed": f["filed"], "self_handled": f["self_handled"]}
    return {
        "figures": figures,
        "indicators": {
            "closure_rate": ind.closure_rate(closed=f["closed"], **due),
            "on_time_closure_rate": ind.on_time_closure_rate(
                closed_on_time=f["closed_on_time"], **due
            ),
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
            "satisfaction_rate": ind.satisfaction_rate(
                rated=f["rated"], unsatisfied=f["unsatisfied"]
            ),
            "mean_rating": ind.mean_rating(rating_sum=f["rating_sum"], rated=f["rated"]),
            "mean_handling_minutes": ind.mean_minutes(
                seconds=f["handling_seconds"], count=f["handling_count"]
            ),
            "median_handling_minutes": median_minutes([f[name] for name in BUCKET_FIELDS]),
        },
    }


def _department(user, scope: Scope, period: Period) -> dict[str, Any]:
    if not department_list(user=user).filter(pk=scope.id).exists():
        raise Http404(_("No such department in your scope."))
    rows = DepartmentDay.objects.filter(
        department_id=scope.id, day__gte=period.first, day__lte=period.last
    )
    f = _sums(rows, _counts(DepartmentDay))
    closure = ind.department_closure_rate(
        closed=f["closed"], dispatched=f["dispatched"], returned=f["returned"]
    )
    on_time = ind.on_time_handling_rate(handled_on_time=f["handled_on_time"], handled=f["handled"])
    rework = ind.rework_rate(reworks=f["reworks"], handled=f["handled"])
    band = ind.volume_band(handled=f["handled"])
    score = ind.department_score(
        band=band, closure=closure, on_time_handling=on_time, rework=rework
    )
    return {
        "figures": f,
        "indicators": {
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
            "grade": ind.grade(score),
        },
    }


def _worker(user, scope: Scope, period: Period) -> dict[str, Any]:
    worker_user = (
        worker_list(user=user).filter(pk=scope.id).values_list("user_id", flat=True).first()
    )
    if worker_user is None:
        raise Http404(_("No such grid worker in your scope."))
    rows = WorkerDay.objects.filter(
        worker_id=worker_user, day__gte=period.first, day__lte=period.last
    )
    f = _sums(rows, _counts(WorkerDay))
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
    score = ind.grid_worker_score(**parts)
    return {
        "figures": f,
        "indicators": {
            **{f"{name}_rate": value for name, value in parts.items()},
            "patrol_coverage": ind.patrol_coverage(
                covered_grids=f["covered_grids"], assigned_grids=f["assigned_grids"]
            ),
            "satisfaction_rate": ind.satisfaction_rate(
                rated=f["grid_rated"], unsatisfied=f["grid_unsatisfied"]
            ),
            "mean_rating": ind.mean_rating(rating_sum=f["grid_rating_sum"], rated=f["grid_rated"]),
            "score": score,
            "grade": ind.grade(score),
        },
    }


def indicators_for(*, user, scope: Scope, period: Period) -> dict[str, Any]:
    """Every indicator of ``scope`` over ``period``, with the summed figures they come from:
    for a place, the region, command-centre and service indicators; for a department, its
    handling indicators and score; for a grid worker, theirs and their score. Http404 when
    the scope does not exist or lies outside the user's reach."""
    if not getattr(user, "is_authenticated", False):
        raise Http404(_("No such scope in your reach."))
    if scope.kind in PLACE_KINDS:
        found = _place(user, scope, period)
    elif scope.kind == ScopeKind.DEPARTMENT:
        found = _department(user, scope, period)
    else:
        found = _worker(user, scope, period)
    return {
        "scope": str(scope),
        "period": period.label,
        "first": period.first,
        "last": period.last,
        **found,
    }
