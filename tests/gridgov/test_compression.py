"""Gzip for phones on slow networks: JSON compressed when the client accepts it, files not."""

from __future__ import annotations

import gzip
import json

import pytest
from rest_framework.test import APIClient

from gridgov.compression import is_text
from personnel.demo_data import DEPARTMENTS
from tests import people
from tests.incidents.cases import seed_demo_catalogue

pytestmark = pytest.mark.django_db

CATALOGUE = "/api/v1/categories/?page_size=200"


@pytest.fixture
def phone() -> APIClient:
    for code, *_rest in DEPARTMENTS:
        people.department(code=code)
    seed_demo_catalogue()
    client = APIClient()
    client.force_authenticate(people.user())
    return client


def test_a_phone_downloads_the_catalogue_gzipped_in_a_fraction_of_the_bytes(phone):
    plain = phone.get(CATALOGUE)
    zipped = phone.get(CATALOGUE, HTTP_ACCEPT_ENCODING="gzip, deflate")

    assert plain.status_code == zipped.status_code == 200
    assert not plain.has_header("Content-Encoding")
    assert zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"]  # a cache must not hand gzip to others
    assert json.loads(gzip.decompress(zipped.content)) == plain.json()
    assert len(plain.json()["results"]) > 50
    assert len(zipped.content) * 5 < len(plain.content)


def test_an_error_is_compressed_too_and_still_reads_as_json(phone):
    response = phone.get(
        "/api/v1/tickets/?status=nonsense" + "x" * 300, HTTP_ACCEPT_ENCODING="gzip"
    )

    assert response.status_code == 400
    assert response["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(response.content))["errors"][0]["attr"] == "status"


@pytest.mark.parametrize(
    ("content_type", "compressed"),
    [
        ("application/json", True),
        ("application/problem+json; charset=utf-8", True),
        ("text/html; charset=utf-8", True),
        ("text/csv", True),
        ("application/vnd.oai.openapi", True),
        ("image/jpeg", False),
        ("image/webp", False),
        ("application/pdf", False),
        ("", False),
    ],
)
def test_only_text_is_compressed(content_type, compressed):
    assert is_text(content_type) is compressed
