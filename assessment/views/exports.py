"""The monthly report of a dashboard as an XLSX workbook, with the very numbers the page
shows: the KPI tiles against the previous period, the late panel, the weekly trend and
the rankings."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from assessment import dashboard
from assessment.choices import PLACE_KINDS
from assessment.views.common import asked
from gridgov.exports import as_xlsx_book
from incidents.choices import Source

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TILE_COLUMNS = (
    ("label", gettext_lazy("Indicator")),
    ("value", gettext_lazy("Value")),
    ("previous", gettext_lazy("Previous period")),
    ("change", gettext_lazy("Change")),
)
LATE_COLUMNS = (("label", gettext_lazy("Figure")), ("value", gettext_lazy("Value")))


def _trend_columns():
    return (
        ("week", gettext_lazy("Week from")),
        *((f"source_{value}", label) for value, label in Source.choices),
        ("reported", gettext_lazy("Reported")),
        ("on_time", gettext_lazy("Closures on time, percent of closures")),
        ("satisfaction", gettext_lazy("Satisfied, percent of ratings")),
    )


@login_required
@require_safe
def report_xlsx(request: HttpRequest) -> HttpResponse:
    """The asked scope and period's report (404 outside the user's reach)."""
    shown = asked(request)
    scope, period = shown.scope, shown.period
    board = dashboard.tiles(request.user, scope, period)
    tiles = [
        {
            "label": str(row["tile"].label),
            "value": row["value"],
            "previous": row["previous"],
            "change": row["change"],
        }
        for row in board["tiles"]
    ]
    sheets = [(_("Indicators"), tiles, TILE_COLUMNS)]
    if scope.kind in PLACE_KINDS:
        late = [{"label": str(row["label"]), "value": row["value"]} for row in board["late"]]
        trend = [
            {
                "week": f"{week['start']:%Y-%m-%d}",
                **{f"source_{source}": n for source, n in week["by_source"].items()},
                "reported": week["reported"],
                "on_time": week["on_time"],
                "satisfaction": week["satisfaction"],
            }
            for week in dashboard.weekly_trend(request.user, scope, period.last)
        ]
        sheets += [
            (_("Late and escalated"), late, LATE_COLUMNS),
            (_("Weekly"), trend, _trend_columns()),
        ]
    response = HttpResponse(as_xlsx_book(sheets), content_type=XLSX)
    name = f"assessment-{scope.kind}-{scope.id}-{period.label}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
