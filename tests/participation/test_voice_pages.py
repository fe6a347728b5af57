"""The pages of proposals, surveys and ratings: staff pages (lists, a proposal with its
answer form, survey editing and results, ratings, the rating-link panel of the case page)
and the public pages that need no sign-in (rating through a link, answering a survey)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incidents.models import Ticket
from participation.models import (
    ProposalAnswer,
    ProposalSupport,
    Rating,
    Survey,
    SurveyQuestion,
    SurveyResponse,
)
from participation.services.proposals import proposal_answer, proposal_raise
from participation.services.satisfaction import rating_submit
from participation.services.surveys import survey_create, survey_open
from tests.participation.voice import age, build_town, closed_case, link_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def town():
    return build_town()


def browser(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _proposal(town, title="楼道照明", **fields):
    return proposal_raise(
        author=town["resident"],
        community=town["community"],
        kind="need",
        title=title,
        body="3号楼楼道灯坏了",
        **fields,
    )


# Proposals --------------------------------------------------------------------------------


def test_the_proposal_list_filters_by_status(town):
    waiting = _proposal(town, "加装座椅")
    declined = _proposal(town, "拆除围墙")
    proposal_answer(proposal=declined, answered_by=town["keeper"], status="declined", text="不可行")

    page = browser(town["keeper"]).get("/participation/proposals/", {"status": "declined"})

    assert page.status_code == 200
    assert f'data-proposal="{declined.pk}"' in page.text
    assert f'data-proposal="{waiting.pk}"' not in page.text
    assert browser().get("/participation/proposals/").status_code == 302


def test_the_proposal_list_costs_the_same_queries_for_more_rows(town):
    client = browser(town["keeper"])
    _proposal(town)
    with CaptureQueriesContext(connection) as few:
        client.get("/participation/proposals/")
    for n in range(10):
        _proposal(town, f"提议{n}")
    with CaptureQueriesContext(connection) as many:
        client.get("/participation/proposals/")
    assert len(many) == len(few)


def test_a_resident_raises_a_proposal_on_the_page(town):
    client = browser(town["neighbour"])
    refused = client.post("/participation/proposals/new/", {"kind": "need"})
    assert refused.status_code == 400 and "field-error" in refused.text

    response = client.post(
        "/participation/proposals/new/",
        {
            "community": town["community"].pk,
            "kind": "need",
            "title": "加装扶手",
            "body": "老人上楼难",
        },
    )

    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "加装扶手" in page.text and 'id="answer"' not in page.text


def test_keepers_see_the_answer_form_and_the_supporters(town):
    proposal = _proposal(town)
    ProposalSupport.objects.create(proposal=proposal, user=town["neighbour"], at=timezone.now())

    keeper_page = browser(town["keeper"]).get(f"/participation/proposals/{proposal.pk}/")
    worker_page = browser(town["worker"]).get(f"/participation/proposals/{proposal.pk}/")

    assert 'id="answer"' in keeper_page.text and "李明" in keeper_page.text
    assert 'id="answer"' not in worker_page.text and "李明" not in worker_page.text
    assert (
        browser(town["other_keeper"]).get(f"/participation/proposals/{proposal.pk}/").status_code
        == 404
    )


def test_supporting_on_the_page_counts_once(town):
    proposal = _proposal(town)
    client = browser(town["neighbour"])

    client.post(f"/participation/proposals/{proposal.pk}/support/")
    page = client.post(f"/participation/proposals/{proposal.pk}/support/", follow=True)

    assert "You support this proposal already." in page.text
    proposal.refresh_from_db()
    assert proposal.supporters == 1


def test_a_decline_without_a_reason_is_shown_on_the_form(town):
    proposal = _proposal(town)

    page = browser(town["keeper"]).post(
        f"/participation/proposals/{proposal.pk}/answer/",
        {"status": "declined", "text": " ", "version": proposal.version},
    )

    assert page.status_code == 400 and "field-error" in page.text
    assert not ProposalAnswer.objects.exists()


def test_accepting_on_the_page_makes_a_case_and_links_it(town):
    proposal = _proposal(town, grid=town["grid"])

    response = browser(town["staff"]).post(
        f"/participation/proposals/{proposal.pk}/answer/",
        {
            "status": "accepted",
            "text": "已立案",
            "make": "ticket",
            "category": town["category"].pk,
            "version": proposal.version,
        },
        follow=True,
    )

    ticket = Ticket.objects.get()
    assert f'href="/incidents/{ticket.pk}/"' in response.text and ticket.number in response.text
    assert 'id="answer"' not in response.text  # the answer is final


def test_an_answer_to_a_changed_proposal_is_409(town):
    proposal = _proposal(town)
    stale = proposal.version
    proposal_answer(proposal=proposal, answered_by=town["staff"], status="in_progress", text="跟进")

    page = browser(town["keeper"]).post(
        f"/participation/proposals/{proposal.pk}/answer/",
        {"status": "declined", "text": "重复", "version": stale},
    )

    assert page.status_code == 409
    assert ProposalAnswer.objects.count() == 1


def test_readers_who_do_not_keep_the_community_cannot_answer(town):
    proposal = _proposal(town)

    page = browser(town["supervisor"]).post(
        f"/participation/proposals/{proposal.pk}/answer/", {"status": "in_progress", "text": "x"}
    )

    assert page.status_code == 403


# Surveys ----------------------------------------------------------------------------------


def _survey(town, **kwargs) -> Survey:
    today = timezone.localdate()
    return survey_create(
        created_by=town["staff"],
        street=town["street"],
        title="环境满意度",
        opens_on=today,
        closes_on=today + timedelta(days=7),
        **kwargs,
    )


def test_staff_make_a_survey_write_its_questions_and_open_it(town):
    client = browser(town["staff"])
    today = timezone.localdate()
    made = client.post(
        "/participation/surveys/new/",
        {"street": town["street"].pk, "title": "调查", "opens_on": today, "closes_on": today},
    )
    survey = Survey.objects.get()
    assert made["Location"] == f"/participation/surveys/{survey.pk}/"

    saved = client.post(
        f"/participation/surveys/{survey.pk}/",
        {
            "version": survey.version,
            "title": "调查",
            "opens_on": today,
            "closes_on": today,
            "q-TOTAL_FORMS": 3,
            "q-INITIAL_FORMS": 0,
            "q-0-text": "满意吗",
            "q-0-kind": "rating",
            "q-0-required": "on",
            "q-1-text": "路灯",
            "q-1-kind": "choice",
            "q-1-choices": "好\n差",
            "q-2-text": "",
        },
    )
    assert saved.status_code == 302
    assert list(SurveyQuestion.objects.values_list("text", "kind", "choices")) == [
        ("满意吗", "rating", []),
        ("路灯", "choice", ["好", "差"]),
    ]
    client.post(f"/participation/surveys/{survey.pk}/open/")
    survey.refresh_from_db()
    assert survey.status == "open"
    assert (
        f"/public/surveys/{survey.pk}/" in client.get(f"/participation/surveys/{survey.pk}/").text
    )


def test_a_choice_question_without_choices_is_shown_on_its_row(town):
    survey = _survey(town)
    today = timezone.localdate()

    page = browser(town["staff"]).post(
        f"/participation/surveys/{survey.pk}/",
        {
            "title": "调查",
            "opens_on": today,
            "closes_on": today,
            "q-TOTAL_FORMS": 1,
            "q-INITIAL_FORMS": 0,
            "q-0-text": "路灯",
            "q-0-kind": "choice",
        },
    )

    assert page.status_code == 400 and "Give at least two different choices." in page.text
    assert not SurveyQuestion.objects.exists()


def test_the_results_page_draws_the_bars_per_community(town):
    survey = survey_open(
        survey=_survey(town, questions=[{"text": "满意吗", "kind": "rating"}]), by=town["staff"]
    )
    question = survey.questions.get()
    for community, score in [("community", 5), ("community", 5), ("other", 3)]:
        client = Client()  # three visitors, three sessions
        client.get(f"/public/surveys/{survey.pk}/")
        client.post(
            f"/public/surveys/{survey.pk}/",
            {"community": town[community].pk, f"q_{question.pk}": score},
        )
    assert SurveyResponse.objects.count() == 3

    everyone = browser(town["keeper"]).get(f"/participation/surveys/{survey.pk}/results/")
    mine = browser(town["keeper"]).get(
        f"/participation/surveys/{survey.pk}/results/", {"community": town["community"].pk}
    )

    assert "4.33" in everyone.text and "<svg" in everyone.text
    assert re.search(r'data-label="5" data-count="2"', everyone.text)
    assert "5.00" in mine.text and re.search(r'data-label="3" data-count="0"', mine.text)


# Ratings ----------------------------------------------------------------------------------


def test_the_ratings_page_lists_scores_and_comments_and_filters_the_unsatisfied(town):
    good = closed_case(town)
    bad = closed_case(town)
    rating_submit(token=link_of(good)[1], score=5, comment="很满意")
    rating_submit(token=link_of(bad)[1], score=1, comment="没人来")

    page = browser(town["staff"]).get("/participation/ratings/", {"score": "unsatisfied"})

    assert page.status_code == 200
    assert "没人来" in page.text and "很满意" not in page.text
    assert bad.number in page.text


def test_the_case_page_shows_the_link_and_keepers_issue_a_new_one_once(town):
    ticket = closed_case(town)
    _link, old = link_of(ticket)

    page = browser(town["staff"]).get(f"/incidents/{ticket.pk}/")
    assert 'id="rating-links"' in page.text and "issued, not used yet" in page.text
    assert old not in page.text
    issued = browser(town["staff"]).post(f"/participation/ratings/links/{ticket.pk}/")

    assert issued.status_code == 200 and "no-store" in issued["Cache-Control"]
    token = re.search(r"/public/rate/([^/<]+)/", issued.text).group(1)
    assert token != old
    assert rating_submit(token=token, score=4).score == 4
    refused = browser(town["supervisor"]).post(f"/participation/ratings/links/{ticket.pk}/")
    assert refused.status_code == 403


def test_cases_found_by_staff_show_no_rating_link_panel(town):
    from tests.participation.voice import close, public_case

    ticket = close(town, public_case(town, source="patrol", reporter=town["worker"]))

    page = browser(town["staff"]).get(f"/incidents/{ticket.pk}/")

    assert page.status_code == 200 and 'id="rating-links"' not in page.text


# The public rating page -------------------------------------------------------------------


def test_the_reporter_rates_through_the_link_without_signing_in(town):
    ticket = closed_case(town)
    _link, token = link_of(ticket)
    client = Client()

    form = client.get(f"/public/rate/{token}/")
    assert form.status_code == 200 and ticket.number in form.text
    assert "王秀英" not in form.text  # nothing the page need not show
    done = client.post(f"/public/rate/{token}/", {"score": 4, "comment": "挺快"}, follow=True)

    assert 'data-state="used"' in done.text and "4 of 5" in done.text
    assert Rating.objects.get().comment == "挺快"


def test_an_unsatisfied_rating_on_the_page_says_the_case_is_reopened(town):
    _link, token = link_of(closed_case(town))

    page = Client().post(f"/public/rate/{token}/", {"score": 1}, follow=True)

    assert "The case is reopened" in page.text
    assert Ticket.objects.get().status == "rework"


def test_the_rating_page_answers_unknown_expired_and_used_links(town):
    ticket = closed_case(town)
    _link, token = link_of(ticket)

    assert Client().get("/public/rate/no-such-link/").status_code == 404
    age(ticket, days=8)
    expired = Client().get(f"/public/rate/{token}/")
    assert expired.status_code == 410 and 'data-state="expired"' in expired.text
    posted = Client().post(f"/public/rate/{token}/", {"score": 1})
    assert posted.status_code == 410 and not Rating.objects.exists()


def test_a_rating_with_the_honeypot_filled_writes_nothing(town):
    _link, token = link_of(closed_case(town))

    page = Client().post(f"/public/rate/{token}/", {"score": 5, "website": "http://spam"})

    assert page.status_code == 400 and not Rating.objects.exists()


def test_a_bad_score_is_400_on_the_form(town):
    _link, token = link_of(closed_case(town))

    page = Client().post(f"/public/rate/{token}/", {"score": 9})

    assert page.status_code == 400 and "field-error" in page.text
    assert not Rating.objects.exists()


def test_rating_look_ups_are_rate_limited(town, settings):
    settings.PUBLIC_FOLLOW_RATE = "2/m"
    client = Client()

    statuses = [client.get("/public/rate/no-such-link/").status_code for _ in range(3)]

    assert statuses == [404, 404, 429]


# The public survey page -------------------------------------------------------------------


@pytest.fixture
def open_survey(town):
    return survey_open(
        survey=_survey(
            town,
            questions=[
                {"text": "满意吗", "kind": "rating"},
                {"text": "路灯", "kind": "choice", "choices": ["好", "差"]},
                {"text": "建议", "kind": "text", "required": False},
            ],
        ),
        by=town["staff"],
    )


def _answers(survey, town, **overrides) -> dict:
    rating, choice, text = survey.questions.order_by("order")
    return {
        "community": town["community"].pk,
        f"q_{rating.pk}": 4,
        f"q_{choice.pk}": "好",
        f"q_{text.pk}": "多种树",
        **overrides,
    }


def test_a_visitor_answers_a_survey_once(town, open_survey):
    client = Client()
    url = f"/public/surveys/{open_survey.pk}/"
    assert "满意吗" in client.get(url).text

    first = client.post(url, _answers(open_survey, town), follow=True)
    second = client.post(url, _answers(open_survey, town), follow=True)

    assert 'id="survey-answered"' in first.text and 'id="survey-answered"' in second.text
    assert SurveyResponse.objects.count() == 1
    assert SurveyResponse.objects.get().community == town["community"]


def test_a_signed_in_resident_answers_once_whatever_the_browser(town, open_survey):
    url = f"/public/surveys/{open_survey.pk}/"
    browser(town["resident"]).post(url, _answers(open_survey, town))
    browser(town["resident"]).post(url, _answers(open_survey, town))

    assert SurveyResponse.objects.count() == 1


def test_a_missing_answer_or_a_foreign_choice_is_400_on_the_form(town, open_survey):
    rating, choice, _text = open_survey.questions.order_by("order")
    url = f"/public/surveys/{open_survey.pk}/"

    missing = Client().post(url, _answers(open_survey, town, **{f"q_{rating.pk}": ""}))
    foreign = Client().post(url, _answers(open_survey, town, **{f"q_{choice.pk}": "一般"}))
    no_community = Client().post(url, _answers(open_survey, town, community=""))

    assert missing.status_code == foreign.status_code == no_community.status_code == 400
    assert not SurveyResponse.objects.exists()


def test_a_survey_answer_with_the_honeypot_filled_writes_nothing(town, open_survey):
    page = Client().post(
        f"/public/surveys/{open_survey.pk}/", _answers(open_survey, town, website="x")
    )

    assert page.status_code == 400 and not SurveyResponse.objects.exists()


def test_a_survey_that_is_not_open_is_404(town):
    draft = _survey(town, questions=[{"text": "满意吗", "kind": "rating"}])

    assert Client().get(f"/public/surveys/{draft.pk}/").status_code == 404
    assert Client().get("/public/surveys/999999/").status_code == 404
