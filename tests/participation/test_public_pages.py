"""The public pages without signing in: the landing page, the report form (point or
community address, category by major class, photos, named or anonymous), the page that
shows the follow code once, the spam check and the rate limit, and a community's page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from participation.choices import ReportStatus
from participation.models import PublicReport
from participation.services.community import activity_create
from tests.participation.public_world import jpeg, not_an_image, photo, public_world

REPORT = "/public/report/"


@pytest.fixture
def world(db):
    return public_world()


def form_data(world, **overrides) -> dict:
    grid = world["grid"]
    data = {
        "service": str(world["rubbish"].pk),
        "lat": str(grid.centroid_lat),
        "lng": str(grid.centroid_lng),
        "address": "",
        "description": "垃圾桶满了，没人清运",
        f"attr-{world['rubbish'].pk}-kind": "household",
        "name": "刘女士",
        "phone": "13906351234",
        "email": "",
        "website": "",
    }
    data.update(overrides)
    return data


def test_the_landing_page_leads_to_reporting_following_and_communities(world):
    page = Client().get("/public/").content.decode()
    for url in ("/public/report/", "/public/follow/", "/public/communities/"):
        assert f'"{url}"' in page


def test_the_form_offers_the_services_by_major_class_and_their_questions(world):
    response = Client().get(REPORT)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<optgroup label="City appearance">' in page
    assert "Exposed rubbish" in page and "Illegal parking" in page
    assert "内部类别" not in page  # a category not offered to the public
    assert "什么垃圾？" in page and "车牌号" in page
    assert 'id="report-map"' in page and "/public/grids.geojson" in page


def test_a_named_report_with_a_point_and_a_photo_shows_its_code_once(world):
    client = Client()
    response = client.post(REPORT, form_data(world, photos=[photo(), jpeg()]))
    assert response.status_code == 302 and response.url == "/public/report/done/"
    report = PublicReport.objects.get()
    assert report.status == ReportStatus.TICKETED and report.photos.count() == 2
    done = client.get(response.url)
    page = done.content.decode()
    assert report.reference in page
    token = page.split('id="token">')[1].split("<")[0]
    assert len(token) >= 20
    assert "no-cache" in done["Cache-Control"] or "no-store" in done["Cache-Control"]
    followed = client.get(f"/public/follow/?reference={report.reference}&token={token}")
    assert followed.status_code == 200
    assert client.get(response.url).status_code == 302  # the code is not shown again


def test_an_anonymous_report_drops_the_contact_and_waits(world):
    response = Client().post(REPORT, form_data(world, anonymous="on"))
    assert response.status_code == 302
    report = PublicReport.objects.get()
    assert report.status == ReportStatus.PENDING and report.name == report.phone == ""


def test_an_address_naming_a_community_is_enough_without_a_point(world):
    community = world["grid"].community
    community.name = "光明社区"
    community.save()
    response = Client().post(REPORT, form_data(world, lat="", lng="", address="光明社区5号楼"))
    assert response.status_code == 302
    assert PublicReport.objects.get().grid.community == community


def test_without_point_nor_known_address_the_form_asks_for_the_point(world):
    response = Client().post(REPORT, form_data(world, lat="", lng="", address="不知道哪里"))
    assert response.status_code == 400
    assert "Pick the place on the map" in response.content.decode()
    outside = Client().post(REPORT, form_data(world, lat="10", lng="10"))
    assert outside.status_code == 400
    assert "outside every grid" in outside.content.decode()
    assert not PublicReport.objects.exists()


def test_refusals_land_on_the_form_and_nothing_is_written(world):
    bad_photo = Client().post(REPORT, form_data(world, photos=[not_an_image()]))
    assert bad_photo.status_code == 400
    assert "Upload a JPEG, PNG or WebP photo." in bad_photo.content.decode()
    four = Client().post(REPORT, form_data(world, photos=[photo(f"{n}.png") for n in range(4)]))
    assert four.status_code == 400 and "At most 3 photos" in four.content.decode()
    unanswered = Client().post(REPORT, form_data(world, **{f"attr-{world['rubbish'].pk}-kind": ""}))
    assert unanswered.status_code == 400 and "Answer “什么垃圾？”" in unanswered.content.decode()
    no_contact = Client().post(REPORT, form_data(world, phone=""))
    assert no_contact.status_code == 400
    assert not PublicReport.objects.exists()


def test_a_filled_honeypot_is_refused_without_a_report(world):
    response = Client().post(REPORT, form_data(world, website="http://spam.example"))
    assert response.status_code == 400
    assert "could not be accepted" in response.content.decode()
    assert not PublicReport.objects.exists()


def test_reports_are_rate_limited_per_client_address(world, settings):
    settings.PUBLIC_REPORT_RATE = "2/10m"
    client = Client(REMOTE_ADDR="203.0.113.9")
    assert client.post(REPORT, form_data(world)).status_code == 302
    assert client.post(REPORT, form_data(world)).status_code == 302
    limited = client.post(REPORT, form_data(world))
    assert limited.status_code == 429
    assert "Please wait a moment" in limited.content.decode()
    assert PublicReport.objects.count() == 2
    assert Client(REMOTE_ADDR="203.0.113.10").post(REPORT, form_data(world)).status_code == 302
    assert client.get(REPORT).status_code == 200  # reading the form is not limited


def test_follow_look_ups_are_rate_limited(world, settings):
    settings.PUBLIC_FOLLOW_RATE = "2/10m"
    client = Client()
    for _attempt in range(2):
        assert client.get("/public/follow/", {"reference": "PR-X", "token": "y"}).status_code == 404
    assert client.get("/public/follow/", {"reference": "PR-X", "token": "y"}).status_code == 429


def test_the_grid_outlines_are_public_and_carry_no_figures(world):
    body = Client().get("/public/grids.geojson").json()
    assert len(body["features"]) == 3
    assert set(body["features"][0]["properties"]) == {"name", "community"}


def test_the_community_page_shows_activities_proposals_and_the_accounts_link(world):
    community = world["grid"].community
    keeper = world["staff"]
    start = timezone.now() + timedelta(days=3)
    activity_create(
        created_by=keeper,
        community=community,
        title="周末大扫除",
        kind="cleanup",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        place="社区广场",
        capacity=20,
    )
    page = Client().get(f"/public/communities/{community.pk}/").content.decode()
    assert "周末大扫除" in page and "社区广场" in page
    assert f"/funding/disclosure/{community.pk}/" in page
    assert "No proposals yet." in page
    assert Client().get("/public/communities/999999/").status_code == 404


def test_the_community_picker_finds_a_community_by_name(world):
    community = world["grid"].community
    community.name = "光明社区"
    community.save()
    page = Client().get("/public/communities/", {"q": "光明"}).content.decode()
    assert f"/public/communities/{community.pk}/" in page
    assert f"/public/communities/{world['far'].community_id}/" not in page
