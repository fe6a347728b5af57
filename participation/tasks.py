"""Celery tasks of the participation app. Each takes ids, loads, calls a service, and is
safe to run twice (see the services)."""

from __future__ import annotations

import smtplib

from celery import shared_task

from participation.services import satisfaction


@shared_task(
    name="participation.tasks.rating_invitation_deliver",
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=60,
    max_retries=5,
)
def rating_invitation_deliver(ticket_id: int) -> str:
    """A public case closed: make its rating link and mail it when an address is known (a
    failed mail is retried with a new token; only the digest of the first was kept)."""
    return satisfaction.rating_invitation_deliver(ticket_id=ticket_id)


@shared_task(name="participation.tasks.rating_callback_record")
def rating_callback_record(event_id: int) -> int | None:
    """Staff rated a public case after calling the reporter back: record the rating."""
    rating = satisfaction.rating_record_callback(event_id=event_id)
    return None if rating is None else rating.pk
