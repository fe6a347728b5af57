"""The supervisors' dashboard: KPI tiles against the previous period, weekly trends, the
late panel, rankings, the map with a heat layer, and the workers' load; every count links
to the cases behind it. It reads the rollups only (the heat layer, fetched by the map after
the page, reads the report events)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from assessment import charts, dashboard, dashboard_map
from assessment.choices import PLACE_KINDS, ScopeKind
from assessment.forecasts import forecast_for
from assessment.rankings import rankings_for
from assessment.scopes import Period, Scope
from assessment.selectors import place_visible
from assessment.views.common import asked
from incidents.choices import Source
from incidents.views.common import map_settings

RANKING_ROWS = 10
RANKINGS = (
    ("grid", gettext_lazy("Grids")),
    ("worker", gettext_lazy("Grid workers")),
    ("department", gettext_lazy("Departments")),
)


def _rankings(user, scope: Scope, period: Period) -> list[dict]:
    """The best and the rest of what lies within a place: grids, workers and (within a
    district or street) departments, each cut to its first rows."""
    shown = []
    for kind, label in RANKINGS:
        if kind == "department" and scope.kind not in (ScopeKind.DISTRICT, ScopeKind.STREET):
            continue
        rows = rankings_for(user=user, kind=kind, within=scope, period=period)
        shown.append(
            {"kind": kind, "label": label, "rows": rows[:RANKING_ROWS], "total": len(rows)}
        )
    return shown


FORECAST_ROWS = 10


def _forecast(user, scope: Scope) -> dict:
    """The scope's coming week: the series expected to bring the most cases, the hotspots,
    and how the model did against last week's numbers on the held-out weeks."""
    found = forecast_for(user=user, within=scope)
    busiest = sorted(found["series"], key=lambda s: -s["total"]["expected"])[:FORECAST_ROWS]
    return {
        **found,
        "busiest": busiest,
        "hotspots": found["hotspots"][:FORECAST_ROWS],
        "from": found["today"],
        "until": found["today"] + timedelta(days=6),
    }


@login_required
@require_safe
def dashboard_page(request: HttpRequest) -> HttpResponse:
    """The dashboard of the asked scope and period (by default the user's widest place
    and this month); a scope outside the user's reach is a 404."""
    shown = asked(request)
    scope, period = shown.scope, shown.period
    metric = request.GET.get("metric", "closure_rate")
    if metric not in dashboard_map.MAP_METRICS:
        metric = "closure_rate"
    board = dashboard.tiles(request.user, scope, period)
    context = {
        "scope": scope,
        "scope_value": str(scope),
        "scope_label": dashboard.scope_label(scope),
        "period": period,
        "errors": shown.errors,
        "scope_choices": dashboard.scope_choices(request.user),
        "period_choices": dashboard.period_choices(timezone.localdate()),
        "board": board,
        "is_place": scope.kind in PLACE_KINDS,
        "metric": metric,
        "metrics": [(key, label) for key, (label, _better) in dashboard_map.MAP_METRICS.items()],
    }
    if scope.kind in PLACE_KINDS:
        trend = dashboard.weekly_trend(request.user, scope, period.last)
        context.update(
            volume_chart=charts.stacked_weeks(trend),
            rate_chart=charts.week_lines(trend, ("on_time", "satisfaction")),
            sources=[(str(label), charts.SOURCE_COLOURS[value]) for value, label in Source.choices],
            map_data=dashboard_map.grid_map(request.user, scope, period, metric),
            workload=charts.workload_bars(dashboard_map.workload(request.user, scope, period)),
            rankings=_rankings(request.user, scope, period),
            forecast=_forecast(request.user, scope),
            **map_settings(),
        )
    return render(request, "assessment/dashboard.html", context)


@login_required
@require_safe
def heat_layer(request: HttpRequest) -> JsonResponse:
    """The heat layer's cells for the asked place scope and period (404 outside reach)."""
    shown = asked(request)
    if shown.scope.kind not in PLACE_KINDS or not place_visible(request.user, shown.scope):
        raise Http404
    cells = dashboard_map.heat_cells(request.user, shown.scope, shown.period)
    return JsonResponse({"cells": cells})
