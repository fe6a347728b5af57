"""A Celery worker is killed (kill -9) in the middle of a deadline sweep over a backlog of
overdue cases, with some batches committed and one batch open in its transaction.

The guarantee under test, as a user sees it: after the next sweep every overdue case has
been escalated exactly once, neither skipped because the dead worker had claimed it nor
escalated twice because it had already done part of the work, and everyone concerned gets
each message exactly once.
"""

from __future__ import annotations

import time

import pytest

from incidents.services.tickets import ticket_create
from incidents.tasks import deadlines_sweep
from personnel.tasks.notifications import notifications_deliver
from tests.faults.support import START_TIMEOUT, WORK_TIMEOUT, needs_shared_database, wait_until
from tests.faults.town import (
    all_delivered,
    assert_escalated_exactly_once,
    build_town,
    escalation_counts,
    expected_mails,
    expected_notifications,
    make_overdue,
    notification_counts,
)

pytestmark = [needs_shared_database, pytest.mark.django_db(transaction=True)]

BACKLOG = 60
BATCH = 10
HANG_AT_BATCH = 3  # two batches committed, the third open when the worker dies
# The beat sends the sweep every minute; here the next tick comes sooner.
TICK_SECONDS = 5.0


def test_a_sweep_killed_midway_is_finished_by_the_next_one_exactly_once(
    private_redis, app_on_private_redis, start_worker, mailbox, tmp_path
):
    town = build_town()
    grid = town["grid"]
    backlog = [
        ticket_create(
            reporter=town["worker"],
            source="patrol",
            category=town["category"],
            lat=grid.centroid_lat,
            lng=grid.centroid_lng,
            description=f"backlog {n}",
        ).pk
        for n in range(BACKLOG)
    ]
    make_overdue(backlog)

    marker = tmp_path / "hung-in-sweep"
    doomed = start_worker(
        DEADLINE_SWEEP_BATCH=str(BATCH),
        FAULTS_HANG_AT_BATCH=str(HANG_AT_BATCH),
        FAULTS_HANG_MARKER=str(marker),
    )
    deadlines_sweep.apply_async()
    wait_until(
        marker.exists,
        timeout=WORK_TIMEOUT,
        what=lambda: f"the first worker to reach batch {HANG_AT_BATCH}:\n{doomed.output()}",
    )
    committed = (HANG_AT_BATCH - 1) * BATCH
    assert len(escalation_counts(backlog)) == committed  # the open batch is not visible
    doomed.kill()
    # Its sweep stays unacknowledged in Redis until the visibility timeout (an hour).
    stranded = private_redis.client().hlen("unacked")

    survivor = start_worker(DEADLINE_SWEEP_BATCH=str(BATCH))
    _tick_until(
        deadlines_sweep,
        lambda: len(escalation_counts(backlog)) == BACKLOG,
        what=lambda: f"the next sweep to finish the backlog:\n{survivor.output()}",
    )
    _tick_until(
        notifications_deliver,
        all_delivered,
        what=lambda: f"the notifications to be delivered:\n{survivor.output()}",
    )

    # The ticks sent while the survivor was starting are taken too, and change nothing.
    private_redis.wait_idle(stranded=stranded)
    assert survivor.alive()
    assert_escalated_exactly_once(backlog)
    assert notification_counts() == expected_notifications(town, reported=backlog, overdue=backlog)
    assert mailbox.count_by_recipient_and_subject() == expected_mails()


def _tick_until(task, done, *, what) -> None:
    """Send ``task`` as the beat would, again every few seconds, until ``done()`` (failing
    with ``what()``, the worker's output, if that never comes): the dead
    worker's transaction may still hold its rows' locks when the first tick comes (the
    sweep skips locked rows), so a later tick finishes the work."""
    deadline = time.monotonic() + WORK_TIMEOUT + START_TIMEOUT
    while not done():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what()}")
        task.apply_async()
        tick_ends = time.monotonic() + TICK_SECONDS
        while time.monotonic() < tick_ends and not done():
            time.sleep(0.2)
