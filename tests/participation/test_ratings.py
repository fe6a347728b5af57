"""Satisfaction with closed cases: the rating link a public case's closing sends, the
rating through it (an unsatisfied one reopens the case within the window), used, expired
and unknown links, call-back ratings by staff, a new link issued for a call-back, the
follow page's rating, and the ratings API scoped like the cases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from incidents.models import TicketEvent
from participation.models import PublicService, Rating, RatingInvitation
from participation.selectors.satisfaction import rateable_closing
from participation.services.public_reports import public_report_submit
from participation.services.satisfaction import (
    rating_invitation_deliver,
    rating_link_reissue,
    rating_submit,
    rating_submit_for_report,
)
from tests.incidents.cases import act
from tests.participation.voice import (
    age,
    api_for,
    build_town,
    close,
    closed_case,
    link_of,
    public_case,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def town():
    return build_town()


def _nothing_rated(ticket) -> None:
    ticket.refresh_from_db()
    assert ticket.status == "closed" and ticket.satisfaction is None
    assert not Rating.objects.exists()


# The link ----------------------------------------------------------------------------------


def test_closing_a_public_case_mails_the_reporter_a_rating_link_once(
    town, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://grid.example.cn"
    ticket = public_case(town)

    with django_capture_on_commit_callbacks(execute=True):
        ticket = close(town, ticket)

    link = RatingInvitation.objects.get(ticket=ticket)
    assert link.closed_at == ticket.closed_at
    assert link.expires_at == ticket.closed_at + timedelta(days=settings.RATING_WINDOW_DAYS)
    assert link.mailed_at is not None and link.used_at is None
    [message] = mail.outbox
    assert message.to == ["wang@example.org"]
    assert ticket.number in message.subject
    url = next(line for line in message.body.splitlines() if "/public/rate/" in line)
    assert url.startswith("https://grid.example.cn/public/rate/")
    token = url.rstrip("/").rsplit("/", 1)[1]

    assert rating_invitation_deliver(ticket_id=ticket.pk) == "exists"  # a second run
    assert len(mail.outbox) == 1 and RatingInvitation.objects.count() == 1
    assert rating_submit(token=token, score=5).ticket_id == ticket.pk


def test_a_public_report_is_asked_at_its_e_mail_address(town, django_capture_on_commit_callbacks):
    report, _token = public_report_submit(
        channel="web",
        service=PublicService.objects.create(category=town["category"]),
        description="井盖缺失",
        lat=town["grid"].centroid_lat,
        lng=town["grid"].centroid_lng,
        anonymous=False,
        name="赵敏",
        email="zhao@example.org",
    )

    with django_capture_on_commit_callbacks(execute=True):
        close(town, report.ticket)

    assert [message.to for message in mail.outbox] == [["zhao@example.org"]]


def test_a_hotline_caller_has_no_address_the_link_waits_on_the_case_page(
    town, django_capture_on_commit_callbacks
):
    ticket = public_case(town, source="hotline", reporter=town["staff"])

    with django_capture_on_commit_callbacks(execute=True):
        ticket = close(town, ticket)

    link = RatingInvitation.objects.get(ticket=ticket)
    assert link.mailed_at is None and not mail.outbox
    assert rateable_closing(ticket=ticket) == link


def test_cases_found_by_staff_get_no_rating_link(town, django_capture_on_commit_callbacks):
    ticket = public_case(town, source="patrol", reporter=town["worker"])

    with django_capture_on_commit_callbacks(execute=True):
        close(town, ticket)

    assert not RatingInvitation.objects.exists() and not mail.outbox


# Rating through the link ------------------------------------------------------------------


def test_a_satisfied_rating_evaluates_the_case(town):
    ticket = closed_case(town)
    link, token = link_of(ticket)

    rating = rating_submit(token=token, score=4, comment="处理及时")

    ticket.refresh_from_db()
    assert (ticket.status, ticket.satisfaction) == ("evaluated", 4)
    assert (rating.score, rating.comment, rating.channel, rating.reopened) == (
        4,
        "处理及时",
        "link",
        False,
    )
    assert (rating.grid, rating.community) == (town["grid"], town["community"])
    link.refresh_from_db()
    assert link.used_at is not None and rateable_closing(ticket=ticket) is None
    rate = TicketEvent.objects.get(ticket=ticket, action="rate")
    assert rate.actor is None and rate.data["satisfaction"] == 4


def test_an_unsatisfied_rating_reopens_the_case_for_rework(town):
    ticket = closed_case(town)
    _link, token = link_of(ticket)

    rating = rating_submit(token=token, score=2, comment="垃圾还在")

    ticket.refresh_from_db()
    assert rating.reopened is True
    assert (ticket.status, ticket.satisfaction, ticket.closed_at) == ("rework", 2, None)
    actions = list(
        TicketEvent.objects.filter(ticket=ticket).order_by("pk").values_list("action", flat=True)
    )
    assert actions[-2:] == ["rate", "reopen"]


def test_an_unsatisfied_rating_after_the_reopen_window_only_rates(town, settings):
    settings.RATING_WINDOW_DAYS = 10
    ticket = closed_case(town)
    _link, token = link_of(ticket)
    age(ticket, days=8)
    RatingInvitation.objects.filter(ticket=ticket).update(
        expires_at=timezone.now() + timedelta(days=2)
    )

    rating = rating_submit(token=token, score=1)

    ticket.refresh_from_db()
    assert rating.reopened is False
    assert (ticket.status, ticket.satisfaction) == ("evaluated", 1)


def test_a_used_link_answers_that_the_case_is_rated_and_changes_nothing(town):
    ticket = closed_case(town)
    _link, token = link_of(ticket)
    rating_submit(token=token, score=5)

    with pytest.raises(ValidationError) as refusal:
        rating_submit(token=token, score=1)

    assert "used already" in refusal.value.message_dict["token"][0]
    ticket.refresh_from_db()
    assert (ticket.status, ticket.satisfaction) == ("evaluated", 5)
    assert Rating.objects.count() == 1


def test_an_expired_link_answers_when_it_expired_and_changes_nothing(town):
    ticket = closed_case(town)
    _link, token = link_of(ticket)
    age(ticket, days=7.5)

    with pytest.raises(ValidationError) as refusal:
        rating_submit(token=token, score=1)

    assert "expired" in refusal.value.message_dict["token"][0]
    _nothing_rated(ticket)


@pytest.mark.parametrize("token", ["", "not-a-token", "x" * 500])
def test_an_unknown_link_is_not_valid(town, token):
    ticket = closed_case(town)
    link_of(ticket)

    with pytest.raises(ValidationError) as refusal:
        rating_submit(token=token, score=3)

    assert refusal.value.message_dict == {"token": ["This rating link is not valid."]}
    _nothing_rated(ticket)


@pytest.mark.parametrize("score", [0, 6, "5.0", None, "five", True])
def test_a_score_outside_1_to_5_is_refused_and_the_link_stays_usable(town, score):
    ticket = closed_case(town)
    _link, token = link_of(ticket)

    with pytest.raises(ValidationError) as refusal:
        rating_submit(token=token, score=score)

    assert list(refusal.value.message_dict) == ["score"]
    _nothing_rated(ticket)
    assert rating_submit(token=token, score=3).score == 3


def test_a_case_rated_by_staff_on_a_call_back_cannot_be_rated_again_by_link(
    town, django_capture_on_commit_callbacks
):
    ticket = closed_case(town)
    _link, token = link_of(ticket)

    with django_capture_on_commit_callbacks(execute=True):
        act(ticket, town["staff"], "rate", data={"satisfaction": 3}, note="电话回访：基本满意")

    rating = Rating.objects.get(ticket=ticket)
    assert (rating.channel, rating.score, rating.recorded_by) == ("callback", 3, town["staff"])
    assert rating.comment == "电话回访：基本满意"
    with pytest.raises(ValidationError) as refusal:
        rating_submit(token=token, score=1)
    assert "used already" in refusal.value.message_dict["token"][0]


def test_a_new_link_for_a_call_back_replaces_the_old_one(town):
    ticket = closed_case(town)
    _link, old = link_of(ticket)

    _link, new = rating_link_reissue(ticket=ticket, by=town["keeper"])

    assert new != old and RatingInvitation.objects.filter(ticket=ticket).count() == 1
    with pytest.raises(ValidationError):
        rating_submit(token=old, score=5)
    assert rating_submit(token=new, score=5).score == 5


@pytest.mark.parametrize("who", ["supervisor", "worker", "other_keeper"])
def test_only_keepers_of_the_case_community_issue_a_new_link(town, who):
    ticket = closed_case(town)

    with pytest.raises(PermissionDenied):
        rating_link_reissue(ticket=ticket, by=town[who])


def test_the_follow_page_rates_the_open_closing_of_a_report(town):
    report, _token = public_report_submit(
        channel="web",
        service=PublicService.objects.create(category=town["category"]),
        description="路灯不亮",
        lat=town["grid"].centroid_lat,
        lng=town["grid"].centroid_lng,
        anonymous=False,
        name="赵敏",
        phone="13912345678",
    )
    with pytest.raises(ValidationError):  # not closed yet: nothing to rate
        rating_submit_for_report(report=report, score=5)
    ticket = close(town, report.ticket)
    link_of(ticket)

    rating = rating_submit_for_report(report=report, score=1, comment="没修好")

    assert rating.reopened is True and rating.invitation.used_at is not None
    with pytest.raises(ValidationError):
        rating_submit_for_report(report=report, score=5)


def test_a_case_closed_again_after_rework_gets_a_new_link(town):
    ticket = closed_case(town)
    _link, token = link_of(ticket)
    rating_submit(token=token, score=1)
    ticket.refresh_from_db()
    for actor, action in (("worker", "take"), ("worker", "submit")):
        ticket = act(ticket, town[actor], action)
    for action in ("start_check", "close"):
        ticket = act(ticket, town["worker"], action)

    _second, again = link_of(ticket)

    assert RatingInvitation.objects.filter(ticket=ticket).count() == 2
    assert rating_submit(token=again, score=5).reopened is False


# The ratings API --------------------------------------------------------------------------


def test_ratings_are_listed_to_those_who_see_the_case(town):
    ticket = closed_case(town)
    rating = rating_submit(token=link_of(ticket)[1], score=2, comment="不满意")

    for who in ("worker", "staff", "supervisor"):
        rows = api_for(town[who]).get("/api/v1/ratings/").json()["results"]
        assert [(r["id"], r["score"], r["ticket_number"]) for r in rows] == [
            (rating.pk, 2, ticket.number)
        ]
    assert api_for(town["outsider"]).get("/api/v1/ratings/").json()["results"] == []
    assert api_for(town["outsider"]).get(f"/api/v1/ratings/{rating.pk}/").status_code == 404
    detail = api_for(town["worker"]).get(f"/api/v1/ratings/{rating.pk}/").json()
    assert (detail["comment"], detail["reopened"], detail["channel"]) == ("不满意", True, "link")
    assert api_for(None).get("/api/v1/ratings/").status_code in (401, 403)


def test_the_ratings_api_filters_unsatisfied_ones(town):
    for score in (1, 4, 5):
        rating_submit(token=link_of(closed_case(town))[1], score=score)

    rows = api_for(town["staff"]).get("/api/v1/ratings/", {"score_max": 2}).json()["results"]

    assert [row["score"] for row in rows] == [1]
