"""The case workflow: the closed loop from report to evaluation, who may act, the clocks
of the stages, and the history it leaves."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridgov.exceptions import StaleObjectError
from incidents.models import Ticket, TicketEvent
from incidents.services.tickets import ticket_create, ticket_number_next
from incidents.workflow import ActionNotAllowed, actions_for, ticket_act
from tests.incidents.cases import act, report

pytestmark = pytest.mark.django_db


def test_a_report_is_located_numbered_and_its_first_clock_started(place):
    ticket = report(place)

    assert re.fullmatch(r"GD-\d{8}-000001", ticket.number)
    assert report(place).number.endswith("-000002")
    assert ticket.grid == place["grid"]
    assert (ticket.street_id, ticket.district_id) == (
        place["grid"].street_id,
        place["grid"].district_id,
    )
    assert ticket.status == "reported" and ticket.stage == "accept"
    assert ticket.stage_due_at - ticket.stage_started_at == timedelta(hours=1)
    assert ticket.stage_warn_at - ticket.stage_started_at == timedelta(minutes=48)
    assert list(ticket.events.values_list("action", "to_status")) == [("report", "reported")]


def test_numbers_count_from_one_each_day():
    assert ticket_number_next(day=date(2026, 1, 1)) == "GD-20260101-000001"
    assert ticket_number_next(day=date(2026, 1, 1)) == "GD-20260101-000002"
    assert ticket_number_next(day=date(2026, 1, 2)) == "GD-20260102-000001"


def test_a_report_outside_every_grid_is_refused(place):
    with pytest.raises(ValidationError) as refused:
        ticket_create(
            reporter=None, source="hotline", category=place["category"], lat=10.0, lng=10.0
        )
    assert "lat" in refused.value.message_dict


def test_the_closed_loop_from_report_to_evaluation(place):
    ticket = report(place)
    ticket = act(ticket, place["staff"], "accept")
    ticket = act(ticket, place["staff"], "request_verification")
    ticket = act(ticket, place["worker"], "verify")
    ticket = act(ticket, place["staff"], "file")
    ticket = act(ticket, place["staff"], "dispatch")
    assert ticket.lead_department == place["department"]  # the category's default
    assert ticket.stage == "handle"
    ticket = act(ticket, place["handler"], "take")
    assert ticket.assignee == place["handler"]
    ticket = act(ticket, place["handler"], "submit")
    ticket = act(ticket, place["worker"], "start_check")
    ticket = act(ticket, place["worker"], "close")
    assert ticket.closed_at is not None and ticket.stage == ""
    ticket = act(ticket, place["resident"], "rate", data={"satisfaction": 5})

    assert ticket.status == "evaluated" and ticket.satisfaction == 5
    statuses = list(ticket.events.values_list("to_status", flat=True))
    assert statuses == [
        "reported",
        "accepted",
        "verifying",
        "accepted",
        "filed",
        "dispatched",
        "in_handling",
        "handled",
        "checking",
        "closed",
        "evaluated",
    ]
    assert ticket.version == 11


def test_an_action_the_status_does_not_offer_lists_those_it_does(place):
    ticket = report(place)
    with pytest.raises(ActionNotAllowed) as refused:
        act(ticket, place["staff"], "dispatch")
    assert {"accept", "reject", "merge", "comment", "escalate"} <= set(refused.value.allowed)
    assert "dispatch" not in refused.value.allowed


def test_a_role_that_may_not_act_is_refused_and_nothing_changes(place):
    ticket = report(place)
    for actor in (place["worker"], place["handler"], place["outsider"], place["resident"]):
        with pytest.raises(PermissionDenied):
            act(ticket, actor, "accept")
    ticket.refresh_from_db()
    assert ticket.status == "reported" and ticket.events.count() == 1


def test_a_stale_version_is_refused(place):
    ticket = report(place)
    act(ticket, place["staff"], "accept")
    with pytest.raises(StaleObjectError):
        ticket_act(
            ticket=ticket, actor=place["staff"], action="reject", expected_version=1, note="dup"
        )


def test_rejecting_needs_a_reason(place):
    ticket = report(place)
    with pytest.raises(ValidationError) as refused:
        act(ticket, place["staff"], "reject")
    assert "note" in refused.value.message_dict
    assert act(ticket, place["staff"], "reject", note="not a public matter").status == "rejected"


def test_only_public_reports_go_to_verification(place):
    ticket = act(report(place, source="patrol"), place["staff"], "accept")
    with pytest.raises(ValidationError):
        act(ticket, place["staff"], "request_verification")


def _in_handling(place) -> Ticket:
    ticket = report(place)
    for actor, action in (
        ("staff", "accept"),
        ("staff", "file"),
        ("staff", "dispatch"),
        ("handler", "take"),
    ):
        ticket = act(ticket, place[actor], action)
    return ticket


def test_parking_pauses_the_clock_and_adds_the_time_to_the_deadline(place, freezer=None):
    ticket = _in_handling(place)
    due = ticket.stage_due_at
    ticket = act(ticket, place["staff"], "park", note="waiting for the owner")
    parked_at = ticket.paused_at
    Ticket.objects.filter(pk=ticket.pk).update(paused_at=parked_at - timedelta(hours=2))
    ticket.refresh_from_db()
    ticket = act(ticket, place["staff"], "resume")

    assert ticket.paused_at is None
    assert ticket.stage_due_at - due >= timedelta(hours=2)
    assert ticket.paused_seconds >= 7200


def test_an_approved_extension_moves_the_deadline(place):
    ticket = _in_handling(place)
    due = ticket.stage_due_at
    ticket = act(ticket, place["handler"], "request_extension", note="parts on order")
    ticket = act(ticket, place["staff"], "approve_extension", data={"amount": 3, "unit": "hours"})
    assert ticket.stage_due_at == due + timedelta(hours=3)


def test_a_failed_check_sends_it_back_for_rework_and_counts(place):
    ticket = _in_handling(place)
    ticket = act(ticket, place["handler"], "submit")
    ticket = act(ticket, place["worker"], "start_check")
    ticket = act(ticket, place["worker"], "rework", note="rubbish still there")
    assert (ticket.status, ticket.rework_count, ticket.stage) == ("rework", 1, "handle")
    ticket = act(ticket, place["handler"], "take")
    assert ticket.status == "in_handling"


def test_a_self_handled_report_starts_at_checking(place):
    ticket = report(place, source="self_handled")
    assert ticket.status == "checking" and ticket.stage == "check"


def test_reopening_needs_an_unsatisfied_rating_within_seven_days(place):
    ticket = _in_handling(place)
    for actor, action in (("handler", "submit"), ("worker", "start_check"), ("worker", "close")):
        ticket = act(ticket, place[actor], action)
    ticket = act(ticket, place["resident"], "rate", data={"satisfaction": 1})
    reopened = act(ticket, place["resident"], "reopen", note="still dirty")
    assert reopened.status == "rework" and reopened.rework_count == 1

    late = _in_handling(place)
    for actor, action in (("handler", "submit"), ("worker", "start_check"), ("worker", "close")):
        late = act(late, place[actor], action)
    Ticket.objects.filter(pk=late.pk).update(closed_at=late.closed_at - timedelta(days=8))
    late.refresh_from_db()
    with pytest.raises(ValidationError):
        act(late, place["resident"], "reopen", note="too late")


def test_escalation_climbs_the_ladder_and_stops_at_the_district(place):
    ticket = report(place)
    for level in (1, 2, 3):
        ticket = act(ticket, place["supervisor"], "escalate", note="overdue")
        assert ticket.level == level
    with pytest.raises(ValidationError):
        act(ticket, place["supervisor"], "escalate", note="again")


def test_a_closed_ticket_takes_only_a_rating_or_a_reopening(place):
    ticket = _in_handling(place)
    for actor, action in (("handler", "submit"), ("worker", "start_check"), ("worker", "close")):
        ticket = act(ticket, place[actor], action)
    for action in ("comment", "escalate", "accept", "take"):
        with pytest.raises(ActionNotAllowed):
            act(ticket, place["staff"], action, note="x")


def test_events_are_never_changed_or_deleted(place):
    event = TicketEvent.objects.get(ticket=report(place))
    event.note = "rewritten"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()


def test_only_actions_that_make_sense_now_are_offered(place):
    ticket = report(place)
    for action, data in (("accept", {}), ("file", {}), ("dispatch", {})):
        ticket = act(ticket, place["staff"], action, data=data)
    ticket = act(ticket, place["handler"], "take")
    offered = actions_for(place["staff"], ticket)
    assert "park" in offered and "resume" not in offered
    assert "request_verification" not in actions_for(place["staff"], report(place, "patrol"))

    parked = act(ticket, place["staff"], "park", note="等待配件")
    offered = actions_for(place["staff"], parked)
    assert "resume" in offered and "park" not in offered
    assert "submit" in actions_for(place["handler"], parked)
    assert "submit" not in actions_for(place["worker"], report(place))
