"""Moderation of anonymous public reports by the street's command centre, through the API
and the moderation page: approve makes a case, reject needs a note, a second click answers
409 and changes nothing; only moderators of the report's street see it (with contact)."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from incidents.choices import Source
from incidents.models import Ticket
from participation.choices import ReportStatus
from participation.models import PublicReport
from tests import people
from tests.participation.public_world import photo, public_world, submit

API = "/api/v1/public-reports/"


@pytest.fixture
def world(db):
    world = public_world()
    world["pending"], _token = submit(world, anonymous=True, photos=[photo()])
    world["named"], _token = submit(world)
    return world


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_moderators_see_their_streets_reports_with_contact(world):
    body = api_as(world["staff"]).get(API, {"status": "pending"}).json()
    assert [r["reference"] for r in body["results"]] == [world["pending"].reference]
    named = api_as(world["staff"]).get(f"{API}{world['named'].pk}/").json()
    assert (named["name"], named["phone"]) == ("刘女士", "13906351234")
    assert named["ticket_number"] == world["named"].ticket.number
    assert api_as(world["other_staff"]).get(API).json()["results"] == []
    assert api_as(world["other_staff"]).get(f"{API}{world['pending'].pk}/").status_code == 404
    worker = people.with_role("grid_worker", world["grid"], "pr-worker")
    assert api_as(worker).get(API).json()["results"] == []


def test_approve_makes_a_case_and_a_second_click_is_a_409(world):
    client = api_as(world["staff"])
    response = client.post(f"{API}{world['pending'].pk}/approve/")
    assert response.status_code == 200
    assert response.json()["status"] == ReportStatus.TICKETED
    report = PublicReport.objects.get(pk=world["pending"].pk)
    assert report.moderated_by == world["staff"] and report.moderated_at is not None
    assert report.ticket.source == Source.RESIDENT
    assert report.ticket.reporter is None and report.ticket.reporter_name == ""
    assert report.ticket.attachments.count() == 1
    tickets = Ticket.objects.count()

    again = client.post(f"{API}{world['pending'].pk}/approve/")
    assert again.status_code == 409
    assert again.json()["errors"][0]["code"] == "already_moderated"
    assert client.post(f"{API}{world['pending'].pk}/reject/", {"note": "晚了"}).status_code == 409
    assert Ticket.objects.count() == tickets
    assert PublicReport.objects.get(pk=report.pk).status == ReportStatus.TICKETED


def test_reject_needs_a_note_and_happens_once(world):
    client = api_as(world["staff"])
    url = f"{API}{world['pending'].pk}/reject/"
    assert client.post(url, {}).status_code == 400
    response = client.post(url, {"note": "不是具体问题"})
    assert response.status_code == 200
    report = PublicReport.objects.get(pk=world["pending"].pk)
    assert (report.status, report.moderation_note) == (ReportStatus.REJECTED, "不是具体问题")
    assert report.ticket is None
    assert client.post(url, {"note": "再次"}).status_code == 409
    assert client.post(f"{API}{report.pk}/approve/").status_code == 409
    assert PublicReport.objects.get(pk=report.pk).moderation_note == "不是具体问题"


def test_only_moderators_of_the_street_may_moderate(world):
    url = f"{API}{world['pending'].pk}/approve/"
    assert api_as(world["other_staff"]).post(url).status_code == 404
    supervisor = people.with_role("supervisor", world["street"].district, "pr-supervisor")
    assert api_as(supervisor).post(url).status_code == 403
    assert APIClient().post(url).status_code in (401, 403)
    assert PublicReport.objects.get(pk=world["pending"].pk).status == ReportStatus.PENDING


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_moderation_page_shows_the_queue_with_photos_and_a_map(world):
    response = page_client(world["staff"]).get("/participation/moderation/")
    assert response.status_code == 200
    page = response.content.decode()
    assert world["pending"].reference in page
    assert world["named"].reference not in page  # a case already: not in the queue
    photo_pk = world["pending"].photos.get().pk
    assert f"/participation/moderation/photos/{photo_pk}/" in page
    assert 'id="moderation-map"' in page
    image = page_client(world["staff"]).get(f"/participation/moderation/photos/{photo_pk}/")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert (
        page_client(world["other_staff"])
        .get(f"/participation/moderation/photos/{photo_pk}/")
        .status_code
        == 404
    )
    ticketed = page_client(world["staff"]).get("/participation/moderation/?status=ticketed")
    assert world["named"].reference in ticketed.content.decode()


def test_the_page_approves_and_rejects_once(world):
    client = page_client(world["staff"])
    approve = f"/participation/moderation/{world['pending'].pk}/approve/"
    response = client.post(approve, follow=True)
    report = PublicReport.objects.get(pk=world["pending"].pk)
    assert report.status == ReportStatus.TICKETED
    assert report.ticket.number in response.content.decode()
    second = client.post(approve)
    assert second.status_code == 409
    assert "moderated meanwhile" in second.content.decode()

    other, _token = submit(world, anonymous=True)
    reject = f"/participation/moderation/{other.pk}/reject/"
    assert client.post(reject, {"note": ""}).status_code == 400
    assert client.post(reject, {"note": "重复上报"}).status_code == 302
    assert PublicReport.objects.get(pk=other.pk).status == ReportStatus.REJECTED
    assert client.post(reject, {"note": "再次"}).status_code == 409


def test_the_page_is_403_for_non_moderators_and_404_outside_their_streets(world):
    plain = people.user("pr-plain")
    assert page_client(plain).get("/participation/moderation/").status_code == 403
    outside = f"/participation/moderation/{world['pending'].pk}/approve/"
    assert page_client(world["other_staff"]).post(outside).status_code == 404
    assert PublicReport.objects.get(pk=world["pending"].pk).status == ReportStatus.PENDING


def test_the_back_office_shows_reports_with_masked_contact(world, admin_user):
    client = page_client(admin_user)
    page = client.get(f"/admin/participation/publicreport/{world['named'].pk}/change/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "139****1234" in content and "刘**" in content
    assert "13906351234" not in content and "刘女士" not in content
    assert world["named"].token_hash not in content
