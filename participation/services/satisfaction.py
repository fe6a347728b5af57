"""Writes of satisfaction: rating links of closed public cases, their delivery, the rating
itself (which reopens an unsatisfied case within the window), and staff call-backs.

* Each closing of a case from the public (``PUBLIC_SOURCES``) gets one rating link
  (``RatingInvitation``, unique per ticket and closing time), valid for
  ``RATING_WINDOW_DAYS`` after the closing. Only the token's digest is stored, so the link
  is shown or mailed once; issuing it again gives the same row a new token and the old
  link stops working.
* The link is mailed when an address is known: the public report's e-mail, or the
  reporting user's for cases people reported themselves (web, app, Open311). Hotline
  callers have no address: the command centre calls them back and records the rating
  through the workflow's ``rate`` action, which becomes a ``callback`` rating here.
* A rating is one transaction: the link marked used, the workflow's ``rate`` as the
  system, and for a score of ``UNSATISFIED_AT_MOST`` or less within ``REOPEN_WINDOW`` of
  the closing, the workflow's ``reopen``; then the append-only ``Rating`` row.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.choices import PUBLIC_SOURCES, Action, Source, Status
from incidents.models import Ticket, TicketEvent
from incidents.workflow import REOPEN_WINDOW, UNSATISFIED_AT_MOST, ticket_act
from participation.choices import RatingChannel
from participation.models import PublicReport, Rating, RatingInvitation
from participation.selectors.common import keeps
from participation.selectors.satisfaction import rateable_closing
from participation.tokens import new_token, token_digest

logger = logging.getLogger(__name__)

MAX_COMMENT = 2000
# Sources whose reporting user is the person to ask (a hotline case is entered by staff).
SELF_REPORTED = frozenset({Source.RESIDENT, Source.OPEN311})
ISSUED, MAILED, EXISTS, SKIPPED = "issued", "mailed", "exists", "skipped"


def rating_expiry(closed_at: datetime) -> datetime:
    return closed_at + timedelta(days=settings.RATING_WINDOW_DAYS)


def rating_link_url(token: str) -> str:
    """The link as the reporter opens it (absolute when ``SITE_URL`` is set)."""
    return f"{settings.SITE_URL}{reverse('public:rate', args=[token])}"


@transaction.atomic
def rating_link_issue(*, ticket: Ticket) -> tuple[RatingInvitation, str]:
    """The rating link of ``ticket``'s current closing and its token (shown once): the
    closing's link is made, or the unused one gets a new token."""
    if ticket.source not in PUBLIC_SOURCES:
        raise ValidationError(_("Only cases from the public are rated through a link."))
    if ticket.status != Status.CLOSED or ticket.closed_at is None:
        raise ValidationError(_("Only a closed case that is not rated yet takes a rating link."))
    now = timezone.now()
    expires_at = rating_expiry(ticket.closed_at)
    if expires_at <= now:
        raise ValidationError(_("The rating window of this case has passed."))
    token, digest = new_token()
    invitation, created = RatingInvitation.objects.get_or_create(
        ticket=ticket,
        closed_at=ticket.closed_at,
        defaults={"token_hash": digest, "created_at": now, "expires_at": expires_at},
    )
    if created:
        return invitation, token
    if invitation.used_at is not None:
        raise ValidationError(_("This case was rated through its link already."))
    swapped = RatingInvitation.objects.filter(
        pk=invitation.pk, used_at__isnull=True, token_hash=invitation.token_hash
    ).update(token_hash=digest)
    if not swapped:
        raise ValidationError(_("The rating link changed meanwhile. Try again."))
    invitation.token_hash = digest
    return invitation, token


def rating_link_reissue(*, ticket: Ticket, by) -> tuple[RatingInvitation, str]:
    """A new rating link for staff to read out on a call-back (keepers of the case's
    community); the link sent before stops working."""
    if not keeps(by, ticket):
        raise PermissionDenied(_("Only keepers of the case's community issue rating links."))
    return rating_link_issue(ticket=ticket)


