"""Reads of surveys and their results.

A street-wide survey is read by everyone working in the street or in part of it; a
community's survey like any row of the community. Results are aggregated per community of
the respondents in a fixed number of queries, whatever the number of responses.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from grids.models import Community, Street
from participation.choices import QuestionKind, SurveyStatus
from participation.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from participation.selectors.common import community_q, keeper_places, signed_in, street_q


def survey_list(*, user) -> QuerySet[Survey]:
    """Surveys of the places the user works in, newest first, with their questions."""
    if not signed_in(user):
        return Survey.objects.none()
    surveys = (
        Survey.objects.select_related("street", "community", "created_by")
        .prefetch_related("questions")
        .annotate(response_count=Count("responses", distinct=True))
    )
    streets, communities = street_q(user), community_q(user)
    if not streets and not communities:  # empty Qs: everywhere
        return surveys
    return surveys.filter(
        (Q(community__isnull=True) & streets) | (Q(community__isnull=False) & communities)
    )


def survey_keeper_places(*, user) -> tuple[QuerySet[Street], QuerySet[Community]]:
    """The streets and communities the user may make surveys of (a community keeper's
    street is listed for its community's surveys; the service decides)."""
    places = keeper_places(user)
    streets = Street.objects.order_by("code")
    communities = Community.objects.select_related("street").order_by("code")
    if places.is_global:
        return streets, communities
    if places.empty:
        return streets.none(), communities.none()
    communities = communities.filter(
        Q(street__district_id__in=places.district_ids)
        | Q(street_id__in=places.street_ids)
        | Q(pk__in=places.community_ids)
    )
    streets = streets.filter(
        Q(district_id__in=places.district_ids)
        | Q(pk__in=places.street_ids)
        | Q(communities__in=places.community_ids)
    ).distinct()
    return streets, communities


def public_survey(*, pk: int) -> Survey | None:
    """An open survey the public may answer today (with its questions), or None."""
    today = timezone.localdate()
    return (
        Survey.objects.select_related("street", "community")
        .prefetch_related("questions")
        .filter(pk=pk, status=SurveyStatus.OPEN, opens_on__lte=today, closes_on__gte=today)
        .first()
    )


def has_answered(*, survey: Survey, respondent_key: str) -> bool:
    return SurveyResponse.objects.filter(survey=survey, respondent_key=respondent_key).exists()


def survey_communities(survey: Survey) -> QuerySet[Community]:
    """The communities a respondent may answer for: the survey's, or every community of
    its street."""
    if survey.community_id is not None:
        return Community.objects.filter(pk=survey.community_id)
    return Community.objects.filter(street_id=survey.street_id).order_by("code")


@dataclass
class QuestionResult:
    """One question's figures among some respondents: ``count`` answers; for a rating the
    ``mean`` and the ``distribution`` of 1–5, for a choice the count of each choice (in
    the question's order), for free text the ``texts``."""

    question: SurveyQuestion
    count: int = 0
    mean: float | None = None
    distribution: dict[int, int] = field(default_factory=dict)
    choices: dict[str, int] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)

    @property
    def most(self) -> int:
        """The largest bar (for drawing)."""
        values = list(self.distribution.values()) + list(self.choices.values())
        return max(values, default=0)


@dataclass
class CommunityResult:
    """The results among the respondents of one community (``community`` None: all)."""

    community: Community | None
    responses: int
    questions: list[QuestionResult]


def _blank(questions: list[SurveyQuestion]) -> dict[int, QuestionResult]:
    results = {}
    for question in questions:
        result = QuestionResult(question=question)
        if question.kind == QuestionKind.RATING:
            result.distribution = {value: 0 for value in range(1, 6)}
        elif question.kind == QuestionKind.CHOICE:
            result.choices = {str(choice): 0 for choice in question.choices}
        results[question.pk] = result
    return results


def _finish(results: dict[int, QuestionResult]) -> list[QuestionResult]:
    for result in results.values():
        if result.question.kind == QuestionKind.RATING and result.count:
            total = sum(value * n for value, n in result.distribution.items())
            result.mean = round(total / result.count, 2)
    return list(results.values())


def _grouped(answers: QuerySet[SurveyAnswer], column: str):
    """(community id, question id, value, count) of the answers grouped by ``column``."""
    return (
        answers.values("response__community_id", "question_id", column)
        .annotate(n=Count("pk"))
        .values_list("response__community_id", "question_id", column, "n")
    )


def survey_results(*, survey: Survey, with_texts: bool = True) -> list[CommunityResult]:
    """The survey's results: first over all respondents (``community`` None), then per
    community of the respondents, in code order. Free texts are listed only
    ``with_texts`` (for staff). A fixed number of queries, whatever the responses."""
    questions = list(SurveyQuestion.objects.filter(survey=survey).order_by("order", "pk"))
    per: dict[int | None, dict[int, QuestionResult]] = defaultdict(lambda: _blank(questions))
    answers = SurveyAnswer.objects.filter(response__survey=survey)

    def add(community_id: int, question_id: int, n: int) -> list[QuestionResult]:
        touched = [per[None][question_id], per[community_id][question_id]]
        for result in touched:
            result.count += n
        return touched

    for community_id, question_id, value, n in _grouped(
        answers.filter(rating__isnull=False), "rating"
    ):
        for result in add(community_id, question_id, n):
            result.distribution[value] = result.distribution.get(value, 0) + n
    for community_id, question_id, choice, n in _grouped(answers.exclude(choice=""), "choice"):
        for result in add(community_id, question_id, n):
            result.choices[choice] = result.choices.get(choice, 0) + n
    texts = answers.exclude(text="")
    if with_texts:
        rows = texts.order_by("response__at", "pk").values_list(
            "response__community_id", "question_id", "text"
        )
        for community_id, question_id, text in rows:
            for result in add(community_id, question_id, 1):
                result.texts.append(text)
    else:
        counted = (
            texts.values("response__community_id", "question_id")
            .annotate(n=Count("pk"))
            .values_list("response__community_id", "question_id", "n")
        )
        for community_id, question_id, n in counted:
            add(community_id, question_id, n)
    responses = dict(
        SurveyResponse.objects.filter(survey=survey)
        .values("community_id")
        .annotate(n=Count("pk"))
        .values_list("community_id", "n")
    )
    results = [CommunityResult(None, sum(responses.values()), _finish(per[None]))]
    for community in Community.objects.filter(pk__in=list(responses)).order_by("code"):
        results.append(
            CommunityResult(community, responses[community.pk], _finish(per[community.pk]))
        )
    return results
