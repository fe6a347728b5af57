"""With Redis dead, a phone starting its shift still gets the case catalogue: the page cache
lives in Redis, and a cache that cannot be reached means the page is built from the
database instead of a 500."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests import people
from tests.incidents.test_categories import URL, full_policy_set, major, minor

pytestmark = pytest.mark.django_db(transaction=True)


def phone() -> APIClient:
    client = APIClient()
    client.force_authenticate(people.user())
    return client


def test_a_phone_reads_the_catalogue_while_redis_is_down_and_it_is_kept_once_back(
    app_on_private_redis, private_redis, caplog
):
    full_policy_set(minor(major("E01"), "E0101"))
    private_redis.kill()

    down = phone().get(URL)

    assert down.status_code == 200
    assert [row["code"] for row in down.json()["results"]] == ["E01", "E0101"]
    assert "catalogue page not read from the cache: unreachable" in caplog.text

    private_redis.start()
    back = phone().get(URL)
    assert back.json() == down.json() and back["ETag"] == down["ETag"]
    kept = private_redis.client().keys("*catalogue:*")
    assert [key.split(b"catalogue:")[1] for key in kept] == [down["ETag"].encode()]
