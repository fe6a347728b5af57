"""Staff pages of proposals and needs: the list (status filter), raising one, and a
proposal's page with its supports, the official answers and the answer form.

Any signed-in person raises and supports; keepers of the community answer (403 for others
who read the proposal, 404 outside the reader's reach). A proposal answered meanwhile
(a second click, or a colleague first) answers 409 and nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable
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
from grids.models import Community
from incidents.models import Category
from participation.choices import ANSWER_STATUSES, ActivityKind, ProposalKind, ProposalStatus
from participation.models import Organisation
from participation.selectors import proposals as selectors
from participation.selectors.common import keeper_places, keeps
from participation.services import proposals as services

PAGE_SIZE = 25
LOCAL = {"type": "datetime-local"}


def errors_onto(form: forms.Form, error: ValidationError) -> None:
    """Put a service's refusal on the fields it names (``activity.title`` lands on
    ``activity_title``); what names no field of the form goes above it."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, found in error.message_dict.items():
        field = name.replace(".", "_")
        form.add_error(field if field in form.fields else None, found)


def submitted(form: forms.Form, step: Callable[[dict[str, Any]], Any]) -> Any | None:
    """Run ``step`` with the form's cleaned data; None, with the reasons on the form, when
    the form or the service refuses (the service wrote nothing then)."""
    if not form.is_valid():
        return None
    try:
        return step(form.cleaned_data)
    except ValidationError as refusal:
        errors_onto(form, refusal)
    return None


