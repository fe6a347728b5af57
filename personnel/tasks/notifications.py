"""Delivery of the inbox's email copies (see personnel.services.notifications)."""

from celery import shared_task

from personnel.services import notifications as services


@shared_task(name="personnel.tasks.notifications_deliver")
def notifications_deliver() -> dict[str, int]:
    """Beat job: claim unsent notifications and mail them. Safe to run twice or at once:
    each row is claimed by one run, and a lapsed claim (a lost run) is taken again."""
    return services.notifications_deliver_pending()


@shared_task(name="personnel.tasks.notification_send")
def notification_send(notification_id: int) -> str | None:
    """Deliver one new notification straight after its write commits, ahead of the beat job
    (which sends it anyway if this task is lost)."""
    return services.notification_send(notification_id=notification_id)
