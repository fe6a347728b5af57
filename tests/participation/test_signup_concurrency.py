"""Concurrent sign-ups never exceed an activity's capacity: 12 volunteers sign up for 5
places at the same moment from 12 threads on PostgreSQL; exactly 5 get a place, the others
hear that it is full, and the count on the activity equals the sign-ups written."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection

from participation.models import Activity, ActivitySignup
from participation.services.community import activity_signup, activity_withdraw
from tests.participation.life import build_town, upcoming, volunteers

THREADS = 12
CAPACITY = 5

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]


def _race(work) -> list[str]:
    """Run ``work(index)`` in THREADS threads released at once; each outcome as a word."""
    start = threading.Barrier(THREADS)
    outcomes: list[str] = []

    def run(index: int) -> None:
        try:
            start.wait()
            work(index)
            outcomes.append("ok")
        except ValidationError as refusal:
            outcomes.append("full" if "full" in str(refusal) else str(refusal))
        except BaseException as error:  # anything else fails the assertions
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_concurrent_sign_ups_never_exceed_the_capacity():
    town = build_town()
    activity = upcoming(town, capacity=CAPACITY)
    crowd = volunteers(town, THREADS)

    outcomes = _race(
        lambda index: activity_signup(
            activity=activity, volunteer=crowd[index], by=crowd[index].user
        )
    )

    assert outcomes == ["full"] * (THREADS - CAPACITY) + ["ok"] * CAPACITY
    activity.refresh_from_db()
    assert activity.signed_up == CAPACITY
    assert ActivitySignup.objects.filter(activity=activity, status="signed_up").count() == CAPACITY


def test_the_check_constraint_holds_the_capacity_when_a_writer_skips_the_rule():
    town = build_town()
    activity = upcoming(town, capacity=1)
    Activity.objects.filter(pk=activity.pk).update(signed_up=1)
    with pytest.raises(IntegrityError):
        Activity.objects.filter(pk=activity.pk).update(signed_up=2)


def test_sign_ups_and_withdrawals_racing_keep_the_count():
    """Half the crowd holds places and withdraws while the other half signs up: the count
    always equals the sign-ups in force and never passes the capacity."""
    town = build_town()
    activity = upcoming(town, capacity=CAPACITY)
    crowd = volunteers(town, THREADS)
    holders = crowd[:CAPACITY]
    for volunteer in holders:
        activity_signup(activity=activity, volunteer=volunteer, by=volunteer.user)

    def work(index: int) -> None:
        volunteer = crowd[index]
        if index < CAPACITY:
            activity_withdraw(activity=activity, volunteer=volunteer, by=volunteer.user)
        else:
            activity_signup(activity=activity, volunteer=volunteer, by=volunteer.user)

    outcomes = _race(work)

    assert outcomes.count("ok") >= CAPACITY  # every withdrawal succeeds
    assert all(outcome in ("ok", "full") for outcome in outcomes), outcomes
    activity.refresh_from_db()
    in_force = ActivitySignup.objects.filter(activity=activity, status="signed_up").count()
    assert activity.signed_up == in_force <= CAPACITY
    assert in_force == outcomes.count("ok") - CAPACITY
