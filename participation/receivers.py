"""Receivers of other apps' signals. They change nothing themselves: each queues a task
with ``transaction.on_commit``, so that nothing runs for a step that is rolled back."""

from __future__ import annotations

from django.db import transaction

from incidents.choices import PUBLIC_SOURCES, Action
from participation import tasks


def on_ticket_acted(sender, *, ticket, action, event, **kwargs) -> None:
    """A public case closed: make and deliver its rating link. Staff rated a public case
    (a call-back): record the rating."""
    if ticket.source not in PUBLIC_SOURCES:
        return
    if action == Action.CLOSE:
        ticket_id = ticket.pk
        transaction.on_commit(lambda: tasks.rating_invitation_deliver.delay(ticket_id), robust=True)
    elif action == Action.RATE and event.actor_id is not None:
        event_id = event.pk
        transaction.on_commit(lambda: tasks.rating_callback_record.delay(event_id), robust=True)
