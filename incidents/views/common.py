"""What the incidents pages share: the urgency order of tickets, SLA colours and the map's
settings."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Case, F, IntegerField, Value, When

from incidents.choices import SlaColour

# One colour per SLA colour, shared by the badges' legend and the map markers.
SLA_COLOURS = {
    SlaColour.GREEN: "#1a7f37",
    SlaColour.YELLOW: "#bf8700",
    SlaColour.RED: "#d1242f",
}


def urgency_order() -> tuple:
    """Red first, then yellow, then green; within a colour the stage due soonest first (no
    deadline last), then the newest."""
    colour_rank = Case(
        When(sla_colour=SlaColour.RED, then=Value(0)),
        When(sla_colour=SlaColour.YELLOW, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return colour_rank, F("stage_due_at").asc(nulls_last=True), "-pk"


def map_settings() -> dict:
    """Tile layer (none by default: no tile server is reachable offline) and the view a map
    opens on when it has nothing to fit."""
    center = settings.LEAFLET_CONFIG.get("DEFAULT_CENTER", (35.80, 116.10))
    return {
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "center": center,
        "zoom": settings.LEAFLET_CONFIG.get("DEFAULT_ZOOM", 13),
    }
