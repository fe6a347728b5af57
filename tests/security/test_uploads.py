"""Uploads: every door that takes a photo or a receipt (a phone reporting or attaching to a
case, the public report form, a receipt of the books) refuses what is not an image (or
PDF), what is too large, decompression bombs (a few hundred bytes declaring a picture of
30000×30000 pixels), and keeps files under names of its own, so that a sender's name with a
path (../../etc/passwd.jpg, /etc/passwd.png, a NUL) never reaches the disk outside
MEDIA_ROOT."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from incidents.models import Attachment, Ticket
from participation.models import PublicReport, PublicReportPhoto
from tests.incidents.cases import image_bytes, report
from tests.incidents.conftest import place  # noqa: F401
from tests.participation.public_world import public_world
from tests.participation.test_public_pages import form_data

pytestmark = pytest.mark.django_db

TRICKY_NAMES = ["../../etc/passwd.png", "/etc/passwd.png", "..\\..\\boot.png", "a\x00.png"]


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def bomb(width: int = 30000, height: int = 30000) -> bytes:
    """A valid PNG header declaring ``width``×``height`` with one compressed row."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    row = zlib.compress(b"\x00" + b"\x00" * 3 * min(width, 1000))
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", row) + _chunk(b"IEND", b"")
    )


BAD_FILES = {
    "text": (b"#!/bin/sh\necho owned\n", "image/png"),
    "html": (b"<html><script>alert(1)</script></html>", "image/jpeg"),
    "truncated png": (image_bytes("PNG")[:40], "image/png"),
    "gif": (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif"),
    "bomb 30000x30000": (bomb(), "image/png"),
    "bomb 10000x9000": (bomb(10000, 9000), "image/png"),
}


def files_on_disk(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file()}


def phone(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def report_body(place, photos) -> dict:  # noqa: F811
    grid = place["grid"]
    return {
        "category": place["category"].pk,
        "description": "井盖破损",
        "lat": grid.centroid_lat,
        "lng": grid.centroid_lng,
        "photos": photos,
    }


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_a_phone_report_refuses_what_is_not_a_photo(kind, place, settings):  # noqa: F811
    content, content_type = BAD_FILES[kind]
    before = files_on_disk(Path(settings.MEDIA_ROOT))
    response = phone(place["worker"]).post(
        "/api/v1/tickets/",
        report_body(place, [SimpleUploadedFile("x.png", content, content_type)]),
        format="multipart",
    )
    assert response.status_code == 400, response.content
    error = response.json()["errors"][0]
    assert error["attr"] == "photos" and "JPEG, PNG or WebP" in error["detail"]
    assert not Ticket.objects.exists() and not Attachment.objects.exists()
    assert files_on_disk(Path(settings.MEDIA_ROOT)) == before


def test_an_oversized_photo_is_refused_naming_the_limit(place, settings):  # noqa: F811
    settings.PHOTO_MAX_BYTES = 1024
    big = SimpleUploadedFile("big.png", image_bytes("PNG", (400, 400)), "image/png")
    assert big.size > 1024
    response = phone(place["worker"]).post(
        "/api/v1/tickets/", report_body(place, [big]), format="multipart"
    )
    # 413 Payload Too Large, with the message of the field (settings.PHOTO_MAX_BYTES)
    assert response.status_code == 413, response.content
    assert "larger than" in response.json()["errors"][0]["detail"]
    assert not Ticket.objects.exists()


def test_the_request_body_itself_is_capped(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 10 * 1024 * 1024
    assert settings.PHOTO_MAX_BYTES <= 10 * 1024 * 1024


@pytest.mark.parametrize("name", TRICKY_NAMES)
def test_a_sender_s_file_name_never_chooses_where_a_photo_is_stored(name, place, settings):  # noqa: F811
    media = Path(settings.MEDIA_ROOT).resolve()
    photo = SimpleUploadedFile(name, image_bytes("PNG"), "image/png")
    response = phone(place["worker"]).post(
        "/api/v1/tickets/", report_body(place, [photo]), format="multipart"
    )
    assert response.status_code in (201, 400), response.content
    for attachment in Attachment.objects.all():
        stored = Path(attachment.file.path).resolve()
        assert stored.is_relative_to(media), stored
        assert "passwd" not in attachment.file.name and "boot" not in attachment.file.name
        assert attachment.file.name.startswith(f"tickets/{attachment.ticket_id}/")
    assert not (media.parent / "etc").exists()


@pytest.mark.parametrize("kind", ["text", "bomb 30000x30000"])
def test_attaching_to_a_case_refuses_non_photos(kind, place):  # noqa: F811
    ticket = report(place, reporter=place["worker"])
    content, content_type = BAD_FILES[kind]
    client = phone(place["worker"])
    etag = client.get(f"/api/v1/tickets/{ticket.pk}/").headers["ETag"]
    response = client.post(
        f"/api/v1/tickets/{ticket.pk}/attach/",
        {"photos": [SimpleUploadedFile("x.png", content, content_type)], "phase": "before"},
        format="multipart",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["attr"] == "photos"
    assert not ticket.attachments.exists()


@pytest.fixture
def world(db):
    return public_world()


@pytest.mark.parametrize("kind", ["text", "bomb 30000x30000", "truncated png"])
def test_the_public_report_form_refuses_non_photos(kind, world, settings):
    content, content_type = BAD_FILES[kind]
    before = files_on_disk(Path(settings.MEDIA_ROOT))
    photo = SimpleUploadedFile("x.png", content, content_type)
    response = Client().post("/public/report/", form_data(world, photos=[photo]))
    assert response.status_code == 400
    assert "Upload a JPEG, PNG or WebP photo." in response.content.decode()
    assert not PublicReport.objects.exists()
    assert files_on_disk(Path(settings.MEDIA_ROOT)) == before


@pytest.mark.parametrize("name", TRICKY_NAMES)
def test_the_public_form_stores_photos_under_names_of_its_own(name, world, settings):
    media = Path(settings.MEDIA_ROOT).resolve()
    photo = SimpleUploadedFile(name, image_bytes("PNG"), "image/png")
    response = Client().post("/public/report/", form_data(world, photos=[photo]))
    assert response.status_code in (302, 400)
    for stored in PublicReportPhoto.objects.all():
        assert Path(stored.file.path).resolve().is_relative_to(media)
        assert stored.file.name.startswith("public-reports/") and "passwd" not in stored.file.name


def test_receipts_refuse_bombs_and_scripts_and_keep_their_own_names(settings, admin_user):
    """The books take a PDF or an image; the check decodes images like photos."""
    from django.core.exceptions import ValidationError

    from funding.services.receipts import receipt_check

    for content in (bomb(), b"<script>alert(1)</script>", b"MZ\x90\x00not a pdf"):
        with pytest.raises(ValidationError):
            receipt_check(SimpleUploadedFile("../../r.pdf", content, "application/pdf"))
