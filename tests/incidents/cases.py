"""Builders for tickets in tests, going through the services like real callers."""

from __future__ import annotations

from incidents.models import Ticket
from incidents.services.tickets import ticket_create
from incidents.workflow import ticket_act


def report(place, source="hotline", *, reporter=None, **fields) -> Ticket:
    """A ticket in the place's grid, reported by the resident unless ``reporter`` says."""
    grid = place["grid"]
    return ticket_create(
        reporter=reporter or place["resident"],
        source=source,
        category=place["category"],
        lat=grid.centroid_lat,
        lng=grid.centroid_lng,
        **{"description": "路边垃圾堆放", **fields},
    )


def act(ticket: Ticket, actor, action: str, **kwargs) -> Ticket:
    return ticket_act(
        ticket=ticket, actor=actor, action=action, expected_version=ticket.version, **kwargs
    )
