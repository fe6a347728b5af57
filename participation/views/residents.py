"""Staff pages of the resident register: residents, households, one resident with the visits
to them (and the form recording one), and the care list of residents not visited lately.

Residents are read through the selectors (outside the reader's reach: 404). Names and
phones are shown unmasked only where ``personal_data_access`` covers the resident, and every
page that shows some logs them (``PersonalDataView``) before it is sent.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from grids.selectors import grid_list
from participation import selectors
from participation.choices import CareTagCode
from participation.models import Resident
from participation.personal_data import mask_name, mask_phone
from participation.services import visit_record
from participation.views.community import chosen, page_of, render_revealing
from participation.views.community_forms import DATETIME


class VisitForm(forms.Form):
    """A visit to a resident: when (now if left empty) and what was found."""

    at = forms.DateTimeField(
        label=gettext_lazy("Visited at"),
        required=False,
        widget=DATETIME,
        help_text=gettext_lazy("Leave empty for now."),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 3}),
    )


def shown(request: HttpRequest, residents: Iterable[Resident]) -> list[Resident]:
    """Give each resident ``shown_name`` and ``shown_phone`` as this reader may see them,
    and return those shown unmasked (to be logged)."""
    access = selectors.personal_data_access(user=request.user)
    revealed = []
    for resident in residents:
        resident.unmasked = access.covers(resident)
        if resident.unmasked:
            resident.shown_name, resident.shown_phone = resident.name, resident.phone
            revealed.append(resident)
        else:
            resident.shown_name = mask_name(resident.name)
            resident.shown_phone = mask_phone(resident.phone)
    return revealed


def grid_choice(request: HttpRequest) -> tuple[list, str]:
    """The grids in the reader's reach and the one chosen in ``?grid=`` ("" for all)."""
    grids = list(grid_list(user=request.user).order_by("code"))
    wanted = request.GET.get("grid", "")
    return grids, wanted if wanted in {str(grid.pk) for grid in grids} else ""


def with_last_visit(residents):
    return residents.annotate(last_visited_at=Max("visits__at"))


@login_required
@require_safe
def residents_page(request: HttpRequest) -> HttpResponse:
    rows = selectors.resident_list(user=request.user)
    grids, grid = grid_choice(request)
    if grid:
        rows = rows.filter(grid_id=int(grid))
    care_tag = chosen(request, "care_tag", CareTagCode.values)
    if care_tag:
        rows = rows.filter(care_tags__code=care_tag)
    active = chosen(request, "active", ("yes", "no")) or "yes"
    rows = rows.filter(active=active == "yes")
    building = request.GET.get("building", "").strip()[:30]
    if building:
        rows = rows.filter(building=building)
    page = page_of(request, with_last_visit(rows).order_by("grid__code", "building", "pk"))
    revealed = shown(request, page)
    context = {
        "page": page,
        "grids": grids,
        "shown_grid": grid,
        "care_tags": CareTagCode.choices,
        "shown_care_tag": care_tag,
        "shown_active": active,
        "shown_building": building,
    }
    return render_revealing(request, "participation/residents.html", context, revealed)


def resident_context(request: HttpRequest, resident: Resident, form: VisitForm) -> tuple:
    """The resident page's context (its last 20 visits, its housemates, the visit form) and
    the residents it shows unmasked."""
    housemates = []
    if resident.household_id:
        housemates = list(
            selectors.resident_list(user=request.user)
            .filter(household_id=resident.household_id)
            .exclude(pk=resident.pk)
            .order_by("pk")
        )
    context = {
        "resident": resident,
        "housemates": housemates,
        "visits": selectors.visit_list(user=request.user)
        .filter(resident=resident)
        .order_by("-at")[:20],
        "form": form,
        "can_record_visits": request.user.has_perm("participation.add_visit"),
    }
    revealed = shown(request, [resident, *housemates])
    return context, revealed


@login_required
@require_safe
def resident_page(request: HttpRequest, pk: int) -> HttpResponse:
    resident = get_object_or_404(selectors.resident_list(user=request.user), pk=pk)
    context, revealed = resident_context(request, resident, VisitForm())
    return render_revealing(request, "participation/resident.html", context, revealed)


@login_required
@require_POST
def resident_visit_view(request: HttpRequest, pk: int) -> HttpResponse:
    resident = get_object_or_404(selectors.resident_list(user=request.user), pk=pk)
    if not request.user.has_perm("participation.add_visit"):
        raise PermissionDenied
    form = VisitForm(request.POST)
    if form.is_valid():
        try:
            visit_record(resident=resident, visited_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The visit is recorded."))
            return redirect("participation:resident", pk=resident.pk)
    context, revealed = resident_context(request, resident, form)
    return render_revealing(request, "participation/resident.html", context, revealed, status=400)


@login_required
@require_safe
def households_page(request: HttpRequest) -> HttpResponse:
    rows = selectors.household_list(user=request.user).annotate(
        members_count=Count("members", distinct=True)
    )
    grids, grid = grid_choice(request)
    if grid:
        rows = rows.filter(grid_id=int(grid))
    building = request.GET.get("building", "").strip()[:30]
    if building:
        rows = rows.filter(building=building)
    page = page_of(request, rows.order_by("grid__code", "building", "unit", "room", "pk"))
    context = {"page": page, "grids": grids, "shown_grid": grid, "shown_building": building}
    return render(request, "participation/households.html", context)


@login_required
@require_safe
def household_page(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_object_or_404(selectors.household_list(user=request.user), pk=pk)
    members = list(
        with_last_visit(
            selectors.resident_list(user=request.user).filter(household=household)
        ).order_by("-active", "pk")
    )
    revealed = shown(request, members)
    context = {"household": household, "members": members}
    return render_revealing(request, "participation/household.html", context, revealed)


def care_days(request: HttpRequest) -> int:
    text = request.GET.get("days", "")
    if text.isdigit() and 1 <= int(text) <= selectors.CARE_LIST_DAYS_MAX:
        return int(text)
    return selectors.CARE_LIST_DAYS_DEFAULT


@login_required
@require_safe
def care_list_page(request: HttpRequest) -> HttpResponse:
    grids, grid = grid_choice(request)
    days = care_days(request)
    rows = selectors.care_list(user=request.user, days=days, grid_id=int(grid) if grid else None)
    page = page_of(request, rows)
    revealed = shown(request, page)
    context = {
        "page": page,
        "grids": grids,
        "shown_grid": grid,
        "days": days,
        "days_max": selectors.CARE_LIST_DAYS_MAX,
    }
    return render_revealing(request, "participation/care_list.html", context, revealed)