def reporter_address(ticket: Ticket) -> str:
    """Where the rating link is mailed: the public report's e-mail, else the reporting
    user's for cases people reported themselves; "" when none is known."""
    report = PublicReport.objects.filter(ticket=ticket).only("email").first()
    if report is not None and report.email:
        return report.email
    reporter = ticket.reporter
    if ticket.source in SELF_REPORTED and reporter is not None and reporter.is_active:
        return reporter.email or ""
    return ""


def _mail(ticket: Ticket, invitation: RatingInvitation, token: str, address: str) -> None:
    def local(moment: datetime) -> str:
        return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"

    send_mail(
        subject=_("How was your case %(number)s handled?") % {"number": ticket.number},
        message=_(
            "Your case %(number)s (%(category)s) was closed on %(closed)s.\n\n"
            "Please rate how it was handled, from 1 to 5, at this link (no sign-in needed) "
            "until %(expires)s:\n\n%(link)s\n\n"
            "If you are not satisfied, your rating reopens the case."
        )
        % {
            "number": ticket.number,
            "category": ticket.category,
            "closed": local(invitation.closed_at),
            "expires": local(invitation.expires_at),
            "link": rating_link_url(token),
        },
        from_email=None,
        recipient_list=[address],
    )


def rating_invitation_deliver(*, ticket_id: int) -> str:
    """Make the rating link of the ticket's current closing and mail it when an address is
    known. Safe to run twice: a closing has one link, mailed once (a link whose mail
    failed gets a new token on the next run, since only the digest was kept).

    Not atomic as a whole: no transaction is held while talking to the mail server.
    """
    ticket = Ticket.objects.select_related("reporter", "category").filter(pk=ticket_id).first()
    if ticket is None or ticket.source not in PUBLIC_SOURCES or ticket.status != Status.CLOSED:
        return SKIPPED
    address = reporter_address(ticket)
    existing = RatingInvitation.objects.filter(ticket=ticket, closed_at=ticket.closed_at).first()
    if existing is not None and (existing.mailed_at or existing.used_at or not address):
        return EXISTS
    try:
        invitation, token = rating_link_issue(ticket=ticket)
    except ValidationError:  # the window passed, or the link was used meanwhile
        return SKIPPED
    if not address:
        return ISSUED
    _mail(ticket, invitation, token, address)
    RatingInvitation.objects.filter(pk=invitation.pk, mailed_at__isnull=True).update(
        mailed_at=timezone.now()
    )
    return MAILED


def _checked_score(score) -> int:
    try:
        value = int(score)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5 or str(value) != str(score).strip():
        raise ValidationError({"score": _("Rate from 1 to 5.")})
    return value


def _rate(invitation: RatingInvitation, score, comment: str) -> Rating:
    """The rating through ``invitation`` (locked by the caller's transaction)."""
    now = timezone.now()
    if invitation.used_at is not None:
        raise ValidationError({"token": _("This link was used already: the case is rated.")})
    if invitation.expires_at <= now:
        raise ValidationError(
            {
                "token": _("This rating link expired on %(date)s.")
                % {"date": f"{timezone.localtime(invitation.expires_at):%Y-%m-%d %H:%M}"}
            }
        )
    value = _checked_score(score)
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationError(
            {"comment": _("Keep the comment under %(n)d characters.") % {"n": MAX_COMMENT}}
        )
    ticket = Ticket.objects.select_for_update().get(pk=invitation.ticket_id)
    if ticket.status != Status.CLOSED or ticket.closed_at != invitation.closed_at:
        raise ValidationError(
            {"token": _("This case can no longer be rated here: it was rated or reopened.")}
        )
    if not RatingInvitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(
        used_at=now
    ):
        raise ValidationError({"token": _("This link was used already: the case is rated.")})
    invitation.used_at = now
    ticket = ticket_act(
        ticket=ticket,
        actor=None,
        action=Action.RATE,
        expected_version=ticket.version,
        data={"satisfaction": value},
    )
    reopened = value <= UNSATISFIED_AT_MOST and now - invitation.closed_at <= REOPEN_WINDOW
    if reopened:
        ticket = ticket_act(
            ticket=ticket,
            actor=None,
            action=Action.REOPEN,
            expected_version=ticket.version,
            note=_("The reporter rated the handling %(score)d of 5: the case is reopened.")
            % {"score": value},
        )
    rating = Rating(
        ticket=ticket,
        invitation=invitation,
        score=value,
        comment=comment,
        channel=RatingChannel.LINK,
        at=now,
        reopened=reopened,
    )
    _place(rating, ticket)
    rating.full_clean()
    rating.save()
    return rating


