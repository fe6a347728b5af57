"""The map of open tickets over the grids of the user's scope."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from grids.geojson import feature_collection
from grids.selectors import grid_list
from incidents import selectors
from incidents.choices import FINAL_STATUSES, SlaColour, Status
from incidents.views.common import SLA_COLOURS, map_settings, urgency_order

# A browser draws a few thousand markers smoothly; beyond that the queue is the better tool.
MAP_TICKET_LIMIT = 2000
# Above this many grids in scope only the grids holding a shown ticket are drawn.
MAP_GRID_LIMIT = 500


@login_required
@require_safe
def ticket_map(request: HttpRequest) -> HttpResponse:
    """Open tickets (not in a final status) as markers coloured by SLA colour, at most the
    2,000 most urgent (the page says when there are more), over the user's grids."""
    user = request.user
    open_tickets = selectors.ticket_list(user=user).exclude(status__in=FINAL_STATUSES)
    rows = list(
        open_tickets.order_by(*urgency_order()).values(
            "pk", "number", "title", "lat", "lng", "sla_colour", "status", "grid_id"
        )[: MAP_TICKET_LIMIT + 1]
    )
    capped = len(rows) > MAP_TICKET_LIMIT
    rows = rows[:MAP_TICKET_LIMIT]
    total = open_tickets.count() if capped else len(rows)
    grids = grid_list(user=user).filter(active=True).order_by("code")
    if grids.count() > MAP_GRID_LIMIT:
        grids = grids.filter(pk__in={row["grid_id"] for row in rows})
    statuses = dict(Status.choices)
    markers = [
        {
            "id": row["pk"],
            "number": row["number"],
            "title": row["title"],
            "lat": row["lat"],
            "lng": row["lng"],
            "colour": row["sla_colour"],
            "status": str(statuses.get(row["status"], row["status"])),
            "url": reverse("incidents:ticket", args=[row["pk"]]),
        }
        for row in rows
    ]
    colour_counts = {colour: 0 for colour in SlaColour.values}
    for row in rows:
        colour_counts[row["sla_colour"]] = colour_counts.get(row["sla_colour"], 0) + 1
    legend = [
        {"colour": value, "label": label, "hex": SLA_COLOURS[value], "count": colour_counts[value]}
        for value, label in reversed(SlaColour.choices)
    ]
    return render(
        request,
        "incidents/map.html",
        {
            "map_data": {
                "tickets": markers,
                "grids": feature_collection(grids),
                "colours": {str(colour): hex_code for colour, hex_code in SLA_COLOURS.items()},
            },
            "shown": len(markers),
            "total": total,
            "capped": capped,
            "limit": MAP_TICKET_LIMIT,
            "legend": legend,
            **map_settings(),
        },
    )
