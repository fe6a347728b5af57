"""Reads of satisfaction: ratings of closed cases and their rating links.

Ratings are scoped like the cases they rate (``scope_for(user).area_q()`` over the copied
district, street, community and grid). A rating link is found by its token's digest only.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from incidents.choices import Status
from incidents.models import Ticket
from participation.models import Rating, RatingInvitation
from participation.selectors.common import signed_in
from participation.tokens import token_digest
from personnel.scope import scope_for


def rating_list(*, user) -> QuerySet[Rating]:
    """Ratings of the cases in the user's reach, newest first, with their case."""
    if not signed_in(user):
        return Rating.objects.none()
    return Rating.objects.select_related("ticket", "grid", "community", "recorded_by").filter(
        scope_for(user).area_q()
    )


def invitation_for_token(*, token: str) -> RatingInvitation | None:
    """The rating link with this token (used, expired or not), with its case."""
    if not token or len(token) > 100:
        return None
    return (
        RatingInvitation.objects.select_related("ticket__category")
        .filter(token_hash=token_digest(token))
        .first()
    )


def rateable_closing(*, ticket: Ticket) -> RatingInvitation | None:
    """The open rating link of the ticket's current closing, if the case can still be rated
    through it: closed (not yet rated, not reopened), unused and unexpired."""
    if ticket.status != Status.CLOSED or ticket.closed_at is None:
        return None
    return RatingInvitation.objects.filter(
        ticket=ticket,
        closed_at=ticket.closed_at,
        used_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).first()


def rating_links_of(*, user, ticket: Ticket) -> list[RatingInvitation]:
    """The rating links of a ticket the user reads, one per closing, oldest first, each
    with its rating (``rating_or_none``)."""
    if not signed_in(user):
        return []
    links = list(
        RatingInvitation.objects.filter(ticket=ticket)
        .select_related("rating")
        .order_by("closed_at", "pk")
    )
    for link in links:
        link.rating_or_none = getattr(link, "rating", None)
    return links
