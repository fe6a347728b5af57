"""The community-life back office: read-only, scoped by the participation selectors."""

from __future__ import annotations

import pytest
from django.test import Client

from participation.models import Activity, ActivitySignup
from participation.services.community import activity_signup
from tests import factories, people
from tests.participation.life import build_town, give, served

pytestmark = pytest.mark.django_db

ADMIN = "/admin/participation"
PAGES = (
    "organisation",
    "volunteer",
    "activity",
    "pointsentry",
    "reward",
    "redemption",
    "proposal",
    "survey",
    "rating",
)


@pytest.fixture
def town():
    town = build_town()
    served(town, town["volunteer"])
    give(town, town["volunteer"], 5)
    return town


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def listed(client: Client, model: str) -> set[int]:
    response = client.get(f"{ADMIN}/{model}/")
    assert response.status_code == 200
    return {obj.pk for obj in response.context["cl"].result_list}


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_for_street_staff_and_offers_no_add(town, page):
    staff = people.with_role("street_staff", town["street"], "admin-staff", is_staff=True)
    response = signed_in(staff).get(f"{ADMIN}/{page}/")

    assert response.status_code == 200
    assert not response.context["has_add_permission"]


def test_street_staff_see_their_streets_activities_not_anothers(town):
    staff = people.with_role("street_staff", town["street"], "admin-staff", is_staff=True)
    stranger = people.with_role(
        "street_staff", factories.street(number=2), "admin-stranger", is_staff=True
    )
    ours = set(Activity.objects.values_list("pk", flat=True))

    assert listed(signed_in(staff), "activity") == ours
    assert listed(signed_in(stranger), "activity") == set()
    response = signed_in(stranger).get(f"{ADMIN}/activity/{town['activity'].pk}/change/")
    assert response.status_code == 302  # "doesn't exist", back to the list


def test_an_activity_page_shows_its_signups_and_changes_nothing(town):
    activity_signup(activity=town["activity"], volunteer=town["volunteer"], by=town["staff"])
    staff = people.with_role("street_staff", town["street"], "admin-staff", is_staff=True)
    client = signed_in(staff)
    url = f"{ADMIN}/activity/{town['activity'].pk}/change/"

    page = client.get(url)
    client.post(url, {"title": "改名", "capacity": 99})

    assert page.status_code == 200
    assert "清理楼道杂物" in page.content.decode()
    activity = Activity.objects.get(pk=town["activity"].pk)
    assert (activity.title, activity.capacity, activity.version) == ("清理楼道杂物", 2, 1)
    assert ActivitySignup.objects.filter(activity=activity).count() == 1
