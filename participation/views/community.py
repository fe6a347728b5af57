"""Staff pages of community life: the participation landing page, organisations,
volunteers, activities (with sign-up, withdrawal, cancelling and the attendance form) and
the volunteer ranking. Lists read through the selectors (outside them: 404); the services
decide every write, and their refusals show on the forms with a 400."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gridgov.exceptions import StaleObjectError
from grids.selectors import community_list
from participation.choices import ActivityKind, ActivityStatus, OrganisationKind, Skill
from participation.models import Activity, Resident, Volunteer
from participation.selectors import community as life
from participation.selectors.common import keeper_places, keeps
from participation.services import attendance, personal_data_views_record
from participation.services import community as services
from participation.views import community_forms as forms

PAGE_SIZE = 25


def page_of(request: HttpRequest, rows: QuerySet) -> Page:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def named(names: life.Names, volunteers) -> None:
    """Give each volunteer the name this reader sees (``shown_name``, ``masked``)."""
    for volunteer in volunteers:
        volunteer.shown_name, volunteer.masked = names.show(volunteer)


def render_revealing(
    request: HttpRequest, template: str, context: dict, revealed: Iterable[Resident], status=200
) -> HttpResponse:
    """Render, then log the residents the page showed unmasked."""
    response = render(request, template, context, status=status)
    revealed = list(revealed)
    if revealed:
        personal_data_views_record(viewer=request.user, residents=revealed)
    return response


def render_logged(request, names: life.Names, template: str, context: dict, status=200):
    """Render, then log the residents whose names the page showed unmasked."""
    return render_revealing(request, template, context, names.revealed.values(), status=status)


def chosen(request: HttpRequest, name: str, values) -> str:
    value = request.GET.get(name, "")
    return value if value in values else ""


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Links to every staff page of participation."""
    return render(request, "participation/home.html")


@login_required
@require_safe
def organisations_page(request: HttpRequest) -> HttpResponse:
    rows = life.organisation_list(user=request.user).prefetch_related(None)
    kind = chosen(request, "kind", OrganisationKind.values)
    if kind:
        rows = rows.filter(kind=kind)
    active = chosen(request, "active", ("yes", "no"))
    if active:
        rows = rows.filter(active=active == "yes")
    context = {
        "page": page_of(request, rows.order_by("street__code", "name", "pk")),
        "kinds": OrganisationKind.choices,
        "shown_kind": kind,
        "shown_active": active,
    }
    return render(request, "participation/organisations.html", context)


