"""Writes of surveys: keepers make a survey of their street or of one community with its
questions (a rating from 1 to 5, one choice, or free text), open it and close it; the
public answers an open survey once per person.

"Once per person" is a keyed hash (HMAC with SECRET_KEY) of the signed-in user's id or
else of the browser's session, specific to the survey (``respondent_key``): it tells a
second answer from the same person apart and identifies nobody. Someone who clears their
cookies can answer again; a survey is an opinion poll, not a vote.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.exceptions import StaleObjectError
from gridgov.versioning import save_versioned
from grids.models import Community, Street
from participation.choices import QuestionKind, SurveyStatus
from participation.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from participation.selectors.common import keeps
from participation.selectors.surveys import survey_communities
from participation.services.places import place_in_street

MAX_QUESTIONS = 30
MAX_QUESTION_LENGTH = SurveyQuestion._meta.get_field("text").max_length
MAX_CHOICES = 12
MAX_CHOICE_LENGTH = 100
MAX_TEXT = 2000
EDITABLE = ("title", "description", "opens_on", "closes_on", "community", "questions")


def respondent_key(*, survey: Survey, user=None, session_key: str = "") -> str:
    """Who answers ``survey``, as a keyed hash of the signed-in user's id or else of the
    session key; different for every survey."""
    if user is not None and user.is_authenticated:
        who = f"user:{user.pk}"
    elif session_key:
        who = f"session:{session_key}"
    else:
        raise ValueError("a respondent is a signed-in user or a session")
    message = f"survey-respondent:{survey.pk}:{who}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _question(index: int, raw: Mapping[str, Any], errors: dict[str, str]) -> SurveyQuestion:
    key = f"questions.{index}"
    text = str(raw.get("text") or "").strip()
    kind = raw.get("kind")
    choices = raw.get("choices") or []
    if not text:
        errors[f"{key}.text"] = _("Write the question.")
    elif len(text) > MAX_QUESTION_LENGTH:
        errors[f"{key}.text"] = _("Keep a question under %(limit)d characters.") % {
            "limit": MAX_QUESTION_LENGTH
        }
    if kind not in QuestionKind.values:
        errors[f"{key}.kind"] = _("Choose a rating, one choice or free text.")
    if not isinstance(choices, list | tuple):
        choices = [choices]
    choices = [str(choice).strip() for choice in choices]
    if kind == QuestionKind.CHOICE:
        if len(choices) < 2 or len(set(choices)) != len(choices) or "" in choices:
            errors[f"{key}.choices"] = _("Give at least two different choices.")
        elif len(choices) > MAX_CHOICES or max(map(len, choices)) > MAX_CHOICE_LENGTH:
            errors[f"{key}.choices"] = _(
                "At most %(n)d choices of up to %(length)d characters each."
            ) % {"n": MAX_CHOICES, "length": MAX_CHOICE_LENGTH}
    elif choices:
        errors[f"{key}.choices"] = _("Only a one-choice question has choices.")
    return SurveyQuestion(
        order=index,
        text=text,
        kind=kind or "",
        choices=choices if kind == QuestionKind.CHOICE else [],
        required=bool(raw.get("required", True)),
    )


def _questions(raw: Sequence[Mapping[str, Any]]) -> list[SurveyQuestion]:
    """Unsaved questions from plain dicts (text, kind, choices, required), checked."""
    if len(raw) > MAX_QUESTIONS:
        raise ValidationError({"questions": _("At most %(n)d questions.") % {"n": MAX_QUESTIONS}})
    errors: dict[str, str] = {}
    questions = [_question(index, item, errors) for index, item in enumerate(raw)]
    if errors:
        raise ValidationError(errors)
    return questions


def _check(survey: Survey) -> None:
    if survey.community is not None and survey.community.street_id != survey.street_id:
        raise ValidationError({"community": _("The community lies in another street.")})
    if survey.opens_on and survey.closes_on and survey.closes_on < survey.opens_on:
        raise ValidationError({"closes_on": _("A survey closes on or after the day it opens.")})


def _keeper(by, survey: Survey) -> None:
    if not keeps(by, survey):
        raise PermissionDenied(_("Only keepers of the place make and change its surveys."))


@transaction.atomic
def survey_create(
    *,
    created_by,
    street: Street,
    title: str,
    opens_on: date,
    closes_on: date,
    community: Community | None = None,
    description: str = "",
    questions: Sequence[Mapping[str, Any]] = (),
) -> Survey:
    """A draft survey of ``street`` (or of one of its communities) with its questions."""
    survey = Survey(
        community=community,
        title=title,
        description=description,
        opens_on=opens_on,
        closes_on=closes_on,
        created_by=created_by,
    )
    place_in_street(survey, street)
    _keeper(created_by, survey)
    _check(survey)
    rows = _questions(questions)
    survey.full_clean()
    survey.save()
    for row in rows:
        row.survey = survey
    SurveyQuestion.objects.bulk_create(rows)
    return survey


@transaction.atomic
def survey_update(
    *, survey: Survey, by, expected_version: int | None = None, **fields: Any
) -> Survey:
    """Change a draft survey: title, description, days, community and ``questions`` (which
    replace the old ones). An open survey changes only its title, description and closing
    day; a closed one not at all."""
    _keeper(by, survey)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    if survey.status == SurveyStatus.CLOSED:
        raise ValidationError(_("A closed survey is not changed."))
    if survey.status == SurveyStatus.OPEN:
        frozen = set(fields) & {"opens_on", "community", "questions"}
        if frozen:
            raise ValidationError(
                {name: _("An open survey keeps this as it is.") for name in sorted(frozen)}
            )
    questions = fields.pop("questions", None)
    rows = _questions(questions) if questions is not None else None
    for name, value in fields.items():
        setattr(survey, name, value)
    _check(survey)
    if survey.status == SurveyStatus.OPEN and survey.closes_on < timezone.localdate():
        raise ValidationError({"closes_on": _("An open survey cannot close in the past.")})
    survey.full_clean()
    survey = save_versioned(survey, expected_version=expected_version)
    if rows is not None:
        survey.questions.all().delete()  # a draft has no answers yet
        for row in rows:
            row.survey = survey
        SurveyQuestion.objects.bulk_create(rows)
    return survey


def _move(survey: Survey, by, expected_version: int | None, old: str, new: str) -> Survey:
    seen = survey.version if expected_version is None else expected_version
    now = timezone.now()
    changed = Survey.objects.filter(pk=survey.pk, version=seen, status=old).update(
        status=new, version=F("version") + 1, updated_at=now
    )
    if not changed:
        raise StaleObjectError(f"survey {survey.pk} changed since version {seen}")
    survey.status, survey.version, survey.updated_at = new, seen + 1, now
    return survey


@transaction.atomic
def survey_open(*, survey: Survey, by, expected_version: int | None = None) -> Survey:
    """Open a draft survey with at least one question, before its closing day has passed
    (the public answers it from its opening day)."""
    _keeper(by, survey)
    if survey.status != SurveyStatus.DRAFT:
        raise ValidationError({"status": _("Only a draft survey is opened.")})
    if not survey.questions.exists():
        raise ValidationError({"questions": _("Add a question before opening the survey.")})
    if survey.closes_on < timezone.localdate():
        raise ValidationError({"closes_on": _("The closing day has passed: move it first.")})
    return _move(survey, by, expected_version, SurveyStatus.DRAFT, SurveyStatus.OPEN)


@transaction.atomic
def survey_close(*, survey: Survey, by, expected_version: int | None = None) -> Survey:
    """Close an open survey: it takes no more answers."""
    _keeper(by, survey)
    if survey.status != SurveyStatus.OPEN:
        raise ValidationError({"status": _("Only an open survey is closed.")})
    return _move(survey, by, expected_version, SurveyStatus.OPEN, SurveyStatus.CLOSED)


def _answer(question: SurveyQuestion, raw: Any) -> SurveyAnswer | str | None:
    """The answer to ``question`` from ``raw``, None when unanswered, or an error."""
    value = raw.strip() if isinstance(raw, str) else raw
    if value in (None, "", []):
        return _("Answer this question.") if question.required else None
    if question.kind == QuestionKind.RATING:
        try:
            rating = int(value)
        except (TypeError, ValueError):
            rating = 0
        if not 1 <= rating <= 5 or str(rating) != str(value):
            return _("Rate from 1 to 5.")
        return SurveyAnswer(question=question, rating=rating)
    if question.kind == QuestionKind.CHOICE:
        if str(value) not in question.choices:
            return _("Choose one of the choices offered.")
        return SurveyAnswer(question=question, choice=str(value))
    if len(str(value)) > MAX_TEXT:
        return _("Keep the answer under %(n)d characters.") % {"n": MAX_TEXT}
    return SurveyAnswer(question=question, text=str(value))


@transaction.atomic
def survey_respond(
    *,
    survey: Survey,
    respondent_key: str,
    answers: Mapping[Any, Any],
    community: Community | None = None,
) -> SurveyResponse:
    """One respondent's answers (by question id) to an open survey, from ``community``
    (required for a street-wide survey). Every required question is answered, ratings are
    1–5 and choices among the question's; errors are named ``q_<question id>``. A second
    response of the same respondent is refused."""
    today = timezone.localdate()
    if survey.status != SurveyStatus.OPEN or not survey.opens_on <= today <= survey.closes_on:
        raise ValidationError(_("This survey is not open for answers."))
    if community is None and survey.community_id is not None:
        community = survey.community
    if community is None:
        raise ValidationError({"community": _("Choose your community.")})
    if not survey_communities(survey).filter(pk=community.pk).exists():
        raise ValidationError({"community": _("This survey is not for that community.")})
    questions = list(survey.questions.all())
    given = {str(key): value for key, value in answers.items()}
    unknown = set(given) - {str(question.pk) for question in questions}
    if unknown:
        raise ValidationError(
            _("These are not questions of this survey: %(questions)s.")
            % {"questions": ", ".join(sorted(unknown))}
        )
    errors, rows = {}, []
    for question in questions:
        answer = _answer(question, given.get(str(question.pk)))
        if isinstance(answer, str):
            errors[f"q_{question.pk}"] = answer
        elif answer is not None:
            rows.append(answer)
    if errors:
        raise ValidationError(errors)
    response = SurveyResponse(
        survey=survey, community=community, respondent_key=respondent_key, at=timezone.now()
    )
    try:
        with transaction.atomic():  # a savepoint: the unique constraint decides races
            response.save()
    except IntegrityError:
        raise ValidationError(_("You have answered this survey already. Thank you!")) from None
    for row in rows:
        row.response = response
    SurveyAnswer.objects.bulk_create(rows)
    return response
