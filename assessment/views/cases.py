"""The cases behind a dashboard number: the very events a rollup figure counts (those whose
facts it counted; for stages overdue, the red alerts), in the scope and period, so that
the list has exactly as many rows as the number said (when the rollups are current)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from assessment.choices import PLACE_KINDS
from assessment.models import EventFact, GridDay
from assessment.selectors import place_visible
from assessment.services.events import day_bounds
from assessment.services.grid_days import counted_events
from assessment.views.common import Asked, asked
from incidents.choices import PUBLIC_SOURCES, Action, SlaColour
from incidents.models import StageAlert, TicketEvent

PAGE_SIZE = 50
OVERDUE = "overdue"
# Figures a rate reads that the rollup sums by source rather than counting them itself.
DERIVED = {
    "public_filed": (
        Q(action=Action.FILE, source__in=PUBLIC_SOURCES),
        gettext_lazy("public reports filed"),
    ),
}


def figure_label(figure: str):
    if figure == OVERDUE or figure not in DERIVED:
        return GridDay._meta.get_field(figure).verbose_name
    return DERIVED[figure][1]


def figure_rows(shown: Asked, figure: str) -> QuerySet:
    """The events (or red alerts) behind ``figure`` of a place scope over a period; the
    conditions are the rollup's own (``counted_events``, on the facts it counted)."""
    scope, period = shown.scope, shown.period
    if figure == OVERDUE:
        start, end = day_bounds(period.first, period.last)
        return StageAlert.objects.filter(
            colour=SlaColour.RED,
            at__gte=start,
            at__lt=end,
            **{f"ticket__{scope.kind}_id": scope.id},
        ).select_related("ticket__grid", "ticket__category")
    conditions = {**counted_events(), **{name: q for name, (q, _label) in DERIVED.items()}}
    if figure not in conditions:
        raise Http404
    counted = EventFact.objects.filter(
        conditions[figure],
        day__gte=period.first,
        day__lte=period.last,
        **{f"{scope.kind}_id": scope.id},
    )
    return TicketEvent.objects.filter(pk__in=counted.values("event_id")).select_related(
        "ticket__grid", "ticket__category", "actor"
    )


@login_required
@require_safe
def figure_cases(request: HttpRequest) -> HttpResponse:
    """One page of the cases behind ``figure`` in the asked scope and period."""
    shown = asked(request)
    figure = request.GET.get("figure", "")
    if shown.scope.kind not in PLACE_KINDS or not place_visible(request.user, shown.scope):
        raise Http404
    rows = figure_rows(shown, figure).order_by("at", "pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "shown": shown,
        "figure": figure,
        "figure_label": figure_label(figure),
        "page": page,
        "is_alert": figure == OVERDUE,
    }
    return render(request, "assessment/cases.html", context)
