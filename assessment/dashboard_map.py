"""The dashboard's map and workload reads: grids coloured by an indicator (from the region
rollup), the heat layer of the period's reported cases, and the workers' open tasks against
their patrol hours."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, F, FloatField, Q, Sum
from django.db.models.functions import Cast, Round
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from assessment import indicators as ind
from assessment.choices import ScopeKind
from assessment.scopes import Period, Scope
from assessment.selectors import grid_day_total_list, worker_day_list
from assessment.services.events import day_bounds
from grids.geojson import grid_feature
from grids.selectors import grid_list
from incidents.choices import Action
from incidents.models import TicketEvent
from incidents.selectors import ticket_list
from personnel.selectors_workload import workload_list

# The indicators a map can colour grids by: (label, higher is better).
MAP_METRICS = {
    "reported": (_("Cases reported"), False),
    "closure_rate": (_("Closure rate"), True),
    "on_time_closure_rate": (_("On-time closure rate"), True),
    "public_report_rate": (_("Public-report rate"), False),
    "overdue": (_("Stages overdue"), False),
}
FIGURES = (
    "reported",
    "filed",
    "closed",
    "closed_on_time",
    "overdue",
    "public_filed",
    "self_handled",
)
HEAT_CELL = 500  # cells of 1/500 degree (about 200 m) a side
HEAT_CELL_LIMIT = 5000
WORKLOAD_ROWS = 15


def _within(scope: Scope, path: str = "") -> Q:
    return Q(**{f"{path}{scope.kind}_id": scope.id})


# Each grid's feature names its community and street; their own outlines, decoded again
# for every grid of the map, took most of the map's time.
_PARENT_SHAPES = tuple(
    f"{parent}__{field}" for parent in ("community", "street") for field in ("boundary", "bbox")
)


def grid_map(user, scope: Scope, period: Period, metric: str) -> dict[str, Any]:
    """The grids of a place scope as GeoJSON features, each with ``value`` (``metric``
    over ``period``, from the rollup; rates by the indicator formulas) and the link to its
    own dashboard."""
    place = Q(pk=scope.id) if scope.kind == ScopeKind.GRID else _within(scope)
    grids = list(
        grid_list(user=user)
        .filter(place)
        .select_related("community", "street")
        .defer(*_PARENT_SHAPES)
        .order_by("code")
    )
    figures = {
        row["grid_id"]: row
        for row in grid_day_total_list(user=user)
        .filter(
            grid_id__in=[grid.pk for grid in grids], day__gte=period.first, day__lte=period.last
        )
        .values("grid_id")
        # Aliased: an aggregate named like a column would shadow it for the next one.
        .annotate(**{f"sum_{name}": Sum(name) for name in FIGURES})
        .order_by()
    }
    features = []
    for grid in grids:
        feature = grid_feature(grid)
        feature["properties"].update(
            value=_metric(metric, figures.get(grid.pk)),
            url=f"{reverse('assessment:dashboard')}?scope=grid:{grid.pk}&period={period.label}",
        )
        features.append(feature)
    label, higher_is_better = MAP_METRICS[metric]
    return {
        "type": "FeatureCollection",
        "features": features,
        "metric": {"key": metric, "label": str(label), "higher_is_better": higher_is_better},
    }


def _metric(metric: str, row: dict | None) -> float | None:
    """A grid's value of ``metric`` from its summed figures (rates by the indicator
    formulas); JSON wants floats."""
    f = {name: (row or {}).get(f"sum_{name}") or 0 for name in FIGURES}
    if metric in ("reported", "overdue"):
        return float(f[metric])
    due = {"filed": f["filed"], "self_handled": f["self_handled"]}
    if metric == "public_report_rate":
        value = ind.public_report_rate(public_filed=f["public_filed"], filed=f["filed"])
    elif metric == "closure_rate":
        value = ind.closure_rate(closed=f["closed"], **due)
    else:
        value = ind.on_time_closure_rate(closed_on_time=f["closed_on_time"], **due)
    return None if value is None else float(value)


def heat_cells(user, scope: Scope, period: Period) -> list[list[float]]:
    """Cases reported in ``period`` in a place scope, counted per cell of 1/500 degree:
    ``[lat, lng, count]`` of each cell's centre. This reads the report events themselves
    (the rollup keeps no coordinates); the map fetches it after the page has loaded."""
    start, end = day_bounds(period.first, period.last)
    tickets = ticket_list(user=user).filter(_within(scope))
    cells = (
        TicketEvent.objects.filter(
            action=Action.REPORT, at__gte=start, at__lt=end, ticket__in=tickets
        )
        .annotate(
            cell_lat=Round(Cast(F("ticket__lat"), FloatField()) * HEAT_CELL),
            cell_lng=Round(Cast(F("ticket__lng"), FloatField()) * HEAT_CELL),
        )
        .values("cell_lat", "cell_lng")
        .annotate(cases=Count("pk"))
        .order_by("-cases")[:HEAT_CELL_LIMIT]
    )
    return [
        [row["cell_lat"] / HEAT_CELL, row["cell_lng"] / HEAT_CELL, row["cases"]] for row in cells
    ]


def workload(user, scope: Scope, period: Period) -> list[dict[str, Any]]:
    """The grid workers of a place scope with the most open tasks now, and the hours they
    patrolled over ``period`` (from the worker rollup): the load the seeds complain of."""
    workers = workload_list(user=user)
    if scope.kind == ScopeKind.DISTRICT:
        workers = workers.filter(street__district_id=scope.id)
    elif scope.kind == ScopeKind.STREET:
        workers = workers.filter(street_id=scope.id)
    else:
        field = "grid_id" if scope.kind == ScopeKind.GRID else "grid__community_id"
        workers = workers.filter(
            **{f"assignments__{field}": scope.id, "assignments__until__isnull": True}
        ).distinct()
    rows = list(workers.order_by("-open_tasks", "user__username")[:WORKLOAD_ROWS])
    seconds = dict(
        worker_day_list(user=user)
        .filter(
            worker_id__in=[row.user_id for row in rows],
            day__gte=period.first,
            day__lte=period.last,
        )
        .values("worker_id")
        .annotate(total=Sum("patrol_seconds"))
        .values_list("worker_id", "total")
        .order_by()
    )
    return [
        {
            "worker": row,
            "name": row.user.get_full_name() or row.user.username,
            "open_tasks": row.open_tasks or 0,
            "patrol_hours": (Decimal(seconds.get(row.user_id) or 0) / 3600).quantize(
                Decimal("0.1")
            ),
        }
        for row in rows
    ]
