"""The command centre's moderation page: public reports of the streets the user moderates
(pending ones by default), with their photos, answers, contact and a map; approve makes a
report a case, reject needs a note. A report moderated meanwhile (a second click, or a
colleague first) answers 409 and nothing changes.

403 for a user who moderates nowhere, 404 for a report outside the user's streets.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from grids.geojson import feature_collection
from grids.models import Grid
from participation.choices import ReportStatus
from participation.models import PublicReport
from participation.selectors.public import (
    moderation_places,
    public_report_list,
    report_answers,
    report_photo_get,
)
from participation.services.public_reports import (
    AlreadyModerated,
    public_report_approve,
    public_report_reject,
)

PAGE_SIZE = 25
PHOTO_MAX_AGE = 3600


class RejectForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Why is it rejected?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _moderator(request: HttpRequest) -> None:
    if moderation_places(request.user).empty:
        raise PermissionDenied


def _queue_response(
    request: HttpRequest, *, bound: tuple[int, RejectForm] | None = None, status: int = 200
) -> HttpResponse:
    shown = request.GET.get("status", ReportStatus.PENDING)
    if shown not in ReportStatus.values:
        shown = ReportStatus.PENDING
    reports = public_report_list(user=request.user).filter(status=shown)
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    for report in page:
        fresh = RejectForm(auto_id=f"id_%s_{report.pk}")
        report.reject_form = bound[1] if bound and bound[0] == report.pk else fresh
        report.answers = report_answers(report)
    grids = Grid.objects.filter(pk__in={r.grid_id for r in page}).select_related(
        "community", "street"
    )
    context = {
        "page": page,
        "statuses": ReportStatus.choices,
        "shown_status": shown,
        "grids_geojson": feature_collection(grids),
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "points": [
            {"id": r.pk, "lat": r.lat, "lng": r.lng, "reference": r.reference} for r in page
        ],
    }
    return render(request, "participation/moderation.html", context, status=status)


@login_required
@require_safe
def moderation_queue(request: HttpRequest) -> HttpResponse:
    _moderator(request)
    return _queue_response(request)


def _report(request: HttpRequest, pk: int) -> PublicReport:
    _moderator(request)
    return get_object_or_404(public_report_list(user=request.user), pk=pk)


def _conflict(request: HttpRequest) -> HttpResponse:
    messages.error(request, _("This report was moderated meanwhile: nothing was changed."))
    return _queue_response(request, status=409)


@login_required
@require_POST
def report_approve(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    try:
        report = public_report_approve(report=report, by=request.user)
    except AlreadyModerated:
        return _conflict(request)
    messages.success(
        request,
        _("%(reference)s became case %(number)s.")
        % {"reference": report.reference, "number": report.ticket.number},
    )
    return redirect(reverse("participation:moderation"))


@login_required
@require_POST
def report_reject(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    form = RejectForm(request.POST, auto_id=f"id_%s_{report.pk}")
    if not form.is_valid():
        return _queue_response(request, bound=(report.pk, form), status=400)
    try:
        report = public_report_reject(
            report=report, by=request.user, note=form.cleaned_data["note"]
        )
    except AlreadyModerated:
        return _conflict(request)
    except ValidationError as refusal:
        form.add_error("note", refusal.messages)
        return _queue_response(request, bound=(report.pk, form), status=400)
    messages.success(request, _("%(reference)s was rejected.") % {"reference": report.reference})
    return redirect(reverse("participation:moderation"))


@login_required
@require_safe
def report_photo(request: HttpRequest, pk: int) -> FileResponse:
    """A photo of a report the user moderates; 404 for anything else."""
    photo = report_photo_get(user=request.user, pk=pk)
    if photo is None:
        raise Http404
    try:
        file = photo.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(file, content_type=photo.content_type)
    patch_cache_control(response, private=True, max_age=PHOTO_MAX_AGE)
    return response