@login_required
@require_safe
def organisation_page(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(life.organisation_list(user=request.user), pk=pk)
    places = keeper_places(request.user)
    names = life.Names(request.user)
    members = list(
        life.volunteer_list(user=request.user).filter(organisation=organisation).order_by("pk")
    )
    named(names, members)
    unmasked = life.keeps_street(places, organisation)
    context = {
        "organisation": organisation,
        "phones_shown": unmasked,
        "contacts": life.shown_contacts(organisation, unmasked=unmasked),
        "members": members,
        "activities": life.activity_list(user=request.user)
        .filter(organiser=organisation)
        .order_by("-starts_at")[:20],
    }
    return render_logged(request, names, "participation/organisation.html", context)


@login_required
@require_safe
def volunteers_page(request: HttpRequest) -> HttpResponse:
    rows = life.volunteer_list(user=request.user)
    communities = community_list(user=request.user).order_by("code")
    community = request.GET.get("community", "")
    if community.isdigit():
        rows = rows.filter(community_id=int(community))
    skill = chosen(request, "skill", Skill.values)
    if skill:
        rows = rows.filter(skills__icontains=f'"{skill}"')
    active = chosen(request, "active", ("yes", "no"))
    if active:
        rows = rows.filter(active=active == "yes")
    page = page_of(request, rows.order_by("community__code", "pk"))
    names = life.Names(request.user)
    named(names, page)
    context = {
        "page": page,
        "communities": communities,
        "skills": Skill.choices,
        "shown_community": community,
        "shown_skill": skill,
        "shown_active": active,
    }
    return render_logged(request, names, "participation/volunteers.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def activities_page(request: HttpRequest) -> HttpResponse:
    """Activities in the user's reach, upcoming first by default; keepers announce one."""
    places = keeper_places(request.user)
    communities = forms.kept_communities(places)
    form = None
    if communities.exists():
        form = forms.ActivityForm(
            request.POST or None,
            communities=communities,
            organisations=life.organisation_list(user=request.user).prefetch_related(None),
        )
    if request.method == "POST" and form is not None:
        activity = forms.run(
            form, lambda data: services.activity_create(created_by=request.user, **data)
        )
        if activity is not None:
            messages.success(request, _("Activity announced."))
            return redirect("participation:activity", activity.pk)
    rows = life.activity_list(user=request.user)
    when = chosen(request, "when", ("past", "all")) or "upcoming"
    if when == "upcoming":
        rows = rows.filter(starts_at__gte=timezone.now()).order_by("starts_at", "pk")
    elif when == "past":
        rows = rows.filter(starts_at__lt=timezone.now()).order_by("-starts_at", "-pk")
    status = chosen(request, "status", ActivityStatus.values)
    if status:
        rows = rows.filter(status=status)
    kind = chosen(request, "kind", ActivityKind.values)
    if kind:
        rows = rows.filter(kind=kind)
    context = {
        "page": page_of(request, rows),
        "form": form,
        "statuses": ActivityStatus.choices,
        "kinds": ActivityKind.choices,
        "shown_when": when,
        "shown_status": status,
        "shown_kind": kind,
    }
    bad = request.method == "POST"
    return render(request, "participation/activities.html", context, status=400 if bad else 200)


def _activity(request: HttpRequest, pk: int) -> Activity:
    return get_object_or_404(life.activity_list(user=request.user), pk=pk)


def _activity_response(
    request: HttpRequest, activity: Activity, *, bound: dict | None = None, status: int = 200
) -> HttpResponse:
    bound = bound or {}
    user = request.user
    keeper = keeps(user, activity)
    names = life.Names(user)
    signups = list(
        life.signup_list(user=user).filter(activity=activity).order_by("signed_up_at", "pk")
    )
    named(names, [signup.volunteer for signup in signups])
    in_force = [signup for signup in signups if signup.status == "signed_up"]
    now = timezone.now()
    open_for_signup = activity.status == ActivityStatus.OPEN and activity.starts_at > now
    own = life.own_volunteer(user)
    candidates = (
        life.volunteer_list(user=user)
        .filter(community=activity.community, active=True)
        .exclude(pk__in=[signup.volunteer_id for signup in in_force])
        .order_by("pk")
    )
    context = {
        "activity": activity,
        "keeper": keeper,
        "signups": signups,
        "open_for_signup": open_for_signup,
        "own": own if own is not None and own.community_id == activity.community_id else None,
        "own_signed_up": own is not None and any(s.volunteer_id == own.pk for s in in_force),
        "signup_form": bound.get("signup")
        or (forms.SignupForm(volunteers=candidates, names=names) if keeper else None),
        "attendance_form": (
            bound.get("attendance") or forms.AttendanceForm(signups=in_force)
            if keeper and activity.status == ActivityStatus.OPEN and activity.starts_at <= now
            else None
        ),
        "errors": bound.get("errors", []),
    }
    return render_logged(request, names, "participation/activity.html", context, status=status)


@login_required
@require_safe
def activity_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _activity_response(request, _activity(request, pk))


@login_required
@require_POST
def activity_signup_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A keeper signs a volunteer up; a volunteer (no ``volunteer`` field) signs up themself."""
    activity = _activity(request, pk)
    own = life.own_volunteer(request.user)
    if "volunteer" not in request.POST and own is not None:
        form = forms.SignupForm(
            {"volunteer": own.pk}, volunteers=Volunteer.objects.filter(pk=own.pk)
        )
    else:
        form = forms.SignupForm(request.POST, volunteers=life.volunteer_list(user=request.user))
    done = forms.run(
        form,
        lambda data: services.activity_signup(
            activity=activity, volunteer=data["volunteer"], by=request.user
        ),
    )
    if done is None:
        errors = [error for messages_ in form.errors.values() for error in messages_]
        return _activity_response(
            request, _activity(request, pk), bound={"errors": errors}, status=400
        )
    messages.success(request, _("Signed up."))
    return redirect("participation:activity", pk)


@login_required
@require_POST
def activity_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    form = forms.WithdrawForm(request.POST, activity=activity)
    done = forms.run(
        form,
        lambda data: services.activity_withdraw(
            activity=activity, volunteer=data["signup"].volunteer, by=request.user
        ),
    )
    if done is None:
        errors = [error for messages_ in form.errors.values() for error in messages_]
        return _activity_response(request, activity, bound={"errors": errors}, status=400)
    messages.success(request, _("Sign-up withdrawn."))
    return redirect("participation:activity", pk)


@login_required
@require_POST
def activity_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    try:
        services.activity_cancel(activity=activity, by=request.user)
    except StaleObjectError:
        messages.warning(request, _("The activity was changed meanwhile: nothing was done."))
        return redirect("participation:activity", pk)
    except ValidationError as refusal:
        return _activity_response(request, activity, bound={"errors": refusal.messages}, status=400)
    messages.success(request, _("Activity cancelled; the volunteers signed up were told."))
    return redirect("participation:activity", pk)


@login_required
@require_POST
def activity_attendance_view(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    if not keeps(request.user, activity):
        raise PermissionDenied
    in_force = list(activity.signups.filter(status="signed_up").select_related("volunteer"))
    form = forms.AttendanceForm(request.POST, signups=in_force)
    done = forms.run(
        form,
        lambda data: attendance.activity_attendance_record(
            activity=activity,
            by=request.user,
            records=[attendance.Attendance(*row) for row in form.records()],
        ),
    )
    if done is None:
        return _activity_response(request, activity, bound={"attendance": form}, status=400)
    messages.success(request, _("Attendance recorded; the points were credited."))
    return redirect("participation:activity", pk)


@login_required
@require_safe
def ranking_page(request: HttpRequest) -> HttpResponse:
    """Volunteers of one community by hours (or points) in a period (default: this year)."""
    communities = community_list(user=request.user).order_by("code")
    default = life.Period.this_year()
    try:
        start = date.fromisoformat(request.GET.get("start") or default.start.isoformat())
        end = date.fromisoformat(request.GET.get("end") or default.end.isoformat())
    except ValueError:
        start, end = default.start, default.end
    order = chosen(request, "order", life.RANKING_ORDERS) or "hours"
    picked = request.GET.get("community", "")
    community = communities.filter(pk=int(picked)).first() if picked.isdigit() else None
    community = community or communities.first()
    names = life.Names(request.user)
    rows = []
    if community is not None and start <= end:
        period = life.Period(start=start, end=end)
        rows = list(
            life.volunteer_ranking(
                user=request.user, community=community, period=period, order=order
            )[:50]
        )
        named(names, rows)
    context = {
        "communities": communities,
        "community": community,
        "start": start,
        "end": end,
        "order": order,
        "rows": rows,
    }
    return render_logged(request, names, "participation/volunteers_ranking.html", context)
