"""Rankings with grades: grids, communities, departments and grid workers of what a user
sees, ranked by their score over any period, computed live from the rollups.

Each kind reads its subjects through its selector and the figures of all of them in one
grouped query; scores use the scheme in force at the end of the period (grids that of
communities: ``ind.community_score`` at grid level).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from assessment import figures
from assessment.choices import PLACE_KINDS, RankingKind, ScopeKind, SubjectKind
from assessment.models import DepartmentDay, GridDayTotal, ScoreScheme, WorkerDay
from assessment.scopes import Period, Scope
from assessment.selectors import place_visible
from grids.selectors import community_list, grid_list
from personnel.models import GridAssignment
from personnel.scope import scope_for
from personnel.selectors import department_list, worker_list

# The indicators each ranking shows, and the counts behind them.
_PLACE_KEYS = (
    ("closure_rate", "on_time_closure_rate", "satisfaction_rate", "public_report_rate"),
    ("filed", "self_handled", "closed", "closed_on_time", "rated", "unsatisfied", "public_filed"),
)
_KEYS = {
    RankingKind.GRID: _PLACE_KEYS,
    RankingKind.COMMUNITY: _PLACE_KEYS,
    RankingKind.DEPARTMENT: (
        ("handling_rate", "on_time_handling_rate", "rework_rate", "closure_rate", "volume_band"),
        ("dispatched", "returned", "reworks", "handled", "handled_on_time", "closed"),
    ),
    RankingKind.WORKER: (
        (
            "valid_report_rate",
            "missed_report_rate",
            "on_time_verification_rate",
            "on_time_check_rate",
            "patrol_coverage",
        ),
        (
            "reports",
            "valid_reports",
            "grid_filed",
            "grid_public_filed",
            "verifications",
            "verifications_on_time",
            "checks",
            "checks_on_time",
        ),
    ),
}


def _refuse(what: str) -> ValidationError:
    return ValidationError(
        {"scope": _("%(what)s cannot be ranked within that scope.") % {"what": what}},
        code="invalid",
    )


def _grids(user, within: Scope | None) -> QuerySet:
    grids = grid_list(user=user)
    if within is None:
        return grids
    if within.kind not in PLACE_KINDS:
        raise _refuse(_("Grids"))
    return grids.filter(
        **{"pk" if within.kind == ScopeKind.GRID else f"{within.kind}_id": within.id}
    )


# The community, department and worker columns that put them inside a place.
_COMMUNITY_IN = {
    ScopeKind.DISTRICT: "street__district_id",
    ScopeKind.STREET: "street_id",
    ScopeKind.COMMUNITY: "pk",
}
_DEPARTMENT_IN = {ScopeKind.DISTRICT: "district_id", ScopeKind.STREET: "street_id"}
_EMPLOYED_IN = {ScopeKind.DISTRICT: "street__district_id", ScopeKind.STREET: "street_id"}


def _communities(user, within: Scope | None) -> QuerySet:
    reach = scope_for(user)
    communities = community_list(user=user)
    if not reach.is_global:
        # Not the communities above one's grids: those are shown for context only.
        communities = communities.filter(
            Q(pk__in=reach.community_ids)
            | Q(street_id__in=reach.street_ids)
            | Q(street__district_id__in=reach.district_ids)
        )
    if within is None:
        return communities
    if within.kind not in _COMMUNITY_IN:
        raise _refuse(_("Communities"))
    return communities.filter(**{_COMMUNITY_IN[within.kind]: within.id})


def _departments(user, within: Scope | None) -> QuerySet:
    departments = department_list(user=user)
    if within is None:
        return departments
    if within.kind not in _DEPARTMENT_IN:
        raise _refuse(_("Departments"))
    return departments.filter(**{_DEPARTMENT_IN[within.kind]: within.id})


def _workers(user, within: Scope | None) -> QuerySet:
    """Workers in reach; within a place, those assigned now to a grid in it, and for a
    street or district also those it employs."""
    workers = worker_list(user=user)
    if within is None:
        return workers
    if within.kind not in PLACE_KINDS:
        raise _refuse(_("Grid workers"))
    column = "grid_id" if within.kind == ScopeKind.GRID else f"grid__{within.kind}_id"
    assigned = GridAssignment.objects.filter(**{column: within.id}, until__isnull=True)
    employed = Q(**{_EMPLOYED_IN[within.kind]: within.id}) if within.kind in _EMPLOYED_IN else Q()
    in_place = Q(pk__in=assigned.values("worker_id"))
    return workers.filter(in_place | employed if employed else in_place)


def _label(kind: str, subject) -> tuple[int, str, str]:
    if kind == RankingKind.WORKER:
        return subject.user_id, subject.employee_number, str(subject.user)
    return subject.pk, subject.code, subject.name


# kind → (subjects, rollup rows, their subject column, the subject's key, builder, scheme)
_SOURCES: dict[str, tuple[Callable, Any, str, str, Callable, str]] = {
    RankingKind.GRID: (
        _grids,
        GridDayTotal,
        "grid_id",
        "pk",
        figures.place_indicators,
        SubjectKind.COMMUNITY,
    ),
    RankingKind.COMMUNITY: (
        _communities,
        GridDayTotal,
        "community_id",
        "pk",
        figures.place_indicators,
        SubjectKind.COMMUNITY,
    ),
    RankingKind.DEPARTMENT: (
        _departments,
        DepartmentDay,
        "department_id",
        "pk",
        figures.department_indicators,
        SubjectKind.DEPARTMENT,
    ),
    RankingKind.WORKER: (
        _workers,
        WorkerDay,
        "worker_id",
        "user_id",
        figures.worker_indicators,
        SubjectKind.WORKER,
    ),
}


def _ranked(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Best score first (no score last, then by code); equal scores share a rank (1, 2, 2,
    4); no score, no rank."""
    rows.sort(key=lambda row: (row["score"] is None, -(row["score"] or Decimal(0)), row["code"]))
    previous, rank = None, 0
    for position, row in enumerate(rows, 1):
        if row["score"] is None:
            row["rank"] = None
            continue
        if row["score"] != previous:
            rank, previous = position, row["score"]
        row["rank"] = rank
    return rows