class ProposalForm(forms.Form):
    community = forms.ModelChoiceField(
        label=gettext_lazy("Community"), queryset=Community.objects.none()
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ProposalKind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=100)
    body = forms.CharField(
        label=gettext_lazy("What do you propose or need?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("On behalf of"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=gettext_lazy("myself"),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = selectors.raisable_communities(user=user)
        self.fields["community"].label_from_instance = lambda c: f"{c.name} ({c.street.name})"
        self.fields["organisation"].queryset = selectors.organisations_spoken_for(user=user)


class AnswerForm(forms.Form):
    status = forms.ChoiceField(
        label=pgettext_lazy("proposal", "Answer"),
        choices=[(s.value, s.label) for s in ProposalStatus if s in ANSWER_STATUSES],
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=gettext_lazy("Text of the answer"),
        help_text=gettext_lazy("The author reads it; a decline says why."),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    make = forms.ChoiceField(
        label=gettext_lazy("Accepting it makes"),
        choices=[
            ("", gettext_lazy("nothing more")),
            ("ticket", gettext_lazy("a case")),
            ("activity", gettext_lazy("an activity")),
        ],
        required=False,
        widget=forms.RadioSelect,
    )
    category = forms.ModelChoiceField(
        label=gettext_lazy("Case category"),
        queryset=Category.objects.filter(active=True, parent__isnull=False).order_by("code"),
        required=False,
    )
    lat = forms.FloatField(
        label=gettext_lazy("Latitude"),
        min_value=-90,
        max_value=90,
        required=False,
        help_text=gettext_lazy("Empty: the proposal's grid, or the community's centre."),
    )
    lng = forms.FloatField(
        label=gettext_lazy("Longitude"), min_value=-180, max_value=180, required=False
    )
    activity_title = forms.CharField(
        label=gettext_lazy("Activity title"), max_length=100, required=False
    )
    activity_kind = forms.ChoiceField(
        label=gettext_lazy("Activity kind"), choices=ActivityKind.choices, required=False
    )
    activity_starts_at = forms.DateTimeField(
        label=gettext_lazy("Starts at"),
        required=False,
        widget=forms.DateTimeInput(LOCAL, format="%Y-%m-%dT%H:%M"),
    )
    activity_ends_at = forms.DateTimeField(
        label=gettext_lazy("Ends at"),
        required=False,
        widget=forms.DateTimeInput(LOCAL, format="%Y-%m-%dT%H:%M"),
    )
    activity_place = forms.CharField(label=gettext_lazy("Place"), max_length=200, required=False)
    activity_capacity = forms.IntegerField(
        label=gettext_lazy("Capacity"), min_value=1, max_value=100000, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        arguments = {"status": data["status"], "text": data["text"]}
        if data.get("make") == "ticket":
            if data.get("category") is None:
                raise ValidationError({"category": _("Choose the case's category.")})
            arguments |= {"category": data["category"], "lat": data["lat"], "lng": data["lng"]}
        elif data.get("make") == "activity":
            arguments["activity"] = {
                name.removeprefix("activity_"): value
                for name, value in data.items()
                if name.startswith("activity_") and value not in (None, "")
            }
        return arguments


def _may_answer(user, proposal) -> bool:
    return proposal.status not in services.FINAL and keeps(user, proposal)


def _proposal_response(
    request: HttpRequest, proposal, *, form: AnswerForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    keeper = keeps(user, proposal)
    context = {
        "proposal": proposal,
        "keeper": keeper,
        "sees_author": keeper or proposal.author_id == user.pk,
        "answers": selectors.proposal_answer_list(user=user, proposal=proposal),
        "supports": selectors.proposal_support_list(user=user, proposal=proposal)[:200]
        if keeper
        else [],
        "may_support": proposal.author_id != user.pk
        and not proposal.supported
        and proposal.status in services.SUPPORTABLE,
        "answer_form": (form or AnswerForm()) if _may_answer(user, proposal) else None,
    }
    return render(request, "participation/proposal.html", context, status=status)


@login_required
@require_safe
def proposals_page(request: HttpRequest) -> HttpResponse:
    """Proposals the user reads, newest first; ``status`` and ``kind`` filter them."""
    rows = selectors.proposal_list(user=request.user)
    shown_status = request.GET.get("status", "")
    if shown_status in ProposalStatus.values:
        rows = rows.filter(status=shown_status)
    shown_kind = request.GET.get("kind", "")
    if shown_kind in ProposalKind.values:
        rows = rows.filter(kind=shown_kind)
    page = Paginator(rows.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "statuses": ProposalStatus.choices,
        "kinds": ProposalKind.choices,
        "shown_status": shown_status,
        "shown_kind": shown_kind,
    }
    return render(request, "participation/proposals.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def proposal_new_page(request: HttpRequest) -> HttpResponse:
    """Raise a proposal or need (any signed-in person)."""
    form = ProposalForm(request.POST or None, user=request.user)
    if request.method == "POST":
        proposal = submitted(
            form, lambda data: services.proposal_raise(author=request.user, **data)
        )
        if proposal is not None:
            messages.success(request, _("Your proposal is raised."))
            return redirect("participation:proposal", proposal.pk)
    status = 400 if form.errors else 200
    return render(request, "participation/proposal_new.html", {"form": form}, status=status)


@login_required
@require_safe
def proposal_page(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(selectors.proposal_list(user=request.user), pk=pk)
    return _proposal_response(request, proposal)


@login_required
@require_POST
def proposal_support_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Support a proposal (once; not one's own; while it is open or in progress)."""
    proposal = get_object_or_404(selectors.supportable_proposals(user=request.user), pk=pk)
    try:
        services.proposal_support(proposal=proposal, user=request.user)
    except ValidationError as refusal:
        messages.warning(request, " ".join(refusal.messages))
    else:
        messages.success(request, _("Thank you for your support."))
    return redirect("participation:proposal", proposal.pk)


@login_required
@require_POST
def proposal_answer_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer a proposal officially (keepers of its community)."""
    proposal = get_object_or_404(selectors.proposal_list(user=request.user), pk=pk)
    if not keeps(request.user, proposal, places=keeper_places(request.user)):
        raise PermissionDenied
    form = AnswerForm(request.POST)
    try:
        answered = submitted(
            form,
            lambda data: services.proposal_answer(
                proposal=proposal,
                answered_by=request.user,
                expected_version=data["version"] or proposal.version,
                **form.service_arguments(),
            ),
        )
    except StaleObjectError:
        messages.warning(request, _("Someone answered this proposal meanwhile."))
        fresh = selectors.proposal_list(user=request.user).get(pk=proposal.pk)
        return _proposal_response(request, fresh, status=409)
    if answered is None:
        return _proposal_response(request, proposal, form=form, status=400)
    messages.success(request, _("The answer is recorded and the author is notified."))
    return redirect("participation:proposal", proposal.pk)
