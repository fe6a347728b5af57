"""The ticket page's actions: every form posts here and goes through ``ticket_act``."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov.exceptions import StaleObjectError
from incidents import selectors
from incidents.choices import Action, Status
from incidents.models import Ticket
from incidents.photos import PhotoTooLarge
from incidents.views.forms import ActionForm, action_form
from incidents.views.ticket import render_ticket_page
from incidents.workflow import ActionNotAllowed, allowed_actions, ticket_act

# Actions that have their own ways in (reporting, correcting), not the ticket page.
NOT_ON_THE_PAGE = frozenset({Action.REPORT, Action.EDIT})


def _errors_onto(form: ActionForm, error: ValidationError) -> None:
    """Put the workflow's refusal on the fields it names; what names no visible field of
    the form (a task, an order) goes above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, field_messages in error.message_dict.items():
        visible = field in form.fields and not form.fields[field].widget.is_hidden
        form.add_error(field if visible else None, field_messages)


def _stale(request: HttpRequest, pk: int) -> HttpResponse:
    messages.error(
        request,
        _(
            "This ticket was changed by someone else meanwhile: nothing was done. Reload it, "
            "check what changed and try again."
        ),
    )
    # Re-read: the page must show the ticket as it is now, with its current version.
    ticket = get_object_or_404(selectors.ticket_list(user=request.user), pk=pk)
    return render_ticket_page(request, ticket, status=409)


def _not_allowed(request: HttpRequest, ticket: Ticket, refusal: ActionNotAllowed) -> HttpResponse:
    messages.error(
        request,
        _("“%(action)s” is not possible while the ticket is %(status)s.")
        % {"action": Action(refusal.action).label, "status": Status(refusal.status).label},
    )
    return render_ticket_page(request, ticket, status=409)


def _posted_version(request: HttpRequest) -> int | None:
    """The version the page showed, if it reads as one (the form reports it otherwise)."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


@login_required
@require_POST
def ticket_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Apply one workflow action from the ticket page; back to the page with a success
    message, or the page again with the reasons it was refused (nothing changed)."""
    ticket = get_object_or_404(selectors.ticket_list(user=request.user), pk=pk)
    if action not in Action.values or action in NOT_ON_THE_PAGE:
        raise Http404
    if _posted_version(request) not in (None, ticket.version):
        # Before anything else: a stale page must not be told that its action "is not
        # possible now" or is missing a field when the real news is that the ticket moved on.
        return _stale(request, pk)
    if action not in allowed_actions(ticket.status):
        return _not_allowed(request, ticket, ActionNotAllowed(ticket.status, action, []))
    form = action_form(action, request.POST, request.FILES, ticket=ticket, user=request.user)
    if not form.is_valid():
        return render_ticket_page(request, ticket, bound=form, status=400)
    version = form.cleaned_data["version"]
    try:
        ticket_act(
            ticket=ticket,
            actor=request.user,
            action=action,
            expected_version=version,
            note=form.cleaned_data["note"].strip(),
            data=form.action_data(),
        )
    except StaleObjectError:
        return _stale(request, pk)
    except ActionNotAllowed as refusal:
        return _not_allowed(request, ticket, refusal)
    except PermissionDenied:
        messages.error(request, _("Your roles do not allow this action on this ticket."))
        return render_ticket_page(request, ticket, status=403)
    except PhotoTooLarge as too_large:
        form.add_error(
            "photos",
            _("Photo too large: %(name)s is over %(limit)s.")
            % {"name": too_large.name, "limit": filesizeformat(settings.PHOTO_MAX_BYTES)},
        )
        return render_ticket_page(request, ticket, bound=form, status=400)
    except ValidationError as error:
        _errors_onto(form, error)
        return render_ticket_page(request, ticket, bound=form, status=400)
    messages.success(request, _("Done: %(action)s.") % {"action": Action(action).label})
    return redirect("incidents:ticket", pk=pk)