def rankings_for(*, user, kind: str, within: Scope | None, period: Period) -> list[dict[str, Any]]:
    """The ``kind`` ("grid", "community", "department" or "worker") subjects the user sees,
    inside ``within`` when given (a place; for departments a district or street), ranked
    best first by their score over ``period``. Each row: ``rank`` (None without a score),
    ``id`` (a worker's user id), ``code``, ``label``, ``score`` (Decimal or None),
    ``grade``, ``indicators`` (the 4-5 key indicators) and ``counts`` (the figures behind
    them). Subjects with no activity in the period are listed last, without a score.

    ValidationError for an unknown kind or a ``within`` that does not fit it; Http404 when
    ``within`` lies outside the user's reach. Three or four queries whatever the size."""
    if kind not in RankingKind.values:
        raise ValidationError(
            {
                "kind": _("Unknown ranking %(kind)s: use one of %(kinds)s.")
                % {"kind": kind, "kinds": ", ".join(RankingKind.values)}
            },
            code="invalid",
        )
    if not getattr(user, "is_authenticated", False):
        return []
    if within is not None and within.kind in PLACE_KINDS and not place_visible(user, within):
        raise Http404(_("No such place in your scope."))
    subjects_of, model, column, key, build, scheme_kind = _SOURCES[kind]
    chosen = subjects_of(user, within)
    rows = model.objects.filter(
        **{f"{column}__in": chosen.values(key)}, day__gte=period.first, day__lte=period.last
    )
    found = figures.sums_by(rows, column)
    # A place's label is its code and name: its boundary (GeoJSON) is left unread.
    subjects = list(
        chosen
        if kind == RankingKind.WORKER
        else chosen.select_related(None).only("pk", "code", "name")
    )
    scheme = ScoreScheme.objects.in_force(kind=scheme_kind, on=period.last)
    weights, bands = scheme.decimal_weights, scheme.grade_bands
    shown, counted = _KEYS[kind]
    blank = figures.empty(model)
    ranking = []
    for subject in subjects:
        subject_id, code, label = _label(kind, subject)
        f = found.get(getattr(subject, key), blank)
        values = build(f, weights=weights, bands=bands)
        ranking.append(
            {
                "id": subject_id,
                "code": code,
                "label": label,
                "score": values["score"],
                "grade": values["grade"],
                "indicators": {name: values[name] for name in shown},
                "counts": {name: f[name] for name in counted},
            }
        )
    return _ranked(ranking)
