"""The small town of the fault tests and the exactly-once checks they share."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from incidents.choices import Level
from incidents.models import Escalation, StageAlert, Ticket, TicketEvent
from incidents.services import category_create, sla_policy_create
from personnel.models import Notification
from tests import factories, people


def build_town() -> dict:
    """A grid, a minor class whose accepting stage has one hour, and the people the sweep
    tells, each with an address so that every notification is also a mail:
    the street's command centre (owns accepting, hears of reports and overdue stages) and
    the community's staff (hears of escalations to community level)."""
    grid = factories.grid()
    major = category_create(code="E01", kind="event", name="市容环境")
    minor = category_create(code="E0101", kind="event", name="暴露垃圾", parent=major)
    for priority in ("emergency", "urgent", "normal"):
        sla_policy_create(category=minor, priority=priority, stage="accept", amount=1, unit="hours")
    return {
        "grid": grid,
        "category": minor,
        "worker": people.with_role("grid_worker", grid, email="worker@example.org"),
        "staff": people.with_role("street_staff", grid.street, email="staff@example.org"),
        "community_staff": people.with_role(
            "community_staff", grid.community, email="community@example.org"
        ),
    }


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def report_through_api(client: APIClient, town: dict, description: str):
    """POST a report the way the phone app does; returns the response."""
    grid = town["grid"]
    return client.post(
        "/api/v1/tickets/",
        {
            "category": town["category"].pk,
            "description": description,
            "lat": grid.centroid_lat,
            "lng": grid.centroid_lng,
        },
        format="json",
    )


def make_overdue(ticket_ids) -> None:
    """The accepting stage's deadline passes (the clock is not ours to move: the sweep task
    reads the real time, so the due time moves instead)."""
    Ticket.objects.filter(pk__in=list(ticket_ids)).update(
        stage_due_at=timezone.now() - timedelta(seconds=1)
    )


def escalation_counts(ticket_ids) -> Counter:
    """(ticket, level) → escalations recorded."""
    return Counter(
        Escalation.objects.filter(ticket_id__in=list(ticket_ids)).values_list("ticket_id", "level")
    )


def assert_escalated_exactly_once(ticket_ids) -> None:
    ids = sorted(ticket_ids)
    expected = Counter({(pk, Level.COMMUNITY): 1 for pk in ids})
    assert escalation_counts(ids) == expected
    events = Counter(
        TicketEvent.objects.filter(ticket_id__in=ids, action="escalate").values_list(
            "ticket_id", flat=True
        )
    )
    assert events == Counter(ids), "one escalate event per overdue ticket"
    alerts = Counter(
        StageAlert.objects.filter(ticket_id__in=ids, colour="red").values_list(
            "ticket_id", flat=True
        )
    )
    assert alerts == Counter(ids), "one red alert per overdue stage"
    assert set(Ticket.objects.filter(pk__in=ids).values_list("sla_colour", "level")) == {
        ("red", Level.COMMUNITY)
    }


CASE_KINDS = ("ticket", "deadline", "escalation", "supervision")


def notification_counts() -> Counter:
    """(recipient, kind, link) → notifications about cases in the inboxes (not the notices
    of the town's role grants). The link names the ticket; titles are not compared, as a
    worker writes them in the site's language (Chinese) and the tests in English."""
    return Counter(
        Notification.objects.filter(kind__in=CASE_KINDS).values_list("user_id", "kind", "url")
    )


def expected_notifications(town: dict, *, reported, overdue) -> Counter:
    """One report notice per ticket to the command centre; per overdue ticket one overdue
    notice to the command centre and one escalation notice to the community's staff."""
    staff, community = town["staff"].pk, town["community_staff"].pk
    expected = Counter()
    for pk in reported:
        expected[(staff, "ticket", _link(pk))] += 1
    for pk in overdue:
        expected[(staff, "deadline", _link(pk))] += 1
        expected[(community, "escalation", _link(pk))] += 1
    return expected


def _link(ticket_id: int) -> str:
    return reverse("incidents:ticket", args=[ticket_id])


def expected_mails() -> Counter:
    """(address, subject) → 1 for every notification in the inboxes."""
    return Counter(
        {
            (email, title): 1
            for email, title in Notification.objects.values_list("user__email", "title")
        }
    )


def all_delivered() -> bool:
    return not Notification.objects.filter(sent_at__isnull=True).exists()
