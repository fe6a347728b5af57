"""django-axes' lockout, in the browser and for phone tokens: after AXES_FAILURE_LIMIT failures
for one username from one address, that pair is refused for AXES_COOLOFF_TIME, even with the
right password; other addresses and other usernames are not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessAttemptExpiration
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from personnel.models import DeviceToken
from tests import people
from tests.people import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TOKEN_LOGIN = "/api/v1/auth/login/"
BAD_CREDENTIALS = "Please enter a correct username and password"


@pytest.fixture
def wang(db):
    return people.user("wang")


@pytest.fixture
def minutes(settings) -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def browser_sign_in(password: str, *, ip: str = "198.51.100.1", username: str = "wang"):
    return Client().post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def token_sign_in(password: str, *, ip: str = "198.51.100.1", username: str = "wang"):
    return APIClient().post(
        TOKEN_LOGIN,
        {"username": username, "password": password, "device": "Pixel 7"},
        format="json",
        REMOTE_ADDR=ip,
    )


def lapse_the_cool_off(cool_off: timedelta) -> None:
    """As if the failures had happened a cool-off period and a minute ago."""
    then = timezone.now() - cool_off - timedelta(minutes=1)
    AccessAttempt.objects.update(attempt_time=then)
    AccessAttemptExpiration.objects.update(expires_at=then + cool_off)


def test_the_browser_locks_after_the_failure_limit_even_for_the_right_password(
    wang, settings, minutes
):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = browser_sign_in("wrong")
        assert response.status_code == 200
        assert BAD_CREDENTIALS in response.content.decode()

    last_failure = browser_sign_in("wrong")
    right_password = browser_sign_in(PASSWORD)

    for response in (last_failure, right_password):
        assert response.status_code == 429
        page = response.content.decode()
        assert "Sign-in locked" in page
        assert f"signing in is locked for {minutes} minutes" in page
        assert f"{settings.AXES_FAILURE_LIMIT} failed sign-in attempts" in page
    assert "_auth_user_id" not in right_password.wsgi_request.session


def test_a_browser_lockout_holds_one_address_and_one_username_only(wang, settings):
    people.user("li")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        browser_sign_in("wrong")

    assert browser_sign_in(PASSWORD).status_code == 429
    assert browser_sign_in(PASSWORD, ip="198.51.100.2").status_code == 302
    assert browser_sign_in(PASSWORD, username="li").status_code == 302


def test_the_browser_lockout_lapses_after_the_cool_off(wang, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        browser_sign_in("wrong")
    assert browser_sign_in(PASSWORD).status_code == 429

    lapse_the_cool_off(settings.AXES_COOLOFF_TIME)

    assert browser_sign_in(PASSWORD).status_code == 302


def test_token_sign_in_locks_after_the_failure_limit_even_for_the_right_password(
    wang, settings, minutes
):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = token_sign_in("wrong")
        assert response.status_code == 400
        assert response.json()["errors"][0]["code"] == "invalid_credentials"

    last_failure = token_sign_in("wrong")
    right_password = token_sign_in(PASSWORD)

    for response in (last_failure, right_password):
        assert response.status_code == 429
        assert response["Content-Type"] == "application/json"
        [error] = response.json()["errors"]
        assert error["code"] == "locked_out"
        assert f"locked for {minutes} minutes" in error["detail"]
        assert response["Retry-After"] == str(minutes * 60)
    assert not DeviceToken.objects.filter(user=wang).exists()


def test_a_token_lockout_holds_one_address_and_one_username_only(wang, settings):
    people.user("li")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        token_sign_in("wrong")

    assert token_sign_in(PASSWORD).status_code == 429
    assert token_sign_in(PASSWORD, ip="198.51.100.2").status_code == 201
    assert token_sign_in(PASSWORD, username="li").status_code == 201


def test_the_token_lockout_lapses_after_the_cool_off(wang, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        token_sign_in("wrong")
    assert token_sign_in(PASSWORD).status_code == 429

    lapse_the_cool_off(settings.AXES_COOLOFF_TIME)

    assert token_sign_in(PASSWORD).status_code == 201


def test_browser_and_phone_failures_count_together(wang, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        (browser_sign_in if attempt % 2 else token_sign_in)("wrong")

    assert token_sign_in(PASSWORD).status_code == 429
    assert browser_sign_in(PASSWORD).status_code == 429


def test_a_token_sign_in_forgives_the_failures_before_it(wang, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        token_sign_in("wrong")
    assert token_sign_in(PASSWORD).status_code == 201

    # Without the reset this failure would be the last one allowed and lock the pair.
    assert token_sign_in("wrong").status_code == 400
    assert token_sign_in(PASSWORD).status_code == 201
