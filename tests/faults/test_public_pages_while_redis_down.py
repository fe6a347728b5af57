"""With Redis dead, residents can still report and follow their reports: the public pages'
rate limits count in Redis, and a count that cannot be read lets the visitor through
(gridgov.ratelimits) instead of answering 500."""

from __future__ import annotations

import pytest
from django.test import Client

from participation.models import PublicReport
from tests.participation.public_world import public_world
from tests.participation.test_public_pages import form_data

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_resident_reports_and_follows_while_redis_is_down(
    app_on_private_redis, private_redis, settings, caplog
):
    settings.PUBLIC_REPORT_RATE = "1/10m"
    world = public_world()
    private_redis.kill()
    resident = Client()

    first = resident.post("/public/report/", form_data(world))
    second = resident.post("/public/report/", form_data(world, description="又满了，还是没人清运"))

    # Both stored though the limit is one: nothing could count them.
    assert (first.status_code, second.status_code) == (302, 302)
    assert PublicReport.objects.count() == 2
    done = resident.get(second.url).content.decode()
    token = done.split('id="token">')[1].split("<")[0]
    reference = PublicReport.objects.latest("pk").reference
    followed = resident.get("/public/follow/", {"reference": reference, "token": token})
    assert followed.status_code == 200 and reference in followed.content.decode()
    assert "public-report limit not applied: cache unreachable" in caplog.text


def test_the_limit_holds_again_once_redis_is_back(app_on_private_redis, private_redis, settings):
    settings.PUBLIC_REPORT_RATE = "1/10m"
    world = public_world()
    private_redis.kill()
    assert Client().post("/public/report/", form_data(world)).status_code == 302
    private_redis.start()

    counted = Client().post("/public/report/", form_data(world))
    refused = Client().post("/public/report/", form_data(world))

    assert counted.status_code == 302
    assert refused.status_code == 429 and int(refused["Retry-After"]) <= 600
