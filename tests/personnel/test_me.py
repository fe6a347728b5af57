"""``GET /api/v1/me/``: the caller, their roles in force, the grids they see, unread count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from personnel.services.notifications import notify
from personnel.services.roles import role_assignment_revoke
from tests import factories, people
from tests.people import PASSWORD

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"


def signed_in(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_a_grid_worker_sees_the_role_and_only_the_grid_held():
    community = factories.community()
    mine = factories.grid(parent=community, number=1)
    factories.grid(parent=community, number=2)  # a neighbour in the same community
    factories.grid(parent=factories.community(number=2))
    worker = people.with_role("grid_worker", mine, "wang", full_name="王小明", email="w@example.cn")

    response = signed_in(worker).get(ME)

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == worker.pk
    assert body["username"] == "wang"
    assert body["full_name"] == "王小明"
    assert body["email"] == "w@example.cn"
    [role] = body["roles"]
    assert role["role"] == "grid_worker"
    assert role["role_display"] == "grid worker"
    assert (role["scope_type"], role["scope_id"], role["scope_name"]) == (
        "grid",
        mine.pk,
        mine.name,
    )
    assert role["valid_until"] is None
    assert body["grids"] == [{"id": mine.pk, "code": mine.code}]
    assert body["unread_notifications"] == 1  # the notice of the role granted


def test_community_staff_see_every_grid_of_the_community_in_code_order():
    community = factories.community()
    grids = factories.grids(3, parent=community)
    factories.grid(parent=factories.community(number=2))
    staff = people.with_role("community_staff", community)

    body = signed_in(staff).get(ME).json()

    assert body["grids"] == [
        {"id": g.pk, "code": g.code} for g in sorted(grids, key=lambda g: g.code)
    ]
    assert [(r["scope_type"], r["scope_name"]) for r in body["roles"]] == [
        ("community", community.name)
    ]


def test_only_roles_in_force_are_listed():
    grid = factories.grid()
    person = people.user("wang")
    people.grant(person, "grid_worker", grid)
    ended = people.grant(person, "grid_chief", grid)
    role_assignment_revoke(assignment=ended, revoked_by=people.root())
    later = timezone.now() + timedelta(days=3)
    people.grant(person, "grid_chief", grid, valid_from=later)

    roles = signed_in(person).get(ME).json()["roles"]

    assert [role["role"] for role in roles] == ["grid_worker"]


def test_the_unread_count_is_ones_own():
    person = people.user("wang")
    notify(user=person, title="One")
    notify(user=person, title="Two")
    notify(user=people.user("li"), title="Not mine")

    assert signed_in(person).get(ME).json()["unread_notifications"] == 2


def test_someone_without_roles_sees_no_grids():
    factories.grid()
    body = signed_in(people.user("wang")).get(ME).json()
    assert body["roles"] == [] and body["grids"] == []


def test_a_device_token_works_as_well_as_a_session():
    grid = factories.grid()
    people.with_role("grid_worker", grid, "wang")
    token = (
        APIClient()
        .post(
            "/api/v1/auth/login/",
            {"username": "wang", "password": PASSWORD, "device": "Pixel 7"},
            format="json",
        )
        .json()["token"]
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    body = client.get(ME).json()

    assert body["username"] == "wang"
    assert body["grids"] == [{"id": grid.pk, "code": grid.code}]


def test_anonymous_callers_are_told_to_sign_in():
    response = APIClient().get(ME)
    assert response.status_code == 401
    [error] = response.json()["errors"]
    assert error["code"] == "not_authenticated"
