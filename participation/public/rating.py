"""Rating a closed case through the link the reporter got (no sign-in).

The page names the case (number, category, when it was reported and closed: nothing the
reporter did not know) and takes a score from 1 to 5 with a comment. A used link says the
case is rated (and whether the rating reopened it); an unknown link answers 404, an
expired one 410. Look-ups and posts are rate-limited per client address, and a filled-in
honeypot field is taken for a robot: nothing is written.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from gridgov.exceptions import StaleObjectError
from incidents.choices import Status
from participation.models import RatingInvitation
from participation.public.honeypot import HoneypotForm
from participation.public.limits import limited, visitor_over_limit
from participation.selectors.satisfaction import invitation_for_token
from participation.services.satisfaction import MAX_COMMENT, rating_submit

INVALID, USED, EXPIRED, GONE, OPEN = "invalid", "used", "expired", "gone", "open"
STATE_STATUS = {INVALID: 404, USED: 200, EXPIRED: 410, GONE: 410, OPEN: 200}


def _rate_limit(group: str, request: HttpRequest) -> str:
    # Rating links are looked up like follow tokens: the same allowance per address.
    return settings.PUBLIC_FOLLOW_RATE


class RateForm(HoneypotForm):
    score = forms.TypedChoiceField(
        label=gettext_lazy("How satisfied are you with the handling?"),
        help_text=gettext_lazy("5 very satisfied … 1 very unsatisfied"),
        coerce=int,
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        max_length=MAX_COMMENT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _state(invitation: RatingInvitation | None) -> str:
    if invitation is None:
        return INVALID
    if invitation.used_at is not None:
        return USED
    if invitation.expires_at <= timezone.now():
        return EXPIRED
    ticket = invitation.ticket
    if ticket.status != Status.CLOSED or ticket.closed_at != invitation.closed_at:
        return GONE
    return OPEN


def _page(
    request: HttpRequest, invitation: RatingInvitation | None, form: RateForm | None = None
) -> HttpResponse:
    state = _state(invitation)
    context = {
        "state": state,
        "invitation": invitation,
        "ticket": invitation.ticket if invitation else None,
        "rating": getattr(invitation, "rating", None) if state == USED else None,
        "form": (form or RateForm()) if state == OPEN else None,
    }
    status = STATE_STATUS[state]
    if form is not None and form.errors and state == OPEN:
        status = 400
    return render(request, "public/rate.html", context, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def rate_page(request: HttpRequest, token: str) -> HttpResponse:
    """The rating form of a link; a post records the rating and shows the page again."""
    if visitor_over_limit(request, group="public-rate", rate=_rate_limit):
        return limited(request, group="public-rate", rate=_rate_limit)
    invitation = invitation_for_token(token=token)
    if request.method != "POST" or _state(invitation) != OPEN:
        return _page(request, invitation)
    form = RateForm(request.POST)
    if form.is_spam:
        form.is_valid()
        form.add_error(None, _("This rating could not be accepted. Please try again."))
        return _page(request, invitation, form)
    if not form.is_valid():
        return _page(request, invitation, form)
    try:
        rating_submit(
            token=token,
            score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as refusal:
        form.add_error(None, refusal.messages)
        return _page(request, invitation_for_token(token=token), form)
    except StaleObjectError:  # the case moved at this very moment (a job, a colleague)
        form.add_error(None, _("The case changed just now. Please send your rating again."))
        return _page(request, invitation_for_token(token=token), form)
    return redirect(request.path)
