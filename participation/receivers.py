"""Receivers of other apps' signals. They change nothing themselves: each queues a task
once the step commits (``enqueue_on_commit``), so that nothing runs for a step that is rolled
back."""

from __future__ import annotations

from gridgov.broker import enqueue_on_commit
from incidents.choices import PUBLIC_SOURCES, Action
from participation import tasks


def on_ticket_acted(sender, *, ticket, action, event, **kwargs) -> None:
    """A public case closed: make and deliver its rating link. Staff rated a public case
    (a call-back): record the rating."""
    if ticket.source not in PUBLIC_SOURCES:
        return
    if action == Action.CLOSE:
        enqueue_on_commit(tasks.rating_invitation_deliver, ticket.pk)
    elif action == Action.RATE and event.actor_id is not None:
        enqueue_on_commit(tasks.rating_callback_record, event.pk)
