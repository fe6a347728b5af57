"""Work queues and supervision: a worker's own queue, supervision orders from issue to
close, duplicate suggestions and merging, the open-task counts of the workload pages,
and the supervision jobs (auto-evaluation, daily digest, idle workers)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from incidents.models import IdleWorkerReport, SupervisorDigest, Ticket, TicketEvent
from incidents.services.supervision import (
    idle_workers_report,
    supervisor_digests_send,
    tickets_auto_evaluate,
)
from personnel.models import Notification
from personnel.services.workers import grid_assignment_create
from tests import factories, people
from tests.incidents.cases import act, report

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _titles(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("title", flat=True))


def _closed(place, **rate):
    ticket = report(place)
    for actor, action, data in (
        ("staff", "accept", {}),
        ("staff", "file", {}),
        ("staff", "dispatch", {"to_grid": True}),
        ("worker", "take", {}),
        ("worker", "submit", {}),
        ("worker", "start_check", {}),
        ("worker", "close", {}),
    ):
        ticket = act(ticket, place[actor], action, data=data)
    return ticket


# The worker's queue -----------------------------------------------------------------------


def test_my_tasks_lists_what_waits_on_the_worker_soonest_first(place):
    to_verify = report(place)
    for action in ("accept", "request_verification"):
        to_verify = act(to_verify, place["staff"], action)
    to_handle = report(place, source="patrol", reporter=place["worker"])
    for action, data in (("accept", {}), ("file", {}), ("dispatch", {"to_grid": True})):
        to_handle = act(to_handle, place["staff"], action, data=data)
    report(place)  # awaits the command centre, not the worker
    elsewhere = report(place)
    Ticket.objects.filter(pk=elsewhere.pk).update(status="verifying", grid=factories.grid(number=3))

    rows = client_for(place["worker"]).get("/api/v1/me/tasks/").json()["results"]

    assert {(row["id"], row["task"]) for row in rows} == {
        (to_verify.pk, "verify"),
        (to_handle.pk, "handle"),
    }
    due = [row["stage_due_at"] for row in rows]
    assert due == sorted(due)
    only_verify = client_for(place["worker"]).get("/api/v1/me/tasks/", {"task": "verify"})
    assert [row["id"] for row in only_verify.json()["results"]] == [to_verify.pk]


def test_a_department_handler_finds_its_led_cases_in_its_queue(place):
    ticket = report(place)
    for action in ("accept", "file", "dispatch"):
        ticket = act(ticket, place["staff"], action)
    rows = client_for(place["handler"]).get("/api/v1/me/tasks/").json()["results"]
    assert [(row["id"], row["task"]) for row in rows] == [(ticket.pk, "handle")]


def test_due_soon_keeps_the_stages_ending_within_two_hours(place):
    soon = report(place)  # accept stage: one hour
    later = report(place)
    Ticket.objects.filter(pk__in=[soon.pk, later.pk]).update(status="verifying")
    Ticket.objects.filter(pk=later.pk).update(stage_due_at=timezone.now() + timedelta(hours=5))
    rows = client_for(place["worker"]).get("/api/v1/me/tasks/", {"due_soon": "true"})
    assert [row["id"] for row in rows.json()["results"]] == [soon.pk]


# Supervision orders -----------------------------------------------------------------------


def test_a_supervision_order_is_issued_answered_and_closed_as_events(place):
    ticket = report(place)
    due = (timezone.now() + timedelta(days=1)).isoformat()
    supervisor = client_for(place["supervisor"])
    issued = supervisor.post(
        f"/api/v1/tickets/{ticket.pk}/supervise/",
        {"level": "red", "due_at": due, "note": "群众反映强烈，限期处理"},
        format="json",
    )
    assert issued.status_code == 200, issued.content
    [order] = client_for(place["staff"]).get("/api/v1/supervision-orders/").json()["results"]
    assert (order["level"], order["status"], order["ticket"]) == ("red", "open", ticket.pk)
    assert any("supervision order" in title for title in _titles(place["staff"]))

    # Closing needs an answer first.
    early = supervisor.post(
        f"/api/v1/tickets/{ticket.pk}/close-supervision/", {"order": order["id"]}
    )
    assert early.status_code == 400
    answered = client_for(place["staff"]).post(
        f"/api/v1/tickets/{ticket.pk}/answer-supervision/",
        {"order": order["id"], "note": "已安排清运"},
    )
    assert answered.status_code == 200, answered.content
    assert any("answered your supervision order" in t for t in _titles(place["supervisor"]))
    closed = supervisor.post(
        f"/api/v1/tickets/{ticket.pk}/close-supervision/", {"order": order["id"], "note": "ok"}
    )
    assert closed.status_code == 200, closed.content

    order = supervisor.get(f"/api/v1/supervision-orders/{order['id']}/").json()
    assert (order["status"], order["answer"]) == ("closed", "已安排清运")
    steps = TicketEvent.objects.filter(ticket=ticket).values_list("action", flat=True)
    assert [a for a in steps if "supervis" in a] == [
        "supervise",
        "answer_supervision",
        "close_supervision",
    ]


def test_a_supervision_order_needs_a_future_deadline_and_a_card(place):
    ticket = report(place)
    supervisor = client_for(place["supervisor"])
    past = (timezone.now() - timedelta(hours=1)).isoformat()
    for body, field in (
        ({"level": "red", "due_at": past, "note": "x"}, "due_at"),
        ({"level": "blue", "note": "x"}, "level"),
    ):
        response = supervisor.post(f"/api/v1/tickets/{ticket.pk}/supervise/", body, format="json")
        assert response.status_code == 400
        assert response.json()["errors"][0]["attr"] == field
    assert not ticket.supervision_orders.exists()


def test_a_case_that_closes_closes_its_open_orders(place):
    ticket = report(place)
    ticket = act(
        ticket,
        place["supervisor"],
        "supervise",
        note="限期",
        data={"level": "yellow", "due_at": timezone.now() + timedelta(days=1)},
    )
    act(ticket, place["staff"], "reject", note="不属于受理范围")
    assert ticket.supervision_orders.get().status == "closed"


# Duplicates -------------------------------------------------------------------------------


def test_a_new_report_near_an_open_one_of_the_same_kind_is_offered_as_a_duplicate(place):
    first = report(place)
    grid = place["grid"]
    body = {"category": place["category"].pk, "lat": grid.centroid_lat, "lng": grid.centroid_lng}
    phone = client_for(place["worker"])

    near = phone.post("/api/v1/tickets/", body, format="json").json()
    assert [s["id"] for s in near["duplicate_suggestions"]] == [first.pk]
    assert near["duplicate_suggestions"][0]["distance_m"] < 1

    # 0.00048 degrees of latitude is about 53 m: just too far to be the same case.
    far = phone.post(
        "/api/v1/tickets/", {**body, "lat": grid.centroid_lat + 0.00048}, format="json"
    ).json()
    assert first.pk not in [s["id"] for s in far["duplicate_suggestions"]]


def test_a_busy_corner_offers_the_five_nearest_nearest_first(place):
    grid = place["grid"]
    # Seven open reports north of the point, 0 to 60 m away (0.00009 degrees is about 10 m).
    others = [report(place) for _ in range(7)]
    for steps, other in zip((6, 3, 0, 5, 1, 4, 2), others, strict=True):
        Ticket.objects.filter(pk=other.pk).update(lat=grid.centroid_lat + steps * 0.00009)
    body = {"category": place["category"].pk, "lat": grid.centroid_lat, "lng": grid.centroid_lng}

    offered = client_for(place["worker"]).post("/api/v1/tickets/", body, format="json").json()

    by_distance = [others[i].pk for i in (2, 4, 6, 1, 5)]
    assert [s["id"] for s in offered["duplicate_suggestions"]] == by_distance
    metres = [s["distance_m"] for s in offered["duplicate_suggestions"]]
    assert metres == sorted(metres) and metres[-1] == pytest.approx(40, abs=1)


def test_merging_keeps_both_histories(place):
    original = report(place)
    duplicate = report(place)
    merged = client_for(place["staff"]).post(
        f"/api/v1/tickets/{duplicate.pk}/merge/", {"duplicate_of": original.pk}
    )
    assert merged.status_code == 200, merged.content
    assert merged.json()["duplicate_of"] == original.pk
    assert [e.action for e in TicketEvent.objects.filter(ticket=duplicate)] == ["report", "merge"]
    on_original = TicketEvent.objects.filter(ticket=original, action="merge").get()
    assert on_original.data["merged"] == duplicate.pk


# Workload counts --------------------------------------------------------------------------


def test_the_workload_counts_the_open_cases_waiting_on_each_worker(place):
    profile = people.worker_profile(place["worker"], street=place["grid"].street)
    grid_assignment_create(
        created_by=people.root(), worker=profile, grid=place["grid"], kind="primary"
    )
    waiting = report(place)
    for action in ("accept", "request_verification"):
        waiting = act(waiting, place["staff"], action)
    report(place)  # with the command centre: not the worker's
    _closed(place)  # finished: not open
    staff = client_for(place["staff"])

    [row] = staff.get("/api/v1/workload/").json()["results"]
    assert row["open_tasks"] == 1
    grids = {g["id"]: g for g in staff.get("/api/v1/grid-workload/").json()["results"]}
    assert grids[place["grid"].pk]["open_tasks"] == 2


# Jobs -------------------------------------------------------------------------------------


def test_closed_cases_nobody_rated_are_evaluated_once_the_window_passes(place, settings):
    ticket = _closed(place)
    assert tickets_auto_evaluate(now=timezone.now() + timedelta(days=6)) == 0
    assert tickets_auto_evaluate(now=timezone.now() + timedelta(days=8)) == 1
    assert tickets_auto_evaluate(now=timezone.now() + timedelta(days=9)) == 0
    ticket.refresh_from_db()
    assert (ticket.status, ticket.satisfaction) == ("evaluated", None)
    event = TicketEvent.objects.filter(ticket=ticket).last()
    assert (event.action, event.actor_id) == ("rate", None)


def test_each_supervisor_gets_one_digest_a_day_with_the_counts_of_their_scope(place):
    noon = timezone.make_aware(datetime.combine(timezone.localdate(), time(12)))
    overdue = report(place)
    Ticket.objects.filter(pk=overdue.pk).update(sla_colour="red", level=2)
    other = report(place)
    # Both fall due this afternoon, whatever hour of the day the suite runs at.
    Ticket.objects.filter(pk__in=[overdue.pk, other.pk]).update(
        stage_due_at=noon + timedelta(hours=3)
    )

    assert supervisor_digests_send(now=noon) == 1
    assert supervisor_digests_send(now=noon + timedelta(hours=6)) == 0  # once a day

    digest = SupervisorDigest.objects.get(user=place["supervisor"])
    assert digest.counts == {"overdue": 1, "escalated": 1, "due_today": 2, "open_orders": 0}
    assert any("Daily digest: 1 overdue" in title for title in _titles(place["supervisor"]))


def test_an_idle_grid_worker_is_reported_once_to_the_chief_and_the_street_office(place):
    profile = people.worker_profile(place["worker"], street=place["grid"].street)
    grid_assignment_create(
        created_by=people.root(),
        worker=profile,
        grid=place["grid"],
        kind="primary",
        since=timezone.localdate() - timedelta(days=10),
    )
    chief = people.with_role("grid_chief", place["grid"].community)

    assert idle_workers_report() == 1
    assert idle_workers_report() == 0  # the same idle stretch is reported once
    assert IdleWorkerReport.objects.filter(worker=profile).count() == 1
    assert any("neither patrolled nor handled" in t for t in _titles(chief))
    assert any("neither patrolled nor handled" in t for t in _titles(place["staff"]))

    # Activity today ends the stretch: nothing to report.
    report(place, reporter=place["worker"], source="patrol")
    assert idle_workers_report() == 0
