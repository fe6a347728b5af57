"""The inbox: creating notifications (delivery and reading are added by the inbox work)."""

from __future__ import annotations

from personnel.models import Notification, User


def notify(
    *, user: User, title: str, body: str = "", url: str = "", kind: str = "general"
) -> Notification:
    """Put a message in ``user``'s inbox; its email copy is sent by the delivery job."""
    notification = Notification(user=user, kind=kind, title=title[:200], body=body, url=url)
    notification.full_clean()
    notification.save()
    return notification
