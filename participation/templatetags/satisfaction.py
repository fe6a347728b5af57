"""The rating-link panel of the staff ticket page (``{% rating_links ticket %}``): whether
the reporter got a link for each closing, and whether it was used; keepers of the case's
community may issue a new one for a call-back."""

from __future__ import annotations

from django import template
from django.utils import timezone

from incidents.choices import PUBLIC_SOURCES, Status
from participation.selectors.common import keeps
from participation.selectors.satisfaction import rating_links_of
from participation.services.satisfaction import rating_expiry

register = template.Library()


@register.inclusion_tag("participation/_rating_links.html", takes_context=True)
def rating_links(context, ticket) -> dict:
    if ticket.source not in PUBLIC_SOURCES:
        return {"shown": False}
    user = context["request"].user
    now = timezone.now()
    closed = ticket.status == Status.CLOSED and ticket.closed_at is not None
    return {
        "shown": True,
        "ticket": ticket,
        "links": rating_links_of(user=user, ticket=ticket),
        "now": now,
        "may_issue": closed and rating_expiry(ticket.closed_at) > now and keeps(user, ticket),
        "csrf_token": context.get("csrf_token"),
    }
