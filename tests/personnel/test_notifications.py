"""The inbox as its owner sees it: the API a phone uses, the inbox page and the header badge."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from personnel.models import Notification
from personnel.services.notifications import notify
from tests import people

pytestmark = pytest.mark.django_db

INBOX = "/api/v1/notifications/"
BADGE = re.compile(r'class="badge"[^>]*>(\d+)<')


def signed_in(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["title"] for row in response.json()["results"]]


def test_the_inbox_lists_ones_own_notifications_newest_first(plain_api, plain_user):
    notify(user=plain_user, title="First")
    notify(user=plain_user, title="Second", body="Grid 3 is yours", url="/grids/")
    notify(user=people.user(), title="Someone else's")

    response = plain_api.get(INBOX)

    assert titles(response) == ["Second", "First"]
    newest = response.json()["results"][0]
    assert newest["body"] == "Grid 3 is yours"
    assert newest["url"] == "/grids/"
    assert newest["read_at"] is None
    assert set(response.json()) == {"next", "previous", "results"}


def test_someone_elses_notification_is_not_found_even_for_a_superuser(api, plain_user):
    private = notify(user=plain_user, title="Private")

    assert api.get(f"{INBOX}{private.pk}/").status_code == 404
    refused = api.post(f"{INBOX}{private.pk}/read/")
    assert refused.status_code == 404
    assert refused.json()["type"] == "client_error"
    assert titles(api.get(INBOX)) == []
    private.refresh_from_db()
    assert private.read_at is None


def test_marking_read_twice_keeps_the_first_read_time(plain_api, plain_user):
    message = notify(user=plain_user, title="Training on Friday")

    first = plain_api.post(f"{INBOX}{message.pk}/read/")
    second = plain_api.post(f"{INBOX}{message.pk}/read/")

    assert first.status_code == 200
    assert first.json()["read_at"] is not None
    assert second.status_code == 200
    assert second.json()["read_at"] == first.json()["read_at"]
    assert plain_api.get(f"{INBOX}{message.pk}/").json()["read_at"] == first.json()["read_at"]


def test_unread_filter_and_count_follow_reading(plain_api, plain_user):
    messages = [notify(user=plain_user, title=f"Message {n}") for n in range(3)]
    notify(user=people.user(), title="Not mine")

    assert plain_api.get(f"{INBOX}unread-count/").json() == {"unread": 3}
    plain_api.post(f"{INBOX}{messages[0].pk}/read/")

    assert plain_api.get(f"{INBOX}unread-count/").json() == {"unread": 2}
    assert titles(plain_api.get(INBOX, {"unread": "true"})) == ["Message 2", "Message 1"]
    assert titles(plain_api.get(INBOX, {"unread": "false"})) == ["Message 0"]


def test_read_all_marks_every_unread_one_of_mine_and_says_how_many(plain_api, plain_user):
    already = notify(user=plain_user, title="Read before")
    plain_api.post(f"{INBOX}{already.pk}/read/")
    already.refresh_from_db()
    for n in range(2):
        notify(user=plain_user, title=f"New {n}")
    theirs = notify(user=people.user(), title="Not mine")

    response = plain_api.post(f"{INBOX}read-all/")

    assert response.status_code == 200
    assert response.json() == {"marked": 2}
    assert plain_api.get(f"{INBOX}unread-count/").json() == {"unread": 0}
    assert plain_api.post(f"{INBOX}read-all/").json() == {"marked": 0}
    assert Notification.objects.get(pk=already.pk).read_at == already.read_at
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_the_inbox_is_history_no_create_edit_or_delete(plain_api, plain_user):
    message = notify(user=plain_user, title="Keep me")

    assert plain_api.post(INBOX, {"title": "Forged"}).status_code == 405
    assert plain_api.patch(f"{INBOX}{message.pk}/", {"title": "Changed"}).status_code == 405
    assert plain_api.delete(f"{INBOX}{message.pk}/").status_code == 405
    assert list(Notification.objects.values_list("title", flat=True)) == ["Keep me"]


def test_anonymous_callers_are_refused(anon_api, plain_user):
    message = notify(user=plain_user, title="Private")

    assert anon_api.get(INBOX).status_code in (401, 403)
    assert anon_api.get(f"{INBOX}unread-count/").status_code in (401, 403)
    assert anon_api.post(f"{INBOX}{message.pk}/read/").status_code in (401, 403)


def test_the_header_badge_shows_the_unread_count(client, plain_user):
    for n in range(3):
        notify(user=plain_user, title=f"Message {n}")
    signed_in(plain_user).post(f"{INBOX}{Notification.objects.first().pk}/read/")
    client.force_login(plain_user)

    page = client.get("/").content.decode()

    assert BADGE.findall(page) == ["2"]
    assert 'href="/personnel/inbox/"' in page


def test_no_badge_once_everything_is_read_nor_for_anonymous_visitors(client, plain_user):
    notify(user=plain_user, title="Message")
    assert BADGE.findall(client.get("/").content.decode()) == []

    client.force_login(plain_user)
    client.post("/personnel/inbox/read-all/")

    assert BADGE.findall(client.get("/").content.decode()) == []


def test_the_inbox_page_needs_a_sign_in(client):
    response = client.get("/personnel/inbox/")

    assert response.status_code == 302
    assert "/personnel/inbox/" in response["Location"]


def test_the_inbox_page_shows_mine_newest_first_with_unread_ones_marked(client, plain_user):
    read = notify(user=plain_user, title="Older and read", url="/grids/")
    notify(user=plain_user, title="Newer and unread", body="Line one\nLine two")
    notify(user=people.user(), title="Someone else's")
    client.force_login(plain_user)
    client.post(f"/personnel/inbox/{read.pk}/read/")

    page = client.get("/personnel/inbox/").content.decode()

    assert "Someone else" not in page
    assert page.index("Newer and unread") < page.index("Older and read")
    assert re.search(r'class="unread">.*?Newer and unread', page, re.DOTALL)
    assert re.search(r'class="read">.*?<a href="/grids/">Older and read</a>', page, re.DOTALL)
    assert "Line one<br>Line two" in page
    assert "Mark all read" in page


def test_marking_read_from_the_page_returns_to_the_inbox(client, plain_user):
    message = notify(user=plain_user, title="Patrol tomorrow")
    client.force_login(plain_user)

    response = client.post(f"/personnel/inbox/{message.pk}/read/")

    assert response.status_code == 302
    assert response["Location"] == "/personnel/inbox/"
    message.refresh_from_db()
    assert message.read_at is not None
    assert client.get(f"/personnel/inbox/{message.pk}/read/").status_code == 405


def test_someone_elses_notification_cannot_be_marked_from_the_page(client, plain_user):
    theirs = notify(user=people.user(), title="Private")
    client.force_login(plain_user)

    assert client.post(f"/personnel/inbox/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_link_that_leaves_the_site_is_not_rendered_as_a_link(client, plain_user):
    notify(user=plain_user, title="Odd link", url="javascript:alert(1)")
    notify(user=plain_user, title="Far link", url="https://elsewhere.example/")
    client.force_login(plain_user)

    page = client.get("/personnel/inbox/").content.decode()

    assert "Odd link" in page and "Far link" in page
    assert "javascript:" not in page
    assert "elsewhere.example" not in page
