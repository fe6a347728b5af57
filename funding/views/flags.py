"""The irregularity flags page: what the checks found in the books the user reads, by
status and kind, each resolved with a note; the checks can be run at once from here."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from funding import selectors
from funding.choices import FlagKind, FlagStatus
from funding.forms import NoteForm
from funding.services.checks import flag_resolve, funding_checks_run
from funding.views.common import books_page, page_of, submitted
from gridgov.exceptions import StaleObjectError


def _flags_response(
    request: HttpRequest, *, bound: tuple[int, NoteForm] | None = None, status: int = 200
) -> HttpResponse:
    flags = selectors.flag_list(user=request.user).select_related(
        "street", "community", "grid", "request"
    )
    shown_status = request.GET.get("status", FlagStatus.OPEN)
    if shown_status in FlagStatus.values:
        flags = flags.filter(status=shown_status)
    shown_kind = request.GET.get("kind", "")
    if shown_kind in FlagKind.values:
        flags = flags.filter(kind=shown_kind)
    page = page_of(request, flags.order_by("-detected_at", "-pk"))
    for flag in page:
        flag.resolve_form = bound[1] if bound and bound[0] == flag.pk else NoteForm()
    context = {
        "reads_books": not selectors.books_scope(request.user).empty,
        "page": page,
        "statuses": FlagStatus.choices,
        "kinds": FlagKind.choices,
        "shown_status": shown_status,
        "shown_kind": shown_kind,
    }
    return render(request, "funding/flags.html", context, status=status)


@books_page
@require_safe
def flags_page(request: HttpRequest) -> HttpResponse:
    """Open flags by default, newest first."""
    return _flags_response(request)


@books_page
@require_POST
def flag_resolve_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Resolve one flag with a note saying what was found or done."""
    flag = get_object_or_404(selectors.flag_list(user=request.user), pk=pk)
    if flag.status != FlagStatus.OPEN:
        messages.warning(request, _("This flag is resolved already."))
        return redirect("funding:flags")
    form = NoteForm(request.POST)
    try:
        resolved = submitted(
            form, lambda data: flag_resolve(flag=flag, by=request.user, note=data["note"])
        )
    except StaleObjectError:
        messages.warning(request, _("Someone resolved this flag meanwhile."))
        return redirect("funding:flags")
    if resolved is None:
        return _flags_response(request, bound=(flag.pk, form), status=400)
    messages.success(request, _("Flag resolved."))
    return redirect("funding:flags")


@books_page
@require_POST
def checks_run_view(request: HttpRequest) -> HttpResponse:
    """Run the irregular-use checks over the user's books now (nothing is flagged twice)."""
    if not request.user.has_perm("funding.change_flag"):
        raise PermissionDenied
    found = sum(funding_checks_run(by=request.user).values())
    messages.success(
        request,
        ngettext(
            "The checks ran: %(count)d new flag.", "The checks ran: %(count)d new flags.", found
        )
        % {"count": found},
    )
    return redirect("funding:flags")
