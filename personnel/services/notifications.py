"""The inbox: creating notifications, reading them, and delivering their email copies.

Delivery is claimed, never queued: a job claims rows whose ``sent_at`` is empty for a lease
(``claimed_until``), mails them and stamps ``sent_at``. A worker that dies mid-way leaves its
rows unsent with a lease that lapses, so the next run takes them again; nothing is lost.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from personnel.models import Notification, User

logger = logging.getLogger(__name__)

# A claim older than this is taken as lost. A batch is small enough to be mailed well within
# it; a row whose claim ran out mid-batch is skipped rather than risk a second copy.
CLAIM_LEASE = timedelta(minutes=5)
CLAIM_BATCH = 25
# One run stops after this many batches, so a backlog cannot hold a worker for long; the
# next run (every minute) carries on.
MAX_BATCHES_PER_RUN = 40
MAX_ATTEMPTS = 5

MAILED, INBOX_ONLY, FAILED, LAPSED = "mailed", "inbox_only", "failed", "lapsed"


def _deliver_soon(notification_id: int) -> None:
    # Imported here: the tasks module imports this one.
    from personnel.tasks.notifications import notification_send

    notification_send.delay(notification_id)


@transaction.atomic
def notify(
    *, user: User, title: str, body: str = "", url: str = "", kind: str = "general"
) -> Notification:
    """Put a message in ``user``'s inbox; its email copy goes out once the write commits.

    The immediate delivery is a convenience: if the broker is down it is logged and dropped
    (``robust``), and the delivery job sends the message on its next run.
    """
    notification = Notification(user=user, kind=kind, title=title[:200], body=body, url=url)
    notification.full_clean()
    notification.save()
    notification_id = notification.pk
    # A lambda, not functools.partial: Django names the callback when logging its failure.
    transaction.on_commit(lambda: _deliver_soon(notification_id), robust=True)
    return notification


@transaction.atomic
def notification_mark_read(*, notification: Notification) -> Notification:
    """Mark one notification read; reading it again keeps the first read time."""
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        notification.refresh_from_db(fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of ``user`` read; returns how many were unread."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def _claimable(now) -> Q:
    return (
        Q(sent_at__isnull=True)
        & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        & Q(attempts__lt=MAX_ATTEMPTS)
    )


@transaction.atomic
def notifications_claim(
    *,
    batch: int = CLAIM_BATCH,
    lease: timedelta = CLAIM_LEASE,
    pks: Iterable[int] | None = None,
) -> list[int]:
    """Claim up to ``batch`` unsent notifications (oldest first, optionally only ``pks``) for
    ``lease``, counting the attempt; returns the ids this caller now owns.

    On PostgreSQL the rows are locked with SKIP LOCKED, so concurrent workers take disjoint
    sets in one UPDATE. Elsewhere (SQLite) each row is taken by a compare-and-swap UPDATE that
    repeats the claimable condition, so a row already taken by another run is left alone.
    """
    now = timezone.now()
    claim = {"claimed_until": now + lease, "attempts": F("attempts") + 1}
    candidates = Notification.objects.filter(_claimable(now)).order_by("created_at", "pk")
    if pks is not None:
        candidates = candidates.filter(pk__in=list(pks))
    if connection.features.has_select_for_update_skip_locked:
        ids = list(
            candidates.select_for_update(skip_locked=True).values_list("pk", flat=True)[:batch]
        )
        Notification.objects.filter(pk__in=ids).update(**claim)
        return ids
    ids = list(candidates.values_list("pk", flat=True)[:batch])
    return [pk for pk in ids if Notification.objects.filter(_claimable(now), pk=pk).update(**claim)]


def _absolute(url: str) -> str:
    """The link as a mail reader can follow it: relative paths get SITE_URL in front."""
    if not url or urlsplit(url).scheme:
        return url
    site = getattr(settings, "SITE_URL", "").rstrip("/")
    return f"{site}{url if url.startswith('/') else '/' + url}"


def notification_deliver(*, notification: Notification) -> str:
    """Send the email copy of a notification this caller has claimed (loaded after the claim,
    so ``claimed_until`` is this caller's), then stamp ``sent_at``.

    Not atomic on purpose: no transaction (on SQLite, the database's write lock) is held
    while talking to the mail server. A failure leaves ``sent_at`` empty and the claim to
    lapse, which is the retry; after MAX_ATTEMPTS claims the row is no longer taken.
    """
    if notification.claimed_until is not None and timezone.now() >= notification.claimed_until:
        return LAPSED  # another run may own the row by now; the next one sends it
    user = notification.user
    if user.email and user.is_active:
        link = _absolute(notification.url)
        body = "\n\n".join(part for part in (notification.body, link) if part)
        try:
            send_mail(
                subject=" ".join(notification.title.split()),  # a header: no line breaks
                message=body,
                from_email=None,
                recipient_list=[user.email],
            )
        except Exception as exc:  # any transport failure: the row stays for a later run
            final = notification.attempts >= MAX_ATTEMPTS
            logger.log(
                logging.ERROR if final else logging.WARNING,
                "notification %s for user %s: email attempt %s failed (%s)%s",
                notification.pk,
                user.pk,
                notification.attempts,
                type(exc).__name__,
                "; giving up" if final else "; will retry",
            )
            return FAILED
        outcome = MAILED
    else:
        # No address (or an account switched off): the inbox is the delivery.
        outcome = INBOX_ONLY
    Notification.objects.filter(pk=notification.pk, sent_at__isnull=True).update(
        sent_at=timezone.now(), claimed_until=None
    )
    return outcome


def notification_send(*, notification_id: int) -> str | None:
    """Deliver one notification now if it is still unsent and unclaimed (after ``notify``)."""
    if not notifications_claim(batch=1, pks=[notification_id]):
        return None
    notification = Notification.objects.select_related("user").get(pk=notification_id)
    return notification_deliver(notification=notification)


def notifications_deliver_pending(
    *, batch: int = CLAIM_BATCH, max_batches: int = MAX_BATCHES_PER_RUN
) -> dict[str, int]:
    """Claim and deliver unsent notifications, batch by batch; counts of each outcome."""
    outcomes: Counter[str] = Counter()
    for _ in range(max_batches):
        ids = notifications_claim(batch=batch)
        claimed = Notification.objects.select_related("user").filter(pk__in=ids).order_by("pk")
        for notification in claimed:
            outcomes[notification_deliver(notification=notification)] += 1
        if len(ids) < batch:
            break
    return dict(outcomes)


def notify_many(
    *, user_ids: Iterable[int], title: str, body: str = "", url: str = "", kind: str = "general"
) -> int:
    """Put the same message in each user's inbox with one insert; returns how many."""
    return notify_each(
        Notification(user_id=user_id, kind=kind, title=title, body=body, url=url)
        for user_id in sorted(set(user_ids))
    )


def notify_each(messages: Iterable[Notification]) -> int:
    """Insert unsaved notifications in one go; returns how many. The one insert is atomic
    by itself (``bulk_create``), so it adds no savepoint to the caller's transaction.

    For jobs that notify many people at once (deadline sweeps, digests): the delivery job
    mails the copies on its next run instead of one task per message.
    """
    rows = list(messages)
    for row in rows:
        row.title, row.url = row.title[:200], row.url[:300]
    Notification.objects.bulk_create(rows)
    return len(rows)
