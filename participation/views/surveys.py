"""Staff pages of surveys: the list with a form for a new one, a survey's page (its
questions edited while it is a draft, then opened and closed), and its results per
community with bar charts drawn on the server.

Readers of the place see the surveys and results; keepers make and change them (403 for
others, 404 outside the reader's reach).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gridgov.exceptions import StaleObjectError
from grids.models import Community, Street
from participation.choices import QuestionKind, SurveyStatus
from participation.models import Survey
from participation.selectors import surveys as selectors
from participation.selectors.common import keeps
from participation.services import surveys as services
from participation.views.proposals import errors_onto

PAGE_SIZE = 25
EXTRA_QUESTION_ROWS = 3
DATE = {"type": "date"}
BAR_WIDTH = 260  # the longest bar of a chart, in SVG units
BAR_HEIGHT, BAR_GAP = 18, 6


class SurveyForm(forms.Form):
    street = forms.ModelChoiceField(label=gettext_lazy("Street"), queryset=Street.objects.none())
    community = forms.ModelChoiceField(
        label=gettext_lazy("Community"),
        queryset=Community.objects.none(),
        required=False,
        empty_label=gettext_lazy("the whole street"),
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=100)
    description = forms.CharField(
        label=pgettext_lazy("survey", "Description"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    opens_on = forms.DateField(
        label=gettext_lazy("Opens on"), widget=forms.DateInput(DATE, format="%Y-%m-%d")
    )
    closes_on = forms.DateField(
        label=gettext_lazy("Closes on"), widget=forms.DateInput(DATE, format="%Y-%m-%d")
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        streets, communities = selectors.survey_keeper_places(user=user)
        self.fields["street"].queryset = streets
        self.fields["community"].queryset = communities
        self.fields["street"].label_from_instance = lambda street: street.name
        self.fields["community"].label_from_instance = lambda c: f"{c.name} ({c.street.name})"


class SurveyEditForm(SurveyForm):
    """A draft's fields (its street stays); an open survey's title, description and
    closing day."""

    def __init__(self, *args, user, survey: Survey, **kwargs) -> None:
        super().__init__(*args, user=user, **kwargs)
        del self.fields["street"]
        self.fields["community"].queryset = selectors.survey_communities(survey)
        if survey.status != SurveyStatus.DRAFT:
            del self.fields["community"], self.fields["opens_on"]


class QuestionForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Question"), max_length=services.MAX_QUESTION_LENGTH, required=False
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Answer type"), choices=QuestionKind.choices, required=False
    )
    choices = forms.CharField(
        label=gettext_lazy("Choices, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    required = forms.BooleanField(label=gettext_lazy("Required"), required=False, initial=True)

    def question(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not data.get("text", "").strip():
            return None
        lines = [line.strip() for line in data.get("choices", "").splitlines() if line.strip()]
        return {
            "text": data["text"],
            "kind": data.get("kind") or QuestionKind.RATING,
            "choices": lines,
            "required": data.get("required", False),
        }


QuestionFormSet = forms.formset_factory(QuestionForm, extra=EXTRA_QUESTION_ROWS, max_num=30)


def _question_rows(survey: Survey) -> list[dict[str, Any]]:
    return [
        {
            "text": q.text,
            "kind": q.kind,
            "choices": "\n".join(q.choices),
            "required": q.required,
        }
        for q in survey.questions.all()
    ]


def _surveys_response(
    request: HttpRequest, *, form: SurveyForm | None = None, status: int = 200
) -> HttpResponse:
    rows = selectors.survey_list(user=request.user).order_by("-opens_on", "-pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    form = form or SurveyForm(user=request.user)
    context = {"page": page, "form": form if form.fields["street"].queryset.exists() else None}
    return render(request, "participation/surveys.html", context, status=status)


@login_required
@require_safe
def surveys_page(request: HttpRequest) -> HttpResponse:
    """Surveys of the places the user works in, newest first, and a form for a new one."""
    return _surveys_response(request)


@login_required
@require_POST
def survey_create_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("participation.add_survey"):
        raise PermissionDenied
    form = SurveyForm(request.POST, user=request.user)
    survey = None
    if form.is_valid():
        try:
            survey = services.survey_create(created_by=request.user, **form.cleaned_data)
        except ValidationError as refusal:
            errors_onto(form, refusal)
    if survey is None:
        return _surveys_response(request, form=form, status=400)
    messages.success(request, _("The survey is a draft: add its questions, then open it."))
    return redirect("participation:survey", survey.pk)


def _survey_response(
    request: HttpRequest,
    survey: Survey,
    *,
    form: SurveyEditForm | None = None,
    questions: forms.BaseFormSet | None = None,
    status: int = 200,
) -> HttpResponse:
    keeper = keeps(request.user, survey) and survey.status != SurveyStatus.CLOSED
    if keeper and form is None:
        initial = {
            "community": survey.community_id,
            "title": survey.title,
            "description": survey.description,
            "opens_on": survey.opens_on,
            "closes_on": survey.closes_on,
        }
        form = SurveyEditForm(initial=initial, user=request.user, survey=survey)
    if keeper and survey.status == SurveyStatus.DRAFT and questions is None:
        questions = QuestionFormSet(initial=_question_rows(survey), prefix="q")
    context = {
        "survey": survey,
        "keeper": keeper,
        "form": form if keeper else None,
        "questions": questions if keeper and survey.status == SurveyStatus.DRAFT else None,
    }
    return render(request, "participation/survey.html", context, status=status)


def _survey_of(request: HttpRequest, pk: int) -> Survey:
    return get_object_or_404(selectors.survey_list(user=request.user), pk=pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def survey_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A survey; its keepers edit it here (the questions while it is a draft)."""
    survey = _survey_of(request, pk)
    if request.method != "POST":
        return _survey_response(request, survey)
    if not keeps(request.user, survey):
        raise PermissionDenied
    form = SurveyEditForm(request.POST, user=request.user, survey=survey)
    questions = None
    if survey.status == SurveyStatus.DRAFT:
        questions = QuestionFormSet(request.POST, prefix="q")
    if not form.is_valid() or (questions is not None and not questions.is_valid()):
        return _survey_response(request, survey, form=form, questions=questions, status=400)
    fields = dict(form.cleaned_data)
    rows: list[forms.Form] = []
    if questions is not None:
        rows = [row for row in questions if row.question() is not None]
        fields["questions"] = [row.question() for row in rows]
    try:
        services.survey_update(
            survey=survey,
            by=request.user,
            expected_version=_version(request, survey),
            **fields,
        )
    except StaleObjectError:
        messages.warning(request, _("Someone changed this survey meanwhile: reload it."))
        return _survey_response(request, _survey_of(request, pk), status=409)
    except ValidationError as refusal:
        _errors_onto_questions(form, rows, refusal)
        return _survey_response(request, survey, form=form, questions=questions, status=400)
    messages.success(request, _("The survey is saved."))
    return redirect("participation:survey", survey.pk)


