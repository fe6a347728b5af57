"""The deadline sweep: yellow at 80 %, red when overdue, one level up per overdue stage,
automatic supervision orders at street level and above, and the people told."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from incidents.choices import Level
from incidents.models import Escalation, StageAlert, SupervisionOrder, Ticket, TicketEvent
from incidents.services.deadlines import deadline_sweep
from personnel.models import Notification
from tests import people
from tests.incidents.cases import act, report

# In the place fixture every stage's limit is hours on the plain clock: accept 1 h,
# verify 2 h, dispatch 3 h, handle 4 h, check 5 h.
ACCEPT_LIMIT = timedelta(hours=1)


def _inbox(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("title", flat=True))


@pytest.fixture
def community_staff(place):
    return people.with_role("community_staff", place["grid"].community)


def test_a_stage_turns_yellow_at_80_percent_and_its_owners_are_reminded(db, place):
    ticket = report(place)
    start = ticket.stage_started_at

    early = deadline_sweep(now=start + ACCEPT_LIMIT * 0.7)
    assert early.yellow == 0
    result = deadline_sweep(now=start + ACCEPT_LIMIT * 0.85)

    ticket.refresh_from_db()
    assert result.yellow == 1
    assert ticket.sla_colour == "yellow"
    assert ticket.version == 2
    assert any("is due soon" in title for title in _inbox(place["staff"]))


def test_an_overdue_stage_turns_red_and_climbs_one_level_once(db, place, community_staff):
    ticket = report(place)
    late = ticket.stage_started_at + ACCEPT_LIMIT + timedelta(minutes=1)

    first = deadline_sweep(now=late)
    again = deadline_sweep(now=late + timedelta(minutes=5))

    ticket.refresh_from_db()
    assert (first.red, first.escalated) == (1, {Level.COMMUNITY: 1})
    assert (again.red, again.escalated) == (0, {})
    assert ticket.sla_colour == "red"
    assert ticket.level == Level.COMMUNITY
    assert list(Escalation.objects.filter(ticket=ticket).values_list("level", "reason")) == [
        (Level.COMMUNITY, "overdue")
    ]
    escalations = TicketEvent.objects.filter(ticket=ticket, action="escalate")
    assert [(e.actor_id, e.data["level"]) for e in escalations] == [(None, Level.COMMUNITY)]
    assert any("escalated to community level" in t for t in _inbox(community_staff))
    assert any("is overdue" in title for title in _inbox(place["staff"]))
    # Overdue at community level: no automatic supervision order yet.
    assert not SupervisionOrder.objects.filter(ticket=ticket).exists()


def test_each_overdue_stage_climbs_again_and_street_level_brings_a_red_card(db, place):
    ticket = report(place)
    deadline_sweep(now=ticket.stage_started_at + ACCEPT_LIMIT + timedelta(minutes=1))
    ticket = act(Ticket.objects.get(pk=ticket.pk), place["staff"], "accept")
    assert ticket.sla_colour == "green"  # a new stage, a new clock

    result = deadline_sweep(now=ticket.stage_due_at + timedelta(minutes=1))

    ticket.refresh_from_db()
    assert ticket.level == Level.STREET
    assert result.orders == 1
    order = SupervisionOrder.objects.get(ticket=ticket)
    assert (order.automatic, order.level, order.status, order.issued_by) == (
        True,
        "red",
        "open",
        None,
    )
    assert TicketEvent.objects.filter(ticket=ticket, action="supervise").count() == 1
    assert any("automatic supervision order" in title for title in _inbox(place["staff"]))


def test_a_case_at_district_level_turns_red_without_climbing(db, place):
    ticket = report(place)
    Ticket.objects.filter(pk=ticket.pk).update(level=Level.DISTRICT)

    result = deadline_sweep(now=ticket.stage_due_at + timedelta(minutes=1))

    ticket.refresh_from_db()
    assert (ticket.sla_colour, ticket.level, result.escalated) == ("red", Level.DISTRICT, {})
    assert SupervisionOrder.objects.filter(ticket=ticket, automatic=True).count() == 1


def test_a_parked_case_is_not_swept(db, place):
    ticket = report(place)
    Ticket.objects.filter(pk=ticket.pk).update(paused_at=timezone.now())

    result = deadline_sweep(now=ticket.stage_due_at + timedelta(hours=1))

    ticket.refresh_from_db()
    assert (result.red, ticket.sla_colour, ticket.level) == (0, "green", Level.GRID)


def test_an_extended_deadline_can_turn_red_again(db, place):
    ticket = report(place)
    deadline_sweep(now=ticket.stage_due_at + timedelta(minutes=1))
    new_due = ticket.stage_due_at + timedelta(hours=3)
    Ticket.objects.filter(pk=ticket.pk).update(stage_due_at=new_due, sla_colour="green")

    deadline_sweep(now=new_due + timedelta(minutes=1))

    ticket.refresh_from_db()
    assert ticket.level == Level.STREET
    assert StageAlert.objects.filter(ticket=ticket, colour="red").count() == 2


def test_batches_clear_a_backlog_and_each_ticket_is_escalated_once(db, place):
    tickets = [report(place) for _ in range(7)]
    late = max(t.stage_due_at for t in tickets) + timedelta(minutes=1)

    result = deadline_sweep(now=late, batch=3)

    assert result.red == 7
    assert result.batches >= 3
    assert Escalation.objects.filter(ticket__in=tickets).count() == 7
    assert set(Ticket.objects.filter(pk__in=[t.pk for t in tickets]).values_list("level")) == {
        (Level.COMMUNITY,)
    }


def test_the_database_admits_one_escalation_per_ticket_and_level(db, place):
    ticket = report(place)
    Escalation.objects.create(ticket=ticket, level=1, reason="manual", at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Escalation.objects.create(ticket=ticket, level=1, reason="overdue", at=timezone.now())


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_escalate_each_ticket_once(place):
    tickets = [report(place) for _ in range(40)]
    late = max(t.stage_due_at for t in tickets) + timedelta(minutes=1)
    start = threading.Barrier(2)
    results, errors = [], []

    def sweep():
        try:
            start.wait()
            results.append(deadline_sweep(now=late, batch=7))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sum(r.red for r in results) == 40
    assert sum(sum(r.escalated.values()) for r in results) == 40
    assert Escalation.objects.filter(ticket__in=tickets).count() == 40
    assert TicketEvent.objects.filter(ticket__in=tickets, action="escalate").count() == 40
    assert set(Ticket.objects.filter(pk__in=[t.pk for t in tickets]).values_list("level")) == {
        (Level.COMMUNITY,)
    }
