"""Reads of the assessment app, always for a user: the rollups restricted to the user's
reach, and every indicator of a scope and period computed from them (never from the raw
tickets). A scope outside the user's reach, or one that does not exist, answers 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from assessment import figures
from assessment.choices import PLACE_KINDS, ScopeKind, SubjectKind
from assessment.models import DepartmentDay, GridDay, GridDayTotal, ScoreScheme, WorkerDay
from assessment.scopes import Period, Scope
from grids.models import Community, District, Street
from grids.selectors import grid_list
from personnel.scope import scope_for
from personnel.selectors import department_list, worker_list


def grid_day_list(*, user) -> QuerySet[GridDay]:
    """Region rollup rows of the places the user works in."""
    scope = scope_for(user)
    if scope.is_empty:
        return GridDay.objects.none()
    return GridDay.objects.filter(scope.area_q())


def grid_day_total_list(*, user) -> QuerySet[GridDayTotal]:
    """Per-grid day totals of the places the user works in."""
    scope = scope_for(user)
    if scope.is_empty:
        return GridDayTotal.objects.none()
    return GridDayTotal.objects.filter(scope.area_q())


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


def place_visible(user, scope: Scope) -> bool:
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


def _scheme(kind: str, period: Period) -> dict[str, Any]:
    """The weights and grade bands in force at the end of ``period``, as keyword arguments
    of the ``figures`` indicator builders."""
    scheme = ScoreScheme.objects.in_force(kind=kind, on=period.last)
    return {"weights": scheme.decimal_weights, "bands": scheme.grade_bands}


def _place(user, scope: Scope, period: Period) -> dict[str, Any]:
    if not place_visible(user, scope):
        raise Http404(_("No such place in your scope."))
    # The per-grid totals, not GridDay: a district's month is ~7,000 rows, not ~600,000.
    rows = GridDayTotal.objects.filter(
        **{f"{scope.kind}_id": scope.id}, day__gte=period.first, day__lte=period.last
    )
    f = figures.sums(rows)
    scheme = _scheme(SubjectKind.COMMUNITY, period)
    return {"figures": f, "indicators": figures.place_indicators(f, **scheme)}


def _department(user, scope: Scope, period: Period) -> dict[str, Any]:
    if not department_list(user=user).filter(pk=scope.id).exists():
        raise Http404(_("No such department in your scope."))
    rows = DepartmentDay.objects.filter(
        department_id=scope.id, day__gte=period.first, day__lte=period.last
    )
    f = figures.sums(rows)
    scheme = _scheme(SubjectKind.DEPARTMENT, period)
    return {"figures": f, "indicators": figures.department_indicators(f, **scheme)}


def _worker(user, scope: Scope, period: Period) -> dict[str, Any]:
    worker_user = (
        worker_list(user=user).filter(pk=scope.id).values_list("user_id", flat=True).first()
    )
    if worker_user is None:
        raise Http404(_("No such grid worker in your scope."))
    rows = WorkerDay.objects.filter(
        worker_id=worker_user, day__gte=period.first, day__lte=period.last
    )
    f = figures.sums(rows)
    scheme = _scheme(SubjectKind.WORKER, period)
    return {"figures": f, "indicators": figures.worker_indicators(f, **scheme)}


def indicators_for(*, user, scope: Scope, period: Period) -> dict[str, Any]:
    """Every indicator of ``scope`` over ``period``, with the summed figures they come from:
    for a place, the region, command-centre and service indicators and the community score;
    for a department, its handling indicators and score; for a grid worker, theirs and
    their score. Scores and grades use the score scheme in force at the end of the period.
    Http404 when the scope does not exist or lies outside the user's reach."""
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