def _place(rating: Rating, ticket: Ticket) -> None:
    rating.grid_id = ticket.grid_id
    rating.community_id = ticket.community_id
    rating.street_id = ticket.street_id
    rating.district_id = ticket.district_id


@transaction.atomic
def rating_submit(*, token: str, score: int, comment: str = "") -> Rating:
    """Rate the case of a rating link: valid, unused and unexpired, the case still closed
    at the link's closing. A score of 2 or less within the reopen window reopens it."""
    invitation = None
    if token and len(token) <= 100:
        invitation = (
            RatingInvitation.objects.select_for_update()
            .filter(token_hash=token_digest(token))
            .first()
        )
    if invitation is None:
        raise ValidationError({"token": _("This rating link is not valid.")})
    return _rate(invitation, score, comment)


@transaction.atomic
def rating_submit_for_report(*, report: PublicReport, score: int, comment: str = "") -> Rating:
    """The same rating, from the follow page of a public report (the follower proved who
    they are with the follow token)."""
    ticket = Ticket.objects.filter(pk=report.ticket_id).first() if report.ticket_id else None
    invitation = rateable_closing(ticket=ticket) if ticket is not None else None
    if invitation is None:
        raise ValidationError({"token": _("This case cannot be rated now.")})
    invitation = RatingInvitation.objects.select_for_update().get(pk=invitation.pk)
    return _rate(invitation, score, comment)


@transaction.atomic
def rating_record_callback(*, event_id: int) -> Rating | None:
    """The ``callback`` rating of a public case that staff rated through the workflow
    (having called the reporter back), once per closing; None for other rate events (the
    system's, or the reporter's own in the case API, which the channels do not name)."""
    event = (
        TicketEvent.objects.select_related("ticket")
        .filter(pk=event_id, action=Action.RATE, actor__isnull=False)
        .first()
    )
    score = (event.data or {}).get("satisfaction") if event else None
    if score is None or event.ticket.source not in PUBLIC_SOURCES:
        return None
    ticket = event.ticket
    if event.actor_id == ticket.reporter_id:
        return None
    closing = (
        TicketEvent.objects.filter(ticket=ticket, action=Action.CLOSE, at__lte=event.at)
        .order_by("-at", "-pk")
        .values_list("at", flat=True)
        .first()
    )
    if closing is None:
        return None
    invitation, _created = RatingInvitation.objects.get_or_create(
        ticket=ticket,
        closed_at=closing,
        defaults={
            "token_hash": new_token()[1],  # never shown: the case is rated
            "created_at": event.at,
            "expires_at": rating_expiry(closing),
        },
    )
    RatingInvitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(used_at=event.at)
    rating = Rating(
        ticket=ticket,
        invitation=invitation,
        score=int(score),
        comment=event.note[:MAX_COMMENT],
        channel=RatingChannel.CALLBACK,
        recorded_by_id=event.actor_id,
        at=event.at,
    )
    _place(rating, ticket)
    try:
        with transaction.atomic():  # a savepoint: one rating per link
            rating.save()
    except IntegrityError:
        return Rating.objects.filter(invitation=invitation).first()
    return rating
