"""Reports from the public: a named report is a case at once, an anonymous one waits for
moderation; the place, the service's questions, the contact and the photos are checked
before anything is written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client

from incidents.choices import PhotoPhase, Source, Status
from participation.choices import ReportChannel, ReportStatus
from participation.models import Open311Key, PublicReport, PublicReportPhoto
from participation.tokens import token_digest
from personnel.models import Notification
from tests.participation.public_world import (
    api_key,
    not_an_image,
    photo,
    public_world,
    submit,
)


@pytest.fixture
def world(db):
    return public_world()


def stored_files() -> set[Path]:
    folder = Path(settings.MEDIA_ROOT) / "public-reports"
    return {path for path in folder.rglob("*") if path.is_file()} if folder.exists() else set()


def test_a_named_report_becomes_a_case_at_once(world):
    report, token = submit(world, photos=[photo(), photo("b.png")], address="光明路3号楼")

    assert report.status == ReportStatus.TICKETED
    ticket = report.ticket
    assert ticket.source == Source.RESIDENT
    assert ticket.reporter is None
    assert (ticket.reporter_name, ticket.reporter_phone) == ("刘女士", "13906351234")
    assert ticket.status == Status.REPORTED
    assert ticket.grid == world["grid"] and ticket.street == world["street"]
    assert ticket.category == world["rubbish"].category
    assert ticket.address == "光明路3号楼"
    assert "3号楼东侧堆了装修垃圾" in ticket.description
    assert "什么垃圾？: 建筑垃圾" in ticket.description
    assert [a.phase for a in ticket.attachments.all()] == [PhotoPhase.BEFORE, PhotoPhase.BEFORE]
    assert report.photos.count() == 2
    assert re.fullmatch(r"PR-\d{8}-[2-9A-HJKMNP-Z]{6}", report.reference)
    assert report.token_hash == token_digest(token) and token not in report.token_hash


def test_an_anonymous_report_waits_for_moderation_and_the_command_centre_is_told(world):
    report, _token = submit(world, anonymous=True)

    assert report.status == ReportStatus.PENDING
    assert report.ticket is None
    assert (report.name, report.phone, report.email) == ("", "", "")
    awaits = Notification.objects.filter(title__endswith="awaits moderation")
    assert [(n.user, n.title) for n in awaits] == [
        (world["staff"], f"{report.reference} awaits moderation")
    ]


def test_a_point_in_no_grid_is_refused_on_the_location(world):
    with pytest.raises(ValidationError) as refused:
        submit(world, lat=10.0, lng=10.0)
    assert "outside every grid" in refused.value.message_dict["location"][0]
    assert not PublicReport.objects.exists()


def test_the_report_lands_in_the_grid_of_its_point(world):
    report, _token = submit(world, grid=world["far"])
    assert (report.grid, report.street) == (world["far"], world["other_street"])
    assert report.ticket.street == world["other_street"]


def test_an_inactive_service_is_refused(world):
    world["rubbish"].active = False
    world["rubbish"].save()
    with pytest.raises(ValidationError) as refused:
        submit(world)
    assert "service" in refused.value.message_dict


@pytest.mark.parametrize(
    ("answers", "says"),
    [
        ({}, "Answer “什么垃圾？”"),
        ({"kind": "spaceship"}, "choose one of the offered values"),
        ({"kind": "household", "colour": "red"}, "asks no question colour"),
    ],
)
def test_answers_are_checked_against_the_services_questions(world, answers, says):
    with pytest.raises(ValidationError) as refused:
        submit(world, attributes=answers)
    assert says in " ".join(refused.value.message_dict["attributes"])
    assert not PublicReport.objects.exists()


def test_an_optional_question_may_stay_unanswered_and_a_string_is_one_line(world):
    report, _token = submit(world, service=world["parking"], attributes={})
    assert report.attributes == {}
    with pytest.raises(ValidationError):
        submit(world, service=world["parking"], attributes={"plate": "鲁H\n123"})


@pytest.mark.parametrize(
    ("contact", "field"),
    [
        ({"name": "", "phone": "13906351234"}, "name"),
        ({"name": "刘女士", "phone": ""}, "phone"),
        ({"name": "刘女士", "phone": "call me"}, "phone"),
    ],
)
def test_a_named_report_needs_a_name_and_a_phone_or_email(world, contact, field):
    with pytest.raises(ValidationError) as refused:
        submit(world, **contact)
    assert field in refused.value.message_dict


def test_an_email_is_contact_enough(world):
    report, _token = submit(world, name="Alex", phone="", email="alex@example.org")
    assert report.status == ReportStatus.TICKETED and report.email == "alex@example.org"


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_written(world):
    before = stored_files()
    with pytest.raises(ValidationError) as refused:
        submit(world, photos=[photo(), not_an_image()])
    assert "photos" in refused.value.message_dict
    assert not PublicReport.objects.exists() and not PublicReportPhoto.objects.exists()
    assert stored_files() == before


def test_four_photos_are_refused_and_nothing_is_written(world):
    before = stored_files()
    with pytest.raises(ValidationError) as refused:
        submit(world, photos=[photo(f"{n}.png") for n in range(4)])
    assert "At most 3 photos" in refused.value.message_dict["photos"][0]
    assert not PublicReport.objects.exists()
    assert stored_files() == before


def test_an_open311_request_needs_an_active_key_and_becomes_a_case_even_without_a_name(world):
    with pytest.raises(ValidationError):
        submit(world, channel=ReportChannel.OPEN311, anonymous=True)
    api_key("Civic app")
    key = Open311Key.objects.get(name="Civic app")
    report, _token = submit(world, channel=ReportChannel.OPEN311, anonymous=True, api_key=key)
    assert report.status == ReportStatus.TICKETED
    assert report.ticket.source == Source.OPEN311
    assert report.api_key == key


def test_references_and_tokens_differ_between_reports(world):
    first, first_token = submit(world)
    second, second_token = submit(world, anonymous=True)
    assert first.reference != second.reference
    assert first_token != second_token


def test_the_back_office_refuses_a_list_question_without_values(world, admin_user):
    client = Client()
    client.force_login(admin_user)
    service = world["parking"]
    prefix = "attributes"
    form = {
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "1",
        f"{prefix}-0-id": str(service.attributes.get().pk),
        f"{prefix}-0-service": str(service.pk),
        f"{prefix}-0-code": "plate",
        f"{prefix}-0-description": "车牌号",
        f"{prefix}-0-datatype": "singlevaluelist",
        f"{prefix}-0-order": "1",
        f"{prefix}-0-values": "[]",
        "category": str(service.category_id),
        "order": "2",
        "active": "on",
    }
    response = client.post(f"/admin/participation/publicservice/{service.pk}/change/", form)
    assert response.status_code == 200
    assert "keys unique" in response.content.decode()
    assert service.attributes.get().datatype == "string"
