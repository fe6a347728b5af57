"""Redis dies (kill -9, restarted empty a few seconds later) while cases are reported and
their deadlines pass.

The guarantee under test, as a user sees it: the ticket API keeps taking reports during the
outage, and once Redis is back every overdue case is escalated exactly once and every
person concerned gets each message exactly once, neither lost with the broker's queue nor
sent twice. The truth lives in the database (escalations, the notifications table); Redis
only carries the beat's ticks, so the jobs of the next ticks deliver everything.
"""

from __future__ import annotations

import contextlib
import time

import pytest
from django.db import connection

from incidents.models import Ticket
from incidents.services.deadlines import deadline_sweep
from incidents.tasks import deadlines_sweep
from personnel.tasks.notifications import notifications_deliver
from tests.faults.support import WORK_TIMEOUT, wait_until
from tests.faults.town import (
    all_delivered,
    assert_escalated_exactly_once,
    build_town,
    client_for,
    escalation_counts,
    expected_mails,
    expected_notifications,
    make_overdue,
    notification_counts,
    report_through_api,
)

pytestmark = pytest.mark.django_db(transaction=True)

OUTAGE_SECONDS = 3.0
BEFORE, DURING = 4, 4  # reports before and during the outage


@pytest.fixture
def run_beat_jobs(app_on_private_redis, start_worker):
    """Run the beat's jobs as the next ticks would: published through the (restarted)
    Redis to a real worker subprocess where it can see the test database (PostgreSQL);
    on SQLite, whose test database lives in this process's memory, run here instead.

    The worker starts at the first job, after the outage: a worker that loses its broker
    may exit (kombu, see FIELD-NOTES) and is then restarted by its supervisor; what is
    under test here is what the database still holds for it to do.
    """
    shared = connection.vendor == "postgresql"

    def run(task) -> None:
        if not shared:
            task.apply().get()
            return
        if run.worker is None:
            run.worker = start_worker()
        # The publish itself must work again: the producer reconnects to the new server.
        task.apply_async()

    run.worker = None
    return run


def test_reports_keep_coming_and_every_escalation_and_message_arrives_once(
    private_redis, app_on_private_redis, mailbox, run_beat_jobs
):
    town = build_town()
    phone = client_for(town["worker"])
    before = [report_through_api(phone, town, f"before {n}") for n in range(BEFORE)]
    assert [r.status_code for r in before] == [201] * BEFORE, before[0].content

    private_redis.kill()
    outage_began = time.monotonic()
    # The beat's tick meets a dead broker: that sweep never reaches a worker. Whether the
    # publish fails at once or after its retries, nothing may depend on it.
    with contextlib.suppress(Exception):
        deadlines_sweep.apply_async()
    during = [report_through_api(phone, town, f"during {n}") for n in range(DURING)]
    assert [r.status_code for r in during] == [201] * DURING, during[0].content
    reported = [r.json()["id"] for r in before + during]
    # Deadlines pass during the outage, and a worker that took its task before Redis died
    # runs a sweep: it needs only the database, so the first half is escalated now ...
    first_half, second_half = reported[: len(reported) // 2], reported[len(reported) // 2 :]
    make_overdue(first_half)
    assert deadline_sweep().red == len(first_half)
    # ... and the second half turns overdue after it, to be swept once Redis is back.
    make_overdue(second_half)
    time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - outage_began)))
    private_redis.start()

    after = report_through_api(phone, town, "after")
    assert after.status_code == 201, after.content
    reported.append(after.json()["id"])

    run_beat_jobs(deadlines_sweep)
    wait_until(
        lambda: len(escalation_counts(second_half)) == len(second_half),
        timeout=WORK_TIMEOUT,
        what=lambda: f"the sweep after the outage ({_worker_log(run_beat_jobs)})",
    )
    run_beat_jobs(notifications_deliver)
    wait_until(
        all_delivered,
        timeout=WORK_TIMEOUT,
        what=lambda: f"the delivery after the outage ({_worker_log(run_beat_jobs)})",
    )
    # Later ticks find nothing left to do.
    run_beat_jobs(deadlines_sweep)
    run_beat_jobs(notifications_deliver)
    private_redis.wait_idle()  # no-op on SQLite, where the jobs ran in this process

    overdue = first_half + second_half
    assert_escalated_exactly_once(overdue)
    assert not escalation_counts([reported[-1]])  # the report after the outage is not late
    assert Ticket.objects.filter(pk=reported[-1], sla_colour="green").exists()
    assert notification_counts() == expected_notifications(town, reported=reported, overdue=overdue)
    assert all_delivered()
    assert mailbox.count_by_recipient_and_subject() == expected_mails()


def _worker_log(run_beat_jobs) -> str:
    worker = run_beat_jobs.worker
    return "in this process" if worker is None else f"worker output:\n{worker.output()}"
