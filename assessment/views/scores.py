"""The monthly scores page: a month's scores of communities, departments and grid workers
the user reads, with the score in force, its grade, its adjustments and sign-off, and the
notice when the data have moved on since a sign-off. Supervisors over a subject adjust a
score (with a reason) and sign it off; both are history and never change."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from assessment.choices import ScoreStatus, SubjectKind
from assessment.dashboard import month_label
from assessment.scopes import parse_period
from assessment.selectors_scores import may_sign, score_list
from assessment.services.scores import ScoreFrozen, score_adjust, score_sign_off

PAGE_SIZE = 50


class AdjustForm(forms.Form):
    value = forms.DecimalField(
        label=gettext_lazy("New score"), min_value=0, max_value=100, decimal_places=2
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500)


class SignOffForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note"), max_length=500, required=False)


def _asked(request: HttpRequest) -> tuple[str, str]:
    """The month (last month unless a valid one is asked) and the kind of subject."""
    try:
        month = month_label(parse_period(request.GET.get("month", "")).first)
    except ValidationError:
        month = month_label(timezone.localdate().replace(day=1) - timedelta(days=1))
    kind = request.GET.get("kind", "")
    return month, kind if kind in SubjectKind.values else SubjectKind.COMMUNITY


def _scores_response(
    request: HttpRequest,
    month: str,
    kind: str,
    *,
    bound: tuple[int, AdjustForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    first = parse_period(month).first
    rows = score_list(user=request.user).filter(month=first, kind=kind)
    page = Paginator(rows.order_by("-computed_score", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for score in page:
        score.signable = score.status == ScoreStatus.COMPUTED and may_sign(
            user=request.user, score=score
        )
        score.adjust_form = AdjustForm(prefix=f"s{score.pk}")
        if bound is not None and bound[0] == score.pk:
            score.adjust_form = bound[1]
        score.sign_form = SignOffForm(prefix=f"s{score.pk}")
    context = {
        "month": month,
        "kind": kind,
        "kinds": SubjectKind.choices,
        "page": page,
    }
    return render(request, "assessment/scores.html", context, status=status)


@login_required
@require_safe
def scores_page(request: HttpRequest) -> HttpResponse:
    """Last month's community scores by default (``month`` and ``kind`` choose others)."""
    month, kind = _asked(request)
    return _scores_response(request, month, kind)


def _back(score) -> HttpResponse:
    return redirect(f"{reverse('assessment:scores')}?month={score.period}&kind={score.kind}")


@login_required
@require_POST
def score_adjust_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Adjust a score, saying why (403 for those not over it, refused once signed off)."""
    score = get_object_or_404(score_list(user=request.user), pk=pk)
    form = AdjustForm(request.POST, prefix=f"s{score.pk}")
    if form.is_valid():
        try:
            score_adjust(
                score=score,
                new_value=form.cleaned_data["value"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ScoreFrozen as refusal:
            messages.error(request, str(refusal))
            return _back(score)
        except ValidationError as refusal:
            form.add_error(None, refusal.messages)
        else:
            messages.success(request, _("Score adjusted; the adjustment is kept in its history."))
            return _back(score)
    return _scores_response(request, score.period, score.kind, bound=(score.pk, form), status=400)


@login_required
@require_POST
def score_sign_off_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign a score off: from then on it stays as signed, whatever the data do."""
    score = get_object_or_404(score_list(user=request.user), pk=pk)
    form = SignOffForm(request.POST, prefix=f"s{score.pk}")
    form.is_valid()
    try:
        score_sign_off(score=score, by=request.user, note=form.cleaned_data.get("note", ""))
    except ScoreFrozen as refusal:
        messages.warning(request, str(refusal))
    else:
        messages.success(request, _("Score signed off."))
    return _back(score)