def _version(request: HttpRequest, survey: Survey) -> int:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else survey.version


def _errors_onto_questions(
    form: forms.Form, rows: list[forms.Form], refusal: ValidationError
) -> None:
    """``questions.<n>.<field>`` lands on the n-th filled row, the rest on the form."""
    if not hasattr(refusal, "error_dict"):
        form.add_error(None, refusal.messages)
        return
    rest = {}
    for name, found in refusal.message_dict.items():
        parts = name.split(".")
        if parts[0] == "questions" and len(parts) == 3 and int(parts[1]) < len(rows):
            rows[int(parts[1])].add_error(parts[2], found)
        else:
            rest[name] = found
    if rest:
        errors_onto(form, ValidationError(rest))


@login_required
@require_POST
def survey_step_view(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Open or close a survey."""
    survey = _survey_of(request, pk)
    service = {"open": services.survey_open, "close": services.survey_close}.get(step)
    if service is None:
        return HttpResponse(status=404)
    try:
        service(survey=survey, by=request.user, expected_version=_version(request, survey))
    except StaleObjectError:
        messages.warning(request, _("Someone changed this survey meanwhile: reload it."))
        return _survey_response(request, _survey_of(request, pk), status=409)
    except ValidationError as refusal:
        messages.warning(request, " ".join(refusal.messages))
        return _survey_response(request, survey, status=400)
    done = _("The survey is open.") if step == "open" else _("The survey is closed.")
    messages.success(request, done)
    return redirect("participation:survey", survey.pk)


def bars(result: selectors.QuestionResult) -> list[dict[str, Any]]:
    """The bars of one question's chart: label, count, share and SVG geometry."""
    if result.question.kind == QuestionKind.RATING:
        counts = [(str(value), n) for value, n in sorted(result.distribution.items())]
    else:
        counts = list(result.choices.items())
    most = max((n for _label, n in counts), default=0) or 1
    total = sum(n for _label, n in counts) or 1
    return [
        {
            "label": label,
            "count": n,
            "share": round(100 * n / total),
            "y": index * (BAR_HEIGHT + BAR_GAP),
            "text_y": index * (BAR_HEIGHT + BAR_GAP) + BAR_HEIGHT - 5,
            "width": round(BAR_WIDTH * n / most, 1),
            "end": round(BAR_WIDTH * n / most, 1) + 4,
        }
        for index, (label, n) in enumerate(counts)
    ]


@login_required
@require_safe
def survey_results_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Results over all respondents or one community (``community``), with charts."""
    survey = _survey_of(request, pk)
    results = selectors.survey_results(survey=survey)
    picked = request.GET.get("community", "")
    shown = next((r for r in results[1:] if str(r.community.pk) == picked), results[0])
    charts = []
    for result in shown.questions:
        drawn = bars(result)
        height = max(len(drawn), 1) * (BAR_HEIGHT + BAR_GAP)
        charts.append({"result": result, "bars": drawn, "height": height})
    context = {
        "survey": survey,
        "results": results,
        "shown": shown,
        "charts": charts,
        "bar_width": BAR_WIDTH,
        "bar_height": BAR_HEIGHT,
    }
    return render(request, "participation/survey_results.html", context)
