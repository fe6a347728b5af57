"""Signing in and out in the browser, and the sign-in log."""

from __future__ import annotations

import logging

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.test import Client

from tests import people
from tests.people import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
LOGOUT = "/accounts/logout/"
BAD_CREDENTIALS = "Please enter a correct username and password"


def sign_in(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_the_sign_in_page_is_a_form():
    response = Client().get(LOGIN)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="username"' in page and 'name="password"' in page
    assert "csrfmiddlewaretoken" in page


def test_the_sign_in_page_sends_residents_to_the_public_pages():
    page = Client().get(LOGIN).content.decode()
    assert 'href="/public/"' in page
    assert Client().get("/public/").status_code == 200


def test_the_sign_in_page_and_its_error_speak_chinese():
    people.user("wang")
    chinese = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}

    page = Client().get(LOGIN, **chinese).content.decode()
    refused = sign_in(Client(), "wang", "not-the-password", **chinese).content.decode()

    assert 'lang="zh-hans"' in page
    assert "用户名" in page and "密码" in page  # the form's labels
    assert "请输入一个正确的用户名和密码" in refused


def test_the_right_password_signs_in_and_goes_home():
    people.user("wang")
    client = Client()

    response = sign_in(client, "wang")

    assert response.status_code == 302
    assert response["Location"] == "/"
    page = client.get("/").content.decode()
    assert "wang" in page and "Sign out" in page


def test_signing_in_goes_back_to_the_page_asked_for():
    form = Client().get(f"{LOGIN}?next=/grids/").content.decode()
    assert '<input type="hidden" name="next" value="/grids/">' in form
    people.user("wang")
    response = Client().post(
        f"{LOGIN}?next=/grids/", {"username": "wang", "password": PASSWORD, "next": "/grids/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/grids/"


def test_a_wrong_password_shows_a_clear_error_and_does_not_sign_in():
    people.user("wang")
    client = Client()

    response = sign_in(client, "wang", "not-the-password")

    assert response.status_code == 200
    assert BAD_CREDENTIALS in response.content.decode()
    assert client.get("/api/v1/me/").status_code in (401, 403)


def test_sign_out_is_a_post_and_ends_the_session():
    person = people.user("wang")
    client = Client()
    client.force_login(person)

    assert client.get(LOGOUT).status_code == 405  # a link or a prefetch cannot sign anyone out
    response = client.post(LOGOUT)

    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert client.get("/api/v1/me/").status_code in (401, 403)


def test_successes_and_failures_are_logged_with_user_ip_and_time_but_no_password(caplog):
    people.user("wang")
    caplog.set_level(logging.INFO, logger="gridgov.auth")

    sign_in(Client(), "wang", "Wrong-Secret-123", REMOTE_ADDR="203.0.113.7")
    sign_in(Client(), "wang", REMOTE_ADDR="203.0.113.8")

    lines = [r.getMessage() for r in caplog.records if r.name == "gridgov.auth"]
    failed = next(line for line in lines if line.startswith("sign-in failed"))
    succeeded = next(line for line in lines if line.startswith("sign-in succeeded"))
    assert "'wang'" in failed and "203.0.113.7" in failed and "at=" in failed
    assert "'wang'" in succeeded and "203.0.113.8" in succeeded and "at=" in succeeded
    assert "Wrong-Secret-123" not in caplog.text
    assert PASSWORD not in caplog.text
    # django-axes keeps its own record of both.
    assert AccessFailureLog.objects.filter(username="wang", ip_address="203.0.113.7").exists()
    assert AccessLog.objects.filter(username="wang", ip_address="203.0.113.8").exists()


def test_signing_out_is_logged(caplog):
    person = people.user("wang")
    client = Client()
    client.force_login(person)
    caplog.set_level(logging.INFO, logger="gridgov.auth")

    client.post(LOGOUT)

    assert any(
        r.getMessage().startswith("signed out: user='wang'")
        for r in caplog.records
        if r.name == "gridgov.auth"
    )
