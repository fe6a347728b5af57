"""Phone sign-in: a token per device that expires, can be listed and revoked, and signs out."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from knox.crypto import hash_token
from rest_framework.test import APIClient

from personnel.models import DeviceToken
from tests import people
from tests.people import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login/"
LOGOUT = "/api/v1/auth/logout/"
TOKENS = "/api/v1/auth/tokens/"
ME = "/api/v1/me/"


def sign_in(username: str, device: str = "Pixel 7", password: str = PASSWORD, **extra):
    return APIClient().post(
        LOGIN,
        {"username": username, "password": password, "device": device},
        format="json",
        **extra,
    )


def phone(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def signed_in_phone(username: str, device: str = "Pixel 7") -> tuple[APIClient, dict]:
    response = sign_in(username, device)
    assert response.status_code == 201, response.content
    body = response.json()
    return phone(body["token"]), body


def error_of(response) -> dict:
    [error] = response.json()["errors"]
    return error


def test_signing_in_answers_a_token_for_the_device_that_works_until_its_expiry(settings):
    people.user("wang")

    response = sign_in("wang", "Pixel 7")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "token", "expiry", "device"}
    assert body["device"] == "Pixel 7"
    expiry = parse_datetime(body["expiry"])
    assert expiry is not None and expiry.tzinfo is not None
    ttl = settings.REST_KNOX["TOKEN_TTL"]
    assert timezone.now() + ttl - timedelta(minutes=1) < expiry <= timezone.now() + ttl
    me = phone(body["token"]).get(ME)
    assert me.status_code == 200
    assert me.json()["username"] == "wang"


def test_signing_in_stamps_the_last_sign_in():
    person = people.user("wang")
    sign_in("wang")
    person.refresh_from_db()
    assert person.last_login is not None


@pytest.mark.parametrize("password", ["wrong", PASSWORD.upper()])
def test_a_wrong_password_is_refused_with_one_message_and_no_token(password):
    people.user("wang")

    response = sign_in("wang", password=password)

    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid_credentials"
    assert error["attr"] is None
    assert error["detail"] == "The username or password is incorrect."
    assert not DeviceToken.objects.exists()


def test_unknown_and_inactive_users_get_the_same_answer_as_a_wrong_password():
    people.user("gone", is_active=False)
    for username in ("nobody", "gone"):
        response = sign_in(username)
        assert response.status_code == 400
        assert error_of(response)["detail"] == "The username or password is incorrect."


def test_missing_fields_are_named():
    response = APIClient().post(LOGIN, {}, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {error["attr"] for error in errors} == {"username", "password", "device"}
    assert {error["code"] for error in errors} == {"required"}


@pytest.mark.parametrize(
    ("device", "code"), [("", "blank"), ("   ", "blank"), ("x" * 101, "max_length")]
)
def test_the_device_name_has_one_to_a_hundred_characters(device, code):
    people.user("wang")
    response = sign_in("wang", device)
    assert response.status_code == 400
    assert error_of(response)["attr"] == "device"
    assert error_of(response)["code"] == code


def test_a_stale_token_in_the_header_does_not_stand_in_the_way_of_signing_in():
    people.user("wang")
    response = sign_in("wang", HTTP_AUTHORIZATION="Token revoked-long-ago")
    assert response.status_code == 201


def test_signing_out_revokes_that_token_only():
    people.user("wang")
    pixel, _ = signed_in_phone("wang", "Pixel 7")
    ipad, _ = signed_in_phone("wang", "iPad")

    response = pixel.post(LOGOUT)

    assert response.status_code == 204
    assert pixel.get(ME).status_code == 401
    assert pixel.post(LOGOUT).status_code == 401
    assert ipad.get(ME).status_code == 200
    assert list(DeviceToken.objects.values_list("device", flat=True)) == ["iPad"]


def test_signing_out_needs_a_token():
    browser = APIClient()
    browser.force_login(people.user("wang"))

    response = browser.post(LOGOUT)

    assert response.status_code == 400
    assert error_of(response)["code"] == "token_required"
    assert APIClient().post(LOGOUT).status_code == 401


def test_the_device_list_shows_ones_own_devices_and_which_one_is_asking():
    people.user("wang")
    people.user("li")
    pixel, pixel_body = signed_in_phone("wang", "Pixel 7")
    _ipad, ipad_body = signed_in_phone("wang", "iPad")
    signed_in_phone("li", "Li's phone")

    response = pixel.get(TOKENS)

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["device"] for row in rows] == ["iPad", "Pixel 7"]  # newest first
    by_device = {row["device"]: row for row in rows}
    assert by_device["Pixel 7"]["id"] == pixel_body["id"]
    assert by_device["iPad"]["id"] == ipad_body["id"]
    assert by_device["Pixel 7"]["current"] is True
    assert by_device["iPad"]["current"] is False
    assert by_device["Pixel 7"]["last_used_at"] is not None
    assert by_device["iPad"]["last_used_at"] is None
    assert set(by_device["iPad"]) == {
        "id",
        "device",
        "created",
        "expiry",
        "last_used_at",
        "current",
    }
    assert "token" not in response.content.decode()


def test_deleting_another_device_revokes_its_token():
    people.user("wang")
    pixel, _ = signed_in_phone("wang", "Pixel 7")
    ipad, ipad_body = signed_in_phone("wang", "iPad")

    response = pixel.delete(f"{TOKENS}{ipad_body['id']}/")

    assert response.status_code == 204
    assert ipad.get(ME).status_code == 401
    assert pixel.get(ME).status_code == 200
    assert pixel.delete(f"{TOKENS}{ipad_body['id']}/").status_code == 404


def test_someone_elses_token_is_not_found_and_keeps_working():
    people.user("wang")
    people.user("li")
    pixel, _ = signed_in_phone("wang")
    li_phone, li_body = signed_in_phone("li", "Li's phone")

    response = pixel.delete(f"{TOKENS}{li_body['id']}/")

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert li_phone.get(ME).status_code == 200


def test_a_browser_session_lists_and_revokes_the_devices_too():
    person = people.user("wang")
    pixel, body = signed_in_phone("wang")
    browser = APIClient()
    browser.force_login(person)

    rows = browser.get(TOKENS).json()["results"]
    assert [(row["device"], row["current"]) for row in rows] == [("Pixel 7", False)]
    assert browser.delete(f"{TOKENS}{body['id']}/").status_code == 204
    assert pixel.get(ME).status_code == 401


def test_an_expired_token_is_refused_and_gone():
    people.user("wang")
    client, _ = signed_in_phone("wang")
    DeviceToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))

    response = client.get(ME)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert not DeviceToken.objects.exists()


def test_expired_tokens_are_not_listed():
    person = people.user("wang")
    signed_in_phone("wang", "Old phone")
    DeviceToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))
    signed_in_phone("wang", "New phone")
    browser = APIClient()
    browser.force_login(person)

    rows = browser.get(TOKENS).json()["results"]

    assert [row["device"] for row in rows] == ["New phone"]


def test_the_log_names_user_and_address_but_never_a_password_or_token(caplog):
    people.user("wang")
    caplog.set_level(logging.DEBUG)

    sign_in("wang", password="Wrong-Secret-123", REMOTE_ADDR="203.0.113.7")
    client, body = signed_in_phone("wang")
    client.post(LOGOUT)

    lines = [r.getMessage() for r in caplog.records if r.name == "gridgov.auth"]
    assert any(line.startswith("sign-in failed: user='wang' ip=203.0.113.7 at=") for line in lines)
    assert any(line.startswith("sign-in succeeded: user='wang' ip=127.0.0.1 at=") for line in lines)
    assert any(line.startswith("signed out: user='wang'") for line in lines)
    for secret in ("Wrong-Secret-123", PASSWORD, body["token"], body["token"][:15]):
        assert secret not in caplog.text


def test_a_phone_sign_in_leaves_no_session_behind():
    people.user("wang")
    response = sign_in("wang")
    assert response.status_code == 201
    assert "sessionid" not in response.cookies


def test_signing_in_again_clears_that_users_expired_tokens_only():
    people.user("wang")
    people.user("li")
    signed_in_phone("wang", "Old phone")
    signed_in_phone("li", "Li's phone")
    DeviceToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))

    signed_in_phone("wang", "New phone")

    left = sorted(DeviceToken.objects.values_list("user__username", "device"))
    assert left == [("li", "Li's phone"), ("wang", "New phone")]


@pytest.mark.parametrize("token", ["\xff\xfe\xfd", "a" * 15 + "\xe9"])
def test_a_token_that_is_not_utf8_is_refused_like_any_wrong_token(token):
    people.user("wang")
    signed_in_phone("wang")

    response = phone(token).get(ME)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert error_of(response)["code"] == "authentication_failed"


def test_tokens_sharing_a_key_each_sign_in_their_own_user():
    people.user("wang")
    li = people.user("li")
    wang_phone, wang = signed_in_phone("wang")
    # A key is a token's first 15 characters: rarely shared, and then the hash decides.
    key, tail = wang["token"][:15], wang["token"][15:]
    li_token = key + "".join("0" if char != "0" else "1" for char in tail)
    DeviceToken(
        user=li,
        device="Li's phone",
        token_key=key,
        digest=hash_token(li_token),
        expiry=timezone.now() + timedelta(days=1),
    ).save()

    assert wang_phone.get(ME).json()["username"] == "wang"
    assert phone(li_token).get(ME).json()["username"] == "li"
    assert phone(key + "2" * len(tail)).get(ME).status_code == 401
