"""Every limit answers 429 with a Retry-After header (seconds), whatever the door: the
sign-in lockout (django-axes) in the browser, the admin and the phone API; DRF's throttles on
writes and on token sign-in; django-ratelimit on the public pages and Open311."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from gridgov.api_policy import WriteRateThrottle
from personnel.api.auth import LoginRateThrottle
from tests import people
from tests.participation.public_world import api_key, public_world
from tests.people import PASSWORD

pytestmark = pytest.mark.django_db

IP = "198.51.100.7"


def retry_after(response, *, at_most: int) -> int:
    assert response.status_code == 429, response.status_code
    seconds = int(response.headers["Retry-After"])
    assert 1 <= seconds <= at_most, seconds
    return seconds


@pytest.fixture
def lock_after_three(settings):
    settings.AXES_FAILURE_LIMIT = 3
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


@pytest.mark.parametrize("login", ["/accounts/login/", "/admin/login/"])
def test_browser_and_admin_lockout_is_429_with_retry_after(login, lock_after_three):
    people.user("wang", is_staff=True)
    answers = [
        Client().post(login, {"username": "wang", "password": "wrong"}, REMOTE_ADDR=IP)
        for _ in range(3)
    ]
    assert [a.status_code for a in answers[:2]] == [200, 200]
    locked = Client().post(login, {"username": "wang", "password": PASSWORD}, REMOTE_ADDR=IP)
    for response in (answers[2], locked):
        assert retry_after(response, at_most=lock_after_three) == lock_after_three
        assert "Sign-in locked" in response.content.decode()
    assert "_auth_user_id" not in locked.wsgi_request.session


def test_phone_sign_in_lockout_is_429_with_retry_after(lock_after_three):
    people.user("wang")

    def sign_in(password: str):
        body = {"username": "wang", "password": password, "device": "Pixel 7"}
        return APIClient().post("/api/v1/auth/login/", body, format="json", REMOTE_ADDR=IP)

    for _ in range(3):
        sign_in("wrong")
    locked = sign_in(PASSWORD)
    assert retry_after(locked, at_most=lock_after_three) == lock_after_three
    assert locked.json()["errors"][0]["code"] == "locked_out"
    assert "token" not in locked.json()


def test_token_sign_in_throttle_is_429_with_retry_after(monkeypatch):
    monkeypatch.setattr(LoginRateThrottle, "rate", "2/min", raising=False)
    body = {"username": "nobody", "password": "x", "device": "Pixel 7"}
    for _ in range(2):
        answer = APIClient().post("/api/v1/auth/login/", body, format="json", REMOTE_ADDR=IP)
        assert answer.status_code == 400
    throttled = APIClient().post("/api/v1/auth/login/", body, format="json", REMOTE_ADDR=IP)
    retry_after(throttled, at_most=60)
    assert throttled.json()["errors"][0]["code"] == "throttled"


def test_api_write_throttle_is_429_with_retry_after(monkeypatch):
    monkeypatch.setattr(WriteRateThrottle, "rate", "2/min", raising=False)
    client = APIClient()
    client.force_authenticate(people.user("busy"))
    for _ in range(2):
        assert client.post("/api/v1/notifications/read-all/").status_code == 200
    assert client.get("/api/v1/notifications/").status_code == 200  # reads are not throttled
    retry_after(client.post("/api/v1/notifications/read-all/"), at_most=60)


@pytest.fixture
def world(db):
    return public_world()


def test_public_report_page_limit_is_429_with_retry_after(world, settings):
    settings.PUBLIC_REPORT_RATE = "2/10m"
    for _ in range(2):
        assert Client().post("/public/report/", {}, REMOTE_ADDR=IP).status_code == 400
    limited = Client().post("/public/report/", {}, REMOTE_ADDR=IP)
    retry_after(limited, at_most=600)
    assert Client().post("/public/report/", {}, REMOTE_ADDR="198.51.100.8").status_code == 400


def test_a_forged_forwarded_for_does_not_dodge_the_limit(world, settings):
    settings.PUBLIC_REPORT_RATE = "2/10m"
    for n in range(2):
        forged = {"HTTP_X_FORWARDED_FOR": f"203.0.113.{n}", "REMOTE_ADDR": IP}
        assert Client().post("/public/report/", {}, **forged).status_code == 400
    forged = {"HTTP_X_FORWARDED_FOR": "203.0.113.99", "REMOTE_ADDR": IP}
    retry_after(Client().post("/public/report/", {}, **forged), at_most=600)


def test_public_follow_page_limit_is_429_with_retry_after(world, settings):
    settings.PUBLIC_FOLLOW_RATE = "2/10m"
    query = {"number": "X", "token": "Y"}
    for _ in range(2):
        assert Client().get("/public/follow/", query, REMOTE_ADDR=IP).status_code != 429
    retry_after(Client().get("/public/follow/", query, REMOTE_ADDR=IP), at_most=600)
    # Rating from the follow page counts its posts on their own (django-ratelimit keys by
    # method), at the same rate.
    for _ in range(2):
        assert Client().post("/public/follow/rate/", query, REMOTE_ADDR=IP).status_code != 429
    retry_after(Client().post("/public/follow/rate/", query, REMOTE_ADDR=IP), at_most=600)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_key_limit_is_429_with_retry_after(world, settings, fmt):
    settings.OPEN311_KEY_RATE = "2/m"
    body = {
        "api_key": api_key(),
        "service_code": "E0201",
        "lat": str(world["grid"].centroid_lat),
        "long": str(world["grid"].centroid_lng),
        "description": "违停",
    }
    for _ in range(2):
        assert Client().post(f"/open311/v2/requests.{fmt}", body).status_code == 200
    retry_after(Client().post(f"/open311/v2/requests.{fmt}", body), at_most=60)
