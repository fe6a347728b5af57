"""Builders of the proposals, ratings and surveys tests: one street with two communities,
the people around them, a case category, and public cases walked to their closing
through the workflow."""

from __future__ import annotations

from datetime import timedelta

from rest_framework.test import APIClient

from incidents.models import Ticket
from incidents.services import category_create
from incidents.services.tickets import ticket_create
from participation.models import RatingInvitation
from participation.services.satisfaction import rating_link_issue
from tests import factories, people
from tests.incidents.cases import act

CLOSING_STEPS = (
    ("staff", "accept", {}),
    ("staff", "file", {}),
    ("staff", "dispatch", {"to_grid": True}),
    ("worker", "take", {}),
    ("worker", "submit", {}),
    ("worker", "start_check", {}),
    ("worker", "close", {}),
)


def api_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def build_town() -> dict:
    """Grids G and G2 of community C and community C2 (grid OG) of the same street, and:
    street staff ("staff"), C's community staff ("keeper"), C2's ("other_keeper"), G's
    worker, G2's worker ("outsider"), the district's supervisor, residents who sign in
    ("resident", "neighbour", "third") and a minor case category."""
    grid, grid2 = factories.grids(2)
    street = grid.street
    other = factories.community(parent=street, number=2)
    major = category_create(code="E01", kind="event", name="市容环境")
    return {
        "grid": grid,
        "grid2": grid2,
        "community": grid.community,
        "street": street,
        "other": other,
        "other_grid": factories.grid(parent=other),
        "staff": people.with_role("street_staff", street, "voice-staff"),
        "keeper": people.with_role("community_staff", grid.community, "voice-keeper"),
        "other_keeper": people.with_role("community_staff", other, "voice-other-keeper"),
        "worker": people.with_role("grid_worker", grid, "voice-worker"),
        "outsider": people.with_role("grid_worker", grid2, "voice-outsider"),
        "supervisor": people.with_role("supervisor", grid.district, "voice-supervisor"),
        "resident": people.user("voice-resident", full_name="王秀英", email="wang@example.org"),
        "neighbour": people.user("voice-neighbour", full_name="李明"),
        "third": people.user("voice-third"),
        "category": category_create(code="E0101", kind="event", name="暴露垃圾", parent=major),
    }


def public_case(town: dict, *, source: str = "resident", reporter=None, grid=None) -> Ticket:
    """A case from the public in G (or ``grid``), reported by the resident."""
    grid = grid or town["grid"]
    return ticket_create(
        reporter=reporter or town["resident"],
        source=source,
        category=town["category"],
        lat=grid.centroid_lat,
        lng=grid.centroid_lng,
        description="楼道堆放杂物",
    )


def close(town: dict, ticket: Ticket) -> Ticket:
    """Walk a reported case of G to its closing through the workflow."""
    for actor, action, data in CLOSING_STEPS:
        ticket = act(ticket, town[actor], action, data=data)
    return ticket


def closed_case(town: dict, **kwargs) -> Ticket:
    return close(town, public_case(town, **kwargs))


def link_of(ticket: Ticket) -> tuple[RatingInvitation, str]:
    """The rating link of the case's closing (as the delivery task makes it)."""
    return rating_link_issue(ticket=ticket)


def age(ticket: Ticket, *, days: float) -> None:
    """Move the case's closing (and its link, if any) ``days`` into the past."""
    closed_at = ticket.closed_at - timedelta(days=days)
    RatingInvitation.objects.filter(ticket=ticket, closed_at=ticket.closed_at).update(
        closed_at=closed_at, expires_at=closed_at + timedelta(days=7)
    )
    Ticket.objects.filter(pk=ticket.pk).update(closed_at=closed_at)
    ticket.refresh_from_db()
