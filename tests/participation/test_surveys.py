"""Surveys: keepers make them with questions (rating, one choice, free text), open and close
them through the API; the public answers once per person, every required question, choices
checked; results per community equal the figures counted by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from participation.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from participation.selectors.surveys import survey_results
from participation.services.surveys import (
    respondent_key,
    survey_close,
    survey_create,
    survey_open,
    survey_respond,
)
from tests import factories
from tests.participation.voice import api_for, build_town

pytestmark = pytest.mark.django_db

QUESTIONS = [
    {"text": "您对社区环境的满意度", "kind": "rating"},
    {"text": "夜间照明如何", "kind": "choice", "choices": ["好", "一般", "差"]},
    {"text": "其他建议", "kind": "text", "required": False},
]


@pytest.fixture
def town():
    return build_town()


def _survey(town, *, community=None, questions=QUESTIONS, open_it=True) -> Survey:
    today = timezone.localdate()
    survey = survey_create(
        created_by=town["staff"],
        street=town["street"],
        community=community,
        title="2026年社区满意度调查",
        opens_on=today,
        closes_on=today + timedelta(days=14),
        questions=questions,
    )
    if open_it:
        survey = survey_open(survey=survey, by=town["staff"])
    return survey


def _ids(survey) -> list[int]:
    return list(survey.questions.order_by("order").values_list("pk", flat=True))


def _attrs(response) -> set[str]:
    return {error["attr"] for error in response.json()["errors"]}


# Making surveys ---------------------------------------------------------------------------


def test_street_staff_make_a_street_wide_survey_with_questions(town):
    response = api_for(town["staff"]).post(
        "/api/v1/surveys/",
        {
            "street": town["street"].pk,
            "title": "满意度调查",
            "opens_on": str(timezone.localdate()),
            "closes_on": str(timezone.localdate() + timedelta(days=7)),
            "questions": QUESTIONS,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["community"], body["responses"]) == ("draft", None, 0)
    assert [(q["order"], q["kind"], q["required"]) for q in body["questions"]] == [
        (0, "rating", True),
        (1, "choice", True),
        (2, "text", False),
    ]
    assert body["questions"][1]["choices"] == ["好", "一般", "差"]


def test_community_staff_make_surveys_of_their_community_only(town):
    client = api_for(town["keeper"])
    body = {
        "street": town["street"].pk,
        "title": "社区调查",
        "opens_on": str(timezone.localdate()),
        "closes_on": str(timezone.localdate()),
        "questions": QUESTIONS[:1],
    }

    assert client.post("/api/v1/surveys/", body, format="json").status_code == 403
    mine = client.post(
        "/api/v1/surveys/", {**body, "community": town["community"].pk}, format="json"
    )
    assert mine.status_code == 201
    assert Survey.objects.count() == 1


def test_bad_questions_are_400_naming_each_and_nothing_is_written(town):
    response = api_for(town["staff"]).post(
        "/api/v1/surveys/",
        {
            "street": town["street"].pk,
            "title": "调查",
            "opens_on": str(timezone.localdate()),
            "closes_on": str(timezone.localdate() - timedelta(days=1)),
            "questions": [
                {"text": "满意度", "kind": "rating", "choices": ["a"]},
                {"text": "选择", "kind": "choice", "choices": ["同一", "同一"]},
                {"text": "", "kind": "text"},
            ],
        },
        format="json",
    )

    assert response.status_code == 400
    assert not Survey.objects.exists() and not SurveyQuestion.objects.exists()
    again = api_for(town["staff"]).post(
        "/api/v1/surveys/",
        {
            "street": town["street"].pk,
            "title": "调查",
            "opens_on": str(timezone.localdate()),
            "closes_on": str(timezone.localdate()),
            "questions": [
                {"text": "满意度", "kind": "rating", "choices": ["a"]},
                {"text": "选择", "kind": "choice", "choices": ["同一", "同一"]},
            ],
        },
        format="json",
    )
    assert _attrs(again) == {"questions.0.choices", "questions.1.choices"}
    assert not Survey.objects.exists()


def test_a_draft_is_edited_with_if_match_and_its_questions_replaced(town):
    survey = _survey(town, open_it=False)
    client = api_for(town["staff"])
    url = f"/api/v1/surveys/{survey.pk}/"
    etag = client.get(url)["ETag"]

    assert client.patch(url, {"title": "新标题"}, format="json").status_code == 428
    response = client.patch(
        url, {"questions": QUESTIONS[:1]}, format="json", headers={"If-Match": etag}
    )

    assert response.status_code == 200, response.content
    assert [q["text"] for q in response.json()["questions"]] == ["您对社区环境的满意度"]
    assert SurveyQuestion.objects.filter(survey=survey).count() == 1


def test_an_open_survey_keeps_its_questions(town):
    survey = _survey(town)
    client = api_for(town["staff"])
    url = f"/api/v1/surveys/{survey.pk}/"

    response = client.patch(
        url, {"questions": QUESTIONS[:1]}, format="json", headers={"If-Match": "*"}
    )

    assert response.status_code == 400 and _attrs(response) == {"questions"}
    assert SurveyQuestion.objects.filter(survey=survey).count() == 3


def test_opening_needs_a_question_and_closing_an_open_survey(town):
    survey = _survey(town, questions=[], open_it=False)
    client = api_for(town["staff"])

    assert client.post(f"/api/v1/surveys/{survey.pk}/close/").status_code == 400
    refused = client.post(f"/api/v1/surveys/{survey.pk}/open/")
    assert refused.status_code == 400 and _attrs(refused) == {"questions"}
    SurveyQuestion.objects.create(survey=survey, text="满意吗", kind="rating")
    assert client.post(f"/api/v1/surveys/{survey.pk}/open/").json()["status"] == "open"
    assert client.post(f"/api/v1/surveys/{survey.pk}/close/").json()["status"] == "closed"
    assert api_for(town["worker"]).post(f"/api/v1/surveys/{survey.pk}/open/").status_code == 403


def test_surveys_are_read_where_people_work(town):
    street_wide = _survey(town)
    other = _survey(town, community=town["other"])

    def ids(who):
        return {row["id"] for row in api_for(town[who]).get("/api/v1/surveys/").json()["results"]}

    assert ids("keeper") == {street_wide.pk}
    assert ids("other_keeper") == {street_wide.pk, other.pk}
    assert ids("worker") == {street_wide.pk}
    assert ids("staff") == ids("supervisor") == {street_wide.pk, other.pk}
    assert ids("neighbour") == set()


# Answering --------------------------------------------------------------------------------


def _respond(survey, who: str, answers: list, community, **kwargs):
    return survey_respond(
        survey=survey,
        respondent_key=respondent_key(survey=survey, session_key=who),
        answers=dict(zip(_ids(survey), answers, strict=False)),
        community=community,
        **kwargs,
    )


def test_a_respondent_answers_once(town):
    survey = _survey(town)
    _respond(survey, "browser-1", [5, "好", ""], town["community"])

    with pytest.raises(ValidationError) as refusal:
        _respond(survey, "browser-1", [1, "差", ""], town["community"])

    assert "already" in refusal.value.messages[0]
    assert SurveyResponse.objects.count() == 1 and SurveyAnswer.objects.count() == 2


def test_every_required_question_is_answered_and_choices_are_checked(town):
    survey = _survey(town)
    rating, choice, _text = _ids(survey)

    with pytest.raises(ValidationError) as refusal:
        _respond(survey, "b", [7, "很好"], town["community"])

    assert refusal.value.message_dict == {
        f"q_{rating}": ["Rate from 1 to 5."],
        f"q_{choice}": ["Choose one of the choices offered."],
    }
    with pytest.raises(ValidationError) as missing:
        _respond(survey, "b", [4], town["community"])
    assert list(missing.value.message_dict) == [f"q_{choice}"]
    assert not SurveyResponse.objects.exists()


def test_a_street_wide_survey_asks_for_a_community_of_its_street(town):
    survey = _survey(town)
    foreign = factories.community(parent=factories.street(number=9))

    with pytest.raises(ValidationError) as none:
        _respond(survey, "b", [4, "好"], None)
    with pytest.raises(ValidationError) as elsewhere:
        _respond(survey, "b", [4, "好"], foreign)

    assert list(none.value.message_dict) == list(elsewhere.value.message_dict) == ["community"]
    assert _respond(survey, "b", [4, "好"], town["other"]).community == town["other"]


def test_a_community_survey_takes_its_own_community(town):
    survey = _survey(town, community=town["community"])

    assert _respond(survey, "b", [3, "一般"], None).community == town["community"]
    with pytest.raises(ValidationError):
        _respond(survey, "c", [3, "一般"], town["other"])


def test_a_closed_survey_takes_no_answers(town):
    survey = survey_close(survey=_survey(town), by=town["staff"])

    with pytest.raises(ValidationError):
        _respond(survey, "b", [3, "一般"], town["community"])


def test_respondent_keys_differ_by_survey_and_by_person(town):
    first, second = _survey(town), _survey(town)
    keys = {
        respondent_key(survey=first, user=town["resident"]),
        respondent_key(survey=second, user=town["resident"]),
        respondent_key(survey=first, user=town["neighbour"]),
        respondent_key(survey=first, session_key="abc"),
    }
    assert len(keys) == 4 and all(len(key) == 64 for key in keys)


# Results ----------------------------------------------------------------------------------


@pytest.fixture
def answered(town):
    survey = _survey(town)
    for who, community, answers in (
        ("a", "community", [5, "好", "很好"]),
        ("b", "community", [4, "好", ""]),
        ("c", "community", [2, "差", "路灯坏"]),
        ("d", "other", [3, "一般", ""]),
        ("e", "other", [5, "好", "满意"]),
    ):
        _respond(survey, who, answers, town[community])
    return survey


def _figures(result) -> tuple:
    rating, choice, text = result.questions
    return (
        result.responses,
        (rating.count, rating.mean, rating.distribution),
        (choice.count, choice.choices),
        (text.count, sorted(text.texts)),
    )


def test_results_per_community_equal_the_hand_counted_figures(town, answered):
    everyone, mine, other = survey_results(survey=answered)

    assert (mine.community, other.community) == (town["community"], town["other"])
    assert _figures(everyone) == (
        5,
        (5, 3.8, {1: 0, 2: 1, 3: 1, 4: 1, 5: 2}),
        (5, {"好": 3, "一般": 1, "差": 1}),
        (3, ["很好", "满意", "路灯坏"]),
    )
    assert _figures(mine) == (
        3,
        (3, 3.67, {1: 0, 2: 1, 3: 0, 4: 1, 5: 1}),
        (3, {"好": 2, "一般": 0, "差": 1}),
        (2, ["很好", "路灯坏"]),
    )
    assert _figures(other) == (
        2,
        (2, 4.0, {1: 0, 2: 0, 3: 1, 4: 0, 5: 1}),
        (2, {"好": 1, "一般": 1, "差": 0}),
        (1, ["满意"]),
    )


def test_the_results_action_gives_the_same_figures(town, answered):
    response = api_for(town["keeper"]).get(f"/api/v1/surveys/{answered.pk}/results/")

    assert response.status_code == 200
    everyone, mine, other = response.json()
    assert (everyone["community"], mine["community"], other["community"]) == (
        None,
        town["community"].pk,
        town["other"].pk,
    )
    rating, choice, text = mine["questions"]
    assert (rating["mean"], rating["distribution"]["5"], choice["choices"]["差"]) == (3.67, 1, 1)
    assert text["count"] == 2 and other["responses"] == 2
    assert (
        api_for(town["neighbour"]).get(f"/api/v1/surveys/{answered.pk}/results/").status_code == 404
    )
