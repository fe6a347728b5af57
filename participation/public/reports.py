"""Reporting a problem and following it, without signing in.

The report form takes a point picked on the map, or else an address naming a community
GridGov knows (an address alone locates no grid: it is matched against the communities'
names, and without a match the visitor is asked to pick the point). The follow token is
shown once, on the page after the report (carried there in the session and dropped when
shown). Following needs the reference and the token together: a wrong one of the two
answers the same 404. Posts and follow look-ups are rate-limited per client address.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from grids.models import Grid
from incidents.photos import PhotoTooLarge
from participation.choices import ReportChannel
from participation.models import PublicReport
from participation.public.limits import limited, visitor_over_limit
from participation.public.report_forms import FollowForm, RatingForm, ReportForm
from participation.selectors.public import (
    geocode_address,
    public_services_by_group,
    public_status,
    public_steps,
    report_follow,
)
from participation.selectors.satisfaction import rateable_closing
from participation.services.public_reports import public_report_submit
from participation.services.satisfaction import rating_submit_for_report

SUBMITTED = "public-report-submitted"
OUTLINES_MAX_AGE = 600


def _report_rate(group: str, request: HttpRequest) -> str:
    return settings.PUBLIC_REPORT_RATE


def _follow_rate(group: str, request: HttpRequest) -> str:
    return settings.PUBLIC_FOLLOW_RATE


def _map_context() -> dict:
    return {
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "center": settings.LEAFLET_CONFIG.get("DEFAULT_CENTER", (35.80, 116.10)),
        "zoom": settings.LEAFLET_CONFIG.get("DEFAULT_ZOOM", 13),
    }


def _form_page(
    request: HttpRequest, form: ReportForm, *, status: int = 200, notice: str = ""
) -> HttpResponse:
    context = {"form": form, "notice": notice, **_map_context()}
    return render(request, "public/report.html", context, status=status)


def _point(form: ReportForm) -> tuple[float, float] | None:
    lat, lng = form.cleaned_data.get("lat"), form.cleaned_data.get("lng")
    if lat is not None and lng is not None:
        return lat, lng
    return geocode_address(form.cleaned_data.get("address", ""))


@require_http_methods(["GET", "HEAD", "POST"])
def report_page(request: HttpRequest) -> HttpResponse:
    services = public_services_by_group()
    if request.method != "POST":
        return _form_page(request, ReportForm(services=services))
    if visitor_over_limit(request, group="public-report", rate=_report_rate, method="POST"):
        return limited(request, group="public-report", rate=_report_rate)
    form = ReportForm(request.POST, request.FILES, services=services)
    if form.is_spam:
        notice = _("This report could not be accepted. Please try again.")
        return _form_page(request, ReportForm(services=services), status=400, notice=notice)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    point = _point(form)
    if point is None:
        form.add_error(
            "address",
            _("Pick the place on the map, or name the community in the address."),
        )
        return _form_page(request, form, status=400)
    data = form.cleaned_data
    try:
        report, token = public_report_submit(
            channel=ReportChannel.WEB,
            service=form.chosen_service(),
            description=data["description"],
            lat=point[0],
            lng=point[1],
            address=data["address"],
            anonymous=data["anonymous"],
            name=data["name"],
            phone=data["phone"],
            email=data["email"],
            photos=data["photos"],
            attributes=form.answers(),
        )
    except PhotoTooLarge:
        form.add_error(
            "photos",
            _("A photo may be at most %(mb)d MB.")
            % {"mb": settings.PHOTO_MAX_BYTES // (1024 * 1024)},
        )
        return _form_page(request, form, status=400)
    except ValidationError as refusal:
        form.refuse(refusal)
        return _form_page(request, form, status=400)
    request.session[SUBMITTED] = {"reference": report.reference, "token": token}
    return redirect("public:report-done")


def _follow_url(reference: str, token: str) -> str:
    return f"{reverse('public:follow')}?{urlencode({'reference': reference, 'token': token})}"


@require_safe
@never_cache
def report_done(request: HttpRequest) -> HttpResponse:
    """The reference and the follow token, shown this once."""
    submitted = request.session.pop(SUBMITTED, None)
    if not submitted:
        return redirect("public:follow")
    report = report_follow(**submitted)
    if report is None:
        return redirect("public:follow")
    context = {
        "report": report,
        "token": submitted["token"],
        "status": public_status(report),
        "follow_url": _follow_url(report.reference, submitted["token"]),
    }
    return render(request, "public/report_done.html", context)


def _follow_page(
    request: HttpRequest,
    form: FollowForm,
    report: PublicReport | None = None,
    *,
    rating_form: RatingForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict = {"form": form, "report": report}
    if report is not None:
        context |= {
            "status": public_status(report),
            "steps": public_steps(report),
            "token": form.cleaned_data["token"],
        }
        if report.ticket_id and rateable_closing(ticket=report.ticket) is not None:
            context["rating_form"] = rating_form or RatingForm()
    return render(request, "public/follow.html", context, status=status)


def _followed(request: HttpRequest, form: FollowForm) -> tuple[PublicReport | None, int]:
    """The report the form names, and the status to answer with (400 or 404 without)."""
    if not form.is_valid():
        return None, 400
    report = report_follow(
        reference=form.cleaned_data["reference"], token=form.cleaned_data["token"]
    )
    if report is None:
        form.add_error(None, _("No report has this number and follow code together."))
        return None, 404
    return report, 200


@require_safe
@never_cache
def follow_page(request: HttpRequest) -> HttpResponse:
    """A report's status and public history by its reference and follow token."""
    if not request.GET:
        return _follow_page(request, FollowForm())
    if visitor_over_limit(request, group="public-follow", rate=_follow_rate):
        return limited(request, group="public-follow", rate=_follow_rate)
    form = FollowForm(request.GET)
    report, status = _followed(request, form)
    return _follow_page(request, form, report, status=status)


@require_POST
def follow_rate(request: HttpRequest) -> HttpResponse:
    """Rate a closed case from its follow page (score 1–5 and a comment)."""
    if visitor_over_limit(request, group="public-follow", rate=_follow_rate, method="POST"):
        return limited(request, group="public-follow", rate=_follow_rate)
    form = FollowForm(request.POST)
    report, status = _followed(request, form)
    if report is None:
        return _follow_page(request, form, status=status)
    rating_form = RatingForm(request.POST)
    if rating_form.is_valid():
        try:
            rating = rating_submit_for_report(
                report=report,
                score=rating_form.cleaned_data["score"],
                comment=rating_form.cleaned_data["comment"],
            )
        except ValidationError as refusal:
            rating_form.add_error(None, refusal.messages)
        else:
            messages.success(
                request,
                _("Thank you for your rating.")
                if not rating.reopened
                else _("Thank you: the case is reopened and will be handled again."),
            )
            return redirect(_follow_url(report.reference, form.cleaned_data["token"]))
    return _follow_page(request, form, report, rating_form=rating_form, status=400)


@require_safe
@cache_control(public=True, max_age=OUTLINES_MAX_AGE)
def grid_outlines(request: HttpRequest) -> JsonResponse:
    """The active grids' outlines for the report map: shape, name and community only."""
    grids = Grid.objects.filter(active=True).select_related("community").order_by("code")
    features = [
        {
            "type": "Feature",
            "geometry": grid.boundary,
            "properties": {"name": grid.name, "community": grid.community.name},
        }
        for grid in grids.only("boundary", "name", "community__name")
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})
