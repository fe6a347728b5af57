"""The back office shows tickets in scope, read-only, and moves them only through the
workflow (admin actions call ticket_act)."""

from __future__ import annotations

import pytest
from django.test import Client

from incidents.models import TicketEvent
from tests.incidents.cases import report

pytestmark = pytest.mark.django_db


def _admin_client(user) -> Client:
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(user)
    return client


def test_street_staff_see_their_tickets_and_accept_them_through_the_workflow(place):
    ticket = report(place)
    staff = _admin_client(place["staff"])

    listing = staff.get("/admin/incidents/ticket/")
    assert listing.status_code == 200
    assert ticket.number in listing.content.decode()

    response = staff.post(
        "/admin/incidents/ticket/",
        {"action": "workflow_accept", "_selected_action": [ticket.pk]},
        follow=True,
    )
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.status == "accepted"
    accepted = TicketEvent.objects.get(ticket=ticket, action="accept")
    assert accepted.actor == place["staff"]
    # A second try is refused by the workflow and said so, without a change.
    again = staff.post(
        "/admin/incidents/ticket/",
        {"action": "workflow_accept", "_selected_action": [ticket.pk]},
        follow=True,
    )
    assert "Not updated" in again.content.decode()
    assert TicketEvent.objects.filter(ticket=ticket, action="accept").count() == 1


def test_a_ticket_outside_the_scope_is_not_in_the_back_office(place):
    ticket = report(place)
    outsider = _admin_client(place["outsider"])
    assert ticket.number not in outsider.get("/admin/incidents/ticket/").content.decode()
    assert outsider.get(f"/admin/incidents/ticket/{ticket.pk}/change/").status_code in (302, 404)
