"""Following a report by its reference and token: the status in words and the public steps
only, never who took them, their notes, the offices' internals or anyone's contact; a
wrong reference or token is the same 404; a closed case can be rated from here."""

from __future__ import annotations

import pytest
from django.test import Client

from incidents.choices import Status
from participation.models import Rating
from participation.services.public_reports import public_report_reject
from participation.services.satisfaction import rating_link_issue
from tests import people
from tests.incidents.cases import act
from tests.participation.public_world import public_world, submit

FOLLOW = "/public/follow/"
INTERNAL_NOTE = "内部备注：请联系物业王经理处理"


@pytest.fixture
def world(db):
    world = public_world()
    world["worker"] = people.with_role(
        "grid_worker", world["grid"], "pr-worker", first_name="秀兰", last_name="赵"
    )
    world["report"], world["token"] = submit(world)
    return world


def follow(report, token):
    return Client().get(FOLLOW, {"reference": report.reference, "token": token})


def walk_to_closed(world):
    ticket = world["report"].ticket
    staff, worker = world["staff"], world["worker"]
    ticket = act(ticket, staff, "accept")
    ticket = act(ticket, staff, "comment", note=INTERNAL_NOTE)
    ticket = act(ticket, staff, "file")
    ticket = act(ticket, staff, "dispatch", data={"to_grid": True})
    ticket = act(ticket, worker, "take")
    ticket = act(ticket, worker, "submit")
    ticket = act(ticket, worker, "start_check")
    return act(ticket, worker, "close")


def test_the_follower_sees_the_status_and_the_public_steps_only(world):
    ticket = walk_to_closed(world)
    assert ticket.status == Status.CLOSED
    response = follow(world["report"], world["token"])
    assert response.status_code == 200
    page = response.content.decode()
    assert "closed" in page
    steps = [
        "reported",
        "accepted",
        "filed for handling",
        "sent to the team that handles it",
        "handled",
        "closed",
    ]
    positions = [page.index(f"</time> {step}") for step in steps]
    assert positions == sorted(positions)
    for secret in (INTERNAL_NOTE, "建国", "秀兰", "pr-staff", "pr-worker", "刘女士", "13906351234"):
        assert secret not in page
    assert "take on" not in page and "start the check" not in page  # internal steps


def test_a_wrong_token_or_reference_is_the_same_404(world):
    other, other_token = submit(world)
    answers = [
        follow(world["report"], "not-the-token"),  # a real reference, a wrong token
        follow(other, world["token"]),  # a real token, another report's reference
        Client().get(FOLLOW, {"reference": "PR-20260101-ZZZZZZ", "token": other_token}),
    ]
    for response in answers:
        page = response.content.decode()
        assert response.status_code == 404
        assert "No report has this number and follow code together." in page
        assert world["report"].ticket.number not in page and other.ticket.number not in page


def test_a_pending_and_a_rejected_report_say_so_without_the_note(world):
    pending, token = submit(world, anonymous=True)
    assert "awaiting moderation" in follow(pending, token).content.decode()
    public_report_reject(report=pending, by=world["staff"], note="内部：疑似恶意提交")
    page = follow(pending, token).content.decode()
    assert "rejected by moderation" in page
    assert "疑似恶意提交" not in page and "建国" not in page


def test_a_closed_case_is_rated_from_the_follow_page(world):
    ticket = walk_to_closed(world)
    assert 'name="score"' not in follow(world["report"], world["token"]).content.decode()
    rating_link_issue(ticket=ticket)
    page = follow(world["report"], world["token"]).content.decode()
    assert 'name="score"' in page
    response = Client().post(
        "/public/follow/rate/",
        {
            "reference": world["report"].reference,
            "token": world["token"],
            "score": "5",
            "comment": "很快",
        },
    )
    assert response.status_code == 302
    assert Rating.objects.get(ticket=ticket).score == 5
    after = Client().get(response.url).content.decode()
    assert "closed and evaluated" in after and "rated" in after
    assert 'name="score"' not in after


def test_rating_needs_the_follow_token(world):
    ticket = walk_to_closed(world)
    rating_link_issue(ticket=ticket)
    response = Client().post(
        "/public/follow/rate/",
        {"reference": world["report"].reference, "token": "guess", "score": "1"},
    )
    assert response.status_code == 404
    assert not Rating.objects.exists()
