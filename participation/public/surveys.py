"""Answering a community survey while it is open (no sign-in).

One response per person: the respondent is the signed-in user, or else the browser's
session (made on the first visit, so that a second answer from the same browser is told
apart). A street-wide survey asks which community the respondent lives in. Posts are
rate-limited per client address, and a filled-in honeypot field writes nothing.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from grids.models import Community
from participation.choices import QuestionKind
from participation.models import Survey
from participation.public.honeypot import HoneypotForm
from participation.public.limits import limited, visitor_over_limit
from participation.selectors.surveys import has_answered, public_survey, survey_communities
from participation.services.surveys import MAX_TEXT, respondent_key, survey_respond

VISITOR = "survey-visitor"
RATING_CHOICES = [(str(n), str(n)) for n in range(5, 0, -1)]


def _post_rate(group: str, request: HttpRequest) -> str:
    # The follow allowance: a household behind one address may answer one after another.
    return settings.PUBLIC_FOLLOW_RATE


class SurveyForm(HoneypotForm):
    """The survey's questions as fields named ``q_<question id>``, a community for a
    street-wide survey, and the honeypot."""

    def __init__(self, *args, survey: Survey, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.survey = survey
        if survey.community_id is None:
            self.fields["community"] = forms.ModelChoiceField(
                label=gettext_lazy("Your community"), queryset=survey_communities(survey)
            )
        for question in survey.questions.all():
            self.fields[f"q_{question.pk}"] = _field(question)
        self.order_fields(["community"])

    def questions(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("q_")]

    def answers(self) -> dict[int, str]:
        return {
            int(name[2:]): value
            for name, value in self.cleaned_data.items()
            if name.startswith("q_") and value not in (None, "")
        }

    def chosen_community(self) -> Community | None:
        return self.cleaned_data.get("community")


def _field(question) -> forms.Field:
    options = {"label": question.text, "required": question.required}
    if question.kind == QuestionKind.RATING:
        return forms.ChoiceField(
            choices=RATING_CHOICES,
            widget=forms.RadioSelect,
            help_text=gettext_lazy("5 very good … 1 very poor"),
            **options,
        )
    if question.kind == QuestionKind.CHOICE:
        choices = [(choice, choice) for choice in question.choices]
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **options)
    return forms.CharField(max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}), **options)


def _respondent(request: HttpRequest, survey: Survey) -> str:
    """The respondent key of this visitor; an anonymous visitor's session is made now."""
    if request.user.is_authenticated:
        return respondent_key(survey=survey, user=request.user)
    if request.session.session_key is None or VISITOR not in request.session:
        request.session[VISITOR] = True  # a session with something in it gets its cookie
        request.session.save()
    return respondent_key(survey=survey, session_key=request.session.session_key)


def _page(
    request: HttpRequest, survey: Survey | None, form: SurveyForm | None, *, status: int = 200
) -> HttpResponse:
    answered = survey is not None and form is None
    context = {"survey": survey, "form": form, "answered": answered}
    return render(request, "public/survey.html", context, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def survey_page(request: HttpRequest, pk: int) -> HttpResponse:
    """An open survey's questions, or a thank-you once this visitor has answered; 404 for
    a survey that is not open today."""
    survey = public_survey(pk=pk)
    if survey is None:
        return _page(request, None, None, status=404)
    key = _respondent(request, survey)
    if has_answered(survey=survey, respondent_key=key):
        return _page(request, survey, None)
    if request.method != "POST":
        return _page(request, survey, SurveyForm(survey=survey))
    if visitor_over_limit(request, group="public-survey", rate=_post_rate):
        return limited(request, group="public-survey", rate=_post_rate)
    form = SurveyForm(request.POST, survey=survey)
    if form.is_spam:
        form.is_valid()
        form.add_error(None, _("Your answers could not be accepted. Please try again."))
        return _page(request, survey, form, status=400)
    if not form.is_valid():
        return _page(request, survey, form, status=400)
    try:
        survey_respond(
            survey=survey,
            respondent_key=key,
            answers=form.answers(),
            community=form.chosen_community(),
        )
    except ValidationError as refusal:
        found = refusal.message_dict if hasattr(refusal, "error_dict") else {"": refusal.messages}
        for name, messages in found.items():
            form.add_error(name if name in form.fields else None, messages)
        return _page(request, survey, form, status=400)
    return redirect(request.path)
