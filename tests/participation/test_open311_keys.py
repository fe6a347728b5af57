"""Open311 API keys: made by the command (the key is its last line) or the back office's add
form (shown once in a message), kept only as a hash, withdrawn with the admin action."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command
from django.test import Client

from participation.models import Open311Key
from tests.participation.public_world import public_world


@pytest.fixture
def world(db):
    return public_world()


def post_request(key: str, world) -> int:
    body = {
        "api_key": key,
        "service_code": "E0201",
        "lat": str(world["grid"].centroid_lat),
        "long": str(world["grid"].centroid_lng),
        "description": "违停",
    }
    return Client().post("/open311/v2/requests.json", body).status_code


def test_the_commands_last_line_is_a_working_key(world):
    out = StringIO()
    call_command("create_open311_key", "FixMyStreet China", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    stored = Open311Key.objects.get(name="FixMyStreet China")
    assert key not in (stored.key_hash, stored.prefix) and key.startswith(stored.prefix)
    assert post_request(key, world) == 200
    assert Open311Key.objects.get(pk=stored.pk).last_used_at is not None


def test_a_name_is_used_once(world):
    call_command("create_open311_key", "Twice", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("create_open311_key", "Twice", stdout=StringIO())


def test_the_admin_makes_a_key_shows_it_once_and_deactivates_it(world, admin_user):
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        "/admin/participation/open311key/add/", {"name": "Civic app"}, follow=True
    )
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    key = next(m for m in shown if "Copy it now" in m).split(" is ")[1].split(". ")[0]
    assert key.encode() in response.content
    stored = Open311Key.objects.get(name="Civic app")
    assert key.startswith(stored.prefix) and key != stored.key_hash
    assert post_request(key, world) == 200

    page = client.get(f"/admin/participation/open311key/{stored.pk}/change/")  # shown once
    assert key.encode() not in page.content and stored.key_hash.encode() not in page.content

    client.post(
        "/admin/participation/open311key/",
        {"action": "deactivate", "_selected_action": [stored.pk]},
    )
    assert not Open311Key.objects.get(pk=stored.pk).active
    assert post_request(key, world) == 403
