"""Residents' satisfaction: the rating of a closed case through a link that needs no
sign-in, and periodic community surveys.

A rating link is a random token; only its SHA-256 is stored, so the table cannot be used
to rate someone else's case. An unsatisfied rating within the window reopens the case
(through the workflow, as the system). Ratings and survey responses are append-only.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.models import VersionedModel
from grids.models import Community, Grid
from incidents.models import Ticket
from participation.choices import QuestionKind, RatingChannel, SurveyStatus
from participation.models.places import InCommunity, InStreet


class RatingInvitation(models.Model):
    """The rating link of one closing of a public case (a reopened case that closes again
    gets a new one). Valid until ``expires_at``, used once."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.PROTECT, related_name="+", verbose_name=_("case")
    )
    closed_at = models.DateTimeField(_("case closed at"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    mailed_at = models.DateTimeField(_("sent by e-mail at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rating link")
        verbose_name_plural = _("rating links")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "closed_at"], name="rating_invitation_once_per_closing"
            ),
        ]

    def __str__(self) -> str:
        return _("Rating link #%(id)s") % {"id": self.pk}


class Rating(InCommunity):
    """A reporter's rating of a closed case, 1–5 with a comment; ``reopened`` when it was
    unsatisfied and reopened the case. The case's grid and scope are copied so that ratings
    are listed by scope without a join. Append-only."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.PROTECT, related_name="+", verbose_name=_("case")
    )
    invitation = models.OneToOneField(
        RatingInvitation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rating",
        editable=False,
    )
    score = models.PositiveSmallIntegerField(
        pgettext_lazy("rating", "score"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(pgettext_lazy("rating", "comment"), max_length=2000, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=RatingChannel.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    at = models.DateTimeField(_("at"))
    reopened = models.BooleanField(_("reopened the case"), default=False)
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="+", editable=False)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.score}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise TypeError("ratings are history: they are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("ratings are history: they are never deleted")


class Survey(InStreet, VersionedModel):
    """A satisfaction survey of a street, or of one of its communities, open between two
    days. Results are aggregated per community of the respondents."""

    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("community"),
    )
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    status = models.CharField(
        _("status"), max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("creator", "created by"),
    )

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-opens_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="survey_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SurveyQuestion(models.Model):
    """A question of a survey: a 1–5 rating, one choice among ``choices``, or free text."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="questions", verbose_name=_("survey")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["survey_id", "order", "pk"]

    def __str__(self) -> str:
        return self.text


class SurveyResponse(models.Model):
    """One respondent's answers to a survey, from a community. ``respondent_key`` is a
    keyed hash of who answered (a signed-in user, or the browser's session) so that one
    person answers once; it identifies nobody. Append-only."""

    survey = models.ForeignKey(
        Survey, on_delete=models.PROTECT, related_name="responses", verbose_name=_("survey")
    )
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    respondent_key = models.CharField(max_length=64, editable=False)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "respondent_key"], name="survey_response_once_per_person"
            ),
        ]

    def __str__(self) -> str:
        return _("Response #%(id)s") % {"id": self.pk}


class SurveyAnswer(models.Model):
    """The answer to one question: ``rating`` (1–5), ``choice`` (one of the question's
    choices) or ``text``, by the question's kind."""

    response = models.ForeignKey(
        SurveyResponse, on_delete=models.PROTECT, related_name="answers", editable=False
    )
    question = models.ForeignKey(
        SurveyQuestion, on_delete=models.PROTECT, related_name="answers", editable=False
    )
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    choice = models.CharField(max_length=100, blank=True)
    text = models.TextField(max_length=2000, blank=True)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="survey_answer_once_per_question"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.response_id}:{self.question_id}"
