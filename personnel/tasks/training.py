"""Training jobs: reminders before certificates expire."""

from celery import shared_task

from personnel.services import training as services


@shared_task(name="personnel.tasks.certificate_reminders_send")
def certificate_reminders_send() -> int:
    """Beat job: remind holders of certificates expiring soon. Safe to run twice: each
    certificate's reminder is claimed by a compare-and-swap on ``reminded_at``."""
    return services.certificate_reminders_send()
