"""With Redis dead, a phone's patrol track still uploads, and the coverage its points make
is computed all the same: a write whose follow-up task cannot be queued runs that task in
the request instead of losing it with the message (gridgov.broker.enqueue_on_commit)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from personnel.models import PatrolDay
from personnel.services.workers import grid_assignment_create
from tests import people
from tests.faults.town import build_town, client_for

pytestmark = pytest.mark.django_db(transaction=True)
# A fixed morning: a track started "30 minutes ago" just after midnight spans two days.
STARTED = datetime(2025, 3, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_a_patrol_track_sent_while_redis_is_down_is_stored_and_counted(
    app_on_private_redis, private_redis
):
    town = build_town()
    phone = client_for(town["worker"])
    grid = town["grid"]
    profile = people.worker_profile(town["worker"], street=grid.street)
    grid_assignment_create(created_by=people.root(), worker=profile, grid=grid, kind="primary")
    started = STARTED
    patrol = phone.post(
        "/api/v1/patrols/",
        {"client_id": str(uuid.uuid4()), "started_at": started.isoformat()},
        format="json",
    )
    assert patrol.status_code == 201, patrol.json()

    private_redis.kill()
    points = [
        {
            "id": str(uuid.uuid4()),
            "recorded_at": (started + timedelta(minutes=minute)).isoformat(),
            "lat": grid.centroid_lat,
            "lng": grid.centroid_lng,
        }
        for minute in range(0, 20, 2)
    ]
    answer = phone.post(
        f"/api/v1/patrols/{patrol.json()['id']}/points/", {"points": points}, format="json"
    )

    assert answer.status_code in (200, 201), answer.json()
    assert answer.json()["stored"] == len(points)
    day = PatrolDay.objects.get(worker=town["worker"], grid=grid)
    assert day.points == len(points)
    assert day.minutes == pytest.approx(18)
