"""Email copies of notifications: claimed by the delivery job, sent once, never lost.

A crash is simulated by leaving a row claimed with a lapsed lease and no sent time, which is
what a worker that died mid-delivery leaves behind.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from personnel.models import Notification
from personnel.services.notifications import (
    MAX_ATTEMPTS,
    notification_deliver,
    notifications_claim,
    notifications_deliver_pending,
    notify,
)
from personnel.tasks.notifications import notifications_deliver
from tests import people

pytestmark = pytest.mark.django_db

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
BROKEN = f"{__name__}.UnreachableMailServer"


class UnreachableMailServer(BaseEmailBackend):
    """A mail backend whose server never answers."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server unreachable")


def run_job() -> None:
    notifications_deliver.delay()  # eager in tests: runs here, as a worker would


def lapse_claim(notification: Notification) -> None:
    """Time passes: the claim on ``notification`` runs out."""
    Notification.objects.filter(pk=notification.pk).update(
        claimed_until=timezone.now() - timedelta(seconds=1)
    )


def test_mail_goes_to_users_with_an_address_and_the_inbox_serves_the_rest(settings):
    settings.SITE_URL = "https://grid.example.cn"
    li = people.user(email="li.wei@example.org")
    no_address = people.user()
    mailed = notify(user=li, title="Ticket 42 assigned", body="Due by 17:00.", url="/tickets/42/")
    inbox_only = notify(user=no_address, title="Ticket 43 assigned")

    run_job()

    [message] = mail.outbox
    assert message.to == ["li.wei@example.org"]
    assert message.subject == "Ticket 42 assigned"
    assert message.body == "Due by 17:00.\n\nhttps://grid.example.cn/tickets/42/"
    for notification in (mailed, inbox_only):
        notification.refresh_from_db()
        assert notification.sent_at is not None
    assert inbox_only.read_at is None  # still waiting in the inbox


def test_running_the_job_twice_sends_one_email():
    notify(user=people.user(email="wang@example.org"), title="Patrol route changed")

    run_job()
    run_job()

    assert len(mail.outbox) == 1


def test_a_new_notification_is_mailed_as_soon_as_it_is_committed(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=people.user(email="zhao@example.org"), title="Certificate issued")

    assert [message.subject for message in mail.outbox] == ["Certificate issued"]
    run_job()
    assert len(mail.outbox) == 1


def test_a_row_left_behind_by_a_crashed_run_is_delivered_by_the_next():
    stranded = notify(user=people.user(email="sun@example.org"), title="Stranded")
    Notification.objects.filter(pk=stranded.pk).update(
        claimed_until=timezone.now() - timedelta(minutes=1), attempts=1
    )

    run_job()

    assert [message.subject for message in mail.outbox] == ["Stranded"]
    stranded.refresh_from_db()
    assert stranded.sent_at is not None


def test_a_row_claimed_by_a_run_still_in_progress_is_left_to_it():
    busy = notify(user=people.user(email="zhou@example.org"), title="Being sent")
    Notification.objects.filter(pk=busy.pk).update(
        claimed_until=timezone.now() + timedelta(minutes=4), attempts=1
    )

    run_job()

    assert mail.outbox == []
    busy.refresh_from_db()
    assert busy.sent_at is None


def test_two_runs_never_claim_the_same_rows():
    for n in range(3):
        notify(user=people.user(email=f"p{n}@example.org"), title=f"Message {n}")

    first = notifications_claim(batch=2)
    second = notifications_claim(batch=10)
    third = notifications_claim(batch=10)

    assert len(first) == 2
    assert len(second) == 1
    assert set(first).isdisjoint(second)
    assert third == []


def test_a_slow_run_whose_claim_ran_out_leaves_the_row_to_the_run_that_took_over():
    notify(user=people.user(email="feng@example.org"), title="Only once")
    [pk] = notifications_claim()
    slow_copy = Notification.objects.select_related("user").get(pk=pk)
    lapse_claim(slow_copy)
    run_job()  # a later run takes the row over and mails it

    slow_copy.claimed_until = timezone.now() - timedelta(seconds=1)  # the slow run's clock
    notification_deliver(notification=slow_copy)

    assert [message.subject for message in mail.outbox] == ["Only once"]


def test_a_failed_send_stays_unsent_and_a_later_run_sends_it(settings):
    pending = notify(user=people.user(email="wu@example.org"), title="Retry me")
    settings.EMAIL_BACKEND = BROKEN

    run_job()

    pending.refresh_from_db()
    assert pending.sent_at is None
    settings.EMAIL_BACKEND = LOCMEM
    run_job()  # the failed run's claim still holds: no retry straight away
    assert mail.outbox == []

    lapse_claim(pending)
    run_job()

    assert [message.subject for message in mail.outbox] == ["Retry me"]
    pending.refresh_from_db()
    assert pending.sent_at is not None


def test_after_repeated_failures_the_job_gives_up_and_logs_no_address(settings, caplog):
    person = people.user(email="zheng@example.org", full_name="郑明")
    doomed = notify(user=person, title="Undeliverable")
    settings.EMAIL_BACKEND = BROKEN

    with caplog.at_level(logging.WARNING, logger="personnel.services.notifications"):
        for _ in range(MAX_ATTEMPTS + 2):
            run_job()
            lapse_claim(doomed)

    failures = [record for record in caplog.records if "failed" in record.getMessage()]
    assert len(failures) == MAX_ATTEMPTS
    assert failures[-1].levelno == logging.ERROR
    assert "giving up" in failures[-1].getMessage()
    assert f"user {person.pk}" in failures[-1].getMessage()
    assert "zheng@example.org" not in caplog.text and "郑明" not in caplog.text

    settings.EMAIL_BACKEND = LOCMEM
    run_job()
    assert mail.outbox == []


def test_a_backlog_larger_than_a_batch_goes_out_in_one_run():
    for n in range(5):
        notify(user=people.user(email=f"b{n}@example.org"), title=f"Backlog {n}")

    assert notifications_deliver_pending(batch=2) == {"mailed": 5}

    assert sorted(message.subject for message in mail.outbox) == [f"Backlog {n}" for n in range(5)]


def test_a_title_with_line_breaks_still_makes_a_valid_subject():
    notify(user=people.user(email="qian@example.org"), title="Flood warning\nStreet 3")

    run_job()

    assert [message.subject for message in mail.outbox] == ["Flood warning Street 3"]
