"""Staff pages of satisfaction: the ratings of the cases in the reader's reach, and a new
rating link for a public case, shown once (for a call-back by phone).

A rating link's token is kept only as its digest, so staff cannot read out the link that
was mailed; they issue a new one (the old one stops working), or record the reporter's
rating themselves with the case's ``rate`` action.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Avg, Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST, require_safe

from incidents.selectors import ticket_list
from incidents.workflow import UNSATISFIED_AT_MOST
from participation.choices import RatingChannel
from participation.selectors.satisfaction import rating_list
from participation.services.satisfaction import rating_link_reissue, rating_link_url

PAGE_SIZE = 25
SCORES = ("1", "2", "3", "4", "5", "unsatisfied")


@login_required
@require_safe
def ratings_page(request: HttpRequest) -> HttpResponse:
    """Ratings newest first, filtered by score (or unsatisfied), reopened and channel, with
    the count, the mean and the unsatisfied share of what is shown."""
    rows = rating_list(user=request.user)
    shown_score = request.GET.get("score", "")
    if shown_score == "unsatisfied":
        rows = rows.filter(score__lte=UNSATISFIED_AT_MOST)
    elif shown_score in SCORES:
        rows = rows.filter(score=int(shown_score))
    shown_reopened = request.GET.get("reopened", "")
    if shown_reopened in ("yes", "no"):
        rows = rows.filter(reopened=shown_reopened == "yes")
    shown_channel = request.GET.get("channel", "")
    if shown_channel in RatingChannel.values:
        rows = rows.filter(channel=shown_channel)
    summary = rows.aggregate(
        count=Count("pk"),
        mean=Avg("score"),
        unsatisfied=Count("pk", filter=Q(score__lte=UNSATISFIED_AT_MOST)),
    )
    page = Paginator(rows.order_by("-at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "summary": summary,
        "channels": RatingChannel.choices,
        "shown_score": shown_score,
        "shown_reopened": shown_reopened,
        "shown_channel": shown_channel,
        "scores": SCORES[:5],
    }
    return render(request, "participation/ratings.html", context)


@login_required
@require_POST
def rating_link_issue_view(request: HttpRequest, ticket_pk: int) -> HttpResponse:
    """Issue a new rating link of a closed public case and show it once (never stored
    readable, never put in a URL of ours): for reading out on a call-back."""
    ticket = get_object_or_404(ticket_list(user=request.user), pk=ticket_pk)
    try:
        _invitation, token = rating_link_reissue(ticket=ticket, by=request.user)
    except ValidationError as refusal:
        messages.warning(request, " ".join(refusal.messages))
        return redirect("incidents:ticket", ticket.pk)
    link = rating_link_url(token)
    if link.startswith("/"):
        link = request.build_absolute_uri(link)
    response = render(request, "participation/rating_link.html", {"ticket": ticket, "link": link})
    add_never_cache_headers(response)
    return response
