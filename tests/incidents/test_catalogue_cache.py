"""The catalogue's ETag and page cache: a phone that already holds the catalogue gets 304
and no body, every other caller gets a page built once, and any write to what the catalogue
shows is seen at once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from incidents import services
from incidents.models import SlaPolicy
from personnel.services.departments import department_update
from tests import people
from tests.incidents.test_categories import URL, full_policy_set, major, minor

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    events = major("E01")
    rubbish = minor(events, "E0101", lead_department=people.department(code="WY-CG"))
    full_policy_set(rubbish)
    minor(major("C01", kind="component"), "C0101")
    return rubbish


def another_phone() -> APIClient:
    client = APIClient()
    client.force_authenticate(people.user())
    return client


def revalidate(client, tag: str, **query):
    return client.get(URL, query, HTTP_IF_NONE_MATCH=tag)


def test_a_phone_holding_the_current_catalogue_gets_304_and_no_body(catalogue, plain_api):
    first = plain_api.get(URL)
    assert first.status_code == 200 and first["ETag"]
    assert "private" in first["Cache-Control"] and "no-cache" in first["Cache-Control"]

    again = revalidate(plain_api, first["ETag"])

    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"]


def test_the_tag_still_matches_after_gzip_weakened_it(catalogue, plain_api):
    first = plain_api.get(URL, HTTP_ACCEPT_ENCODING="gzip")
    assert first["Content-Encoding"] == "gzip" and first["ETag"].startswith('W/"')

    assert revalidate(plain_api, first["ETag"]).status_code == 304


def limit_changed(rubbish):
    policy = SlaPolicy.objects.filter(category=rubbish).first()
    services.sla_policy_update(policy=policy, amount=99)


def category_renamed(rubbish):
    services.category_update(category=rubbish, name="垃圾满溢（新）")


def department_renamed(rubbish):
    department = rubbish.lead_department
    department_update(department=department, updated_by=people.root(), name="城管新名")


def category_added(rubbish):
    minor(rubbish.parent, "E0102")


def limit_deleted(rubbish):
    SlaPolicy.objects.filter(category=rubbish).last().delete()


@pytest.mark.parametrize(
    ("change", "seen"),
    [
        (limit_changed, lambda rows: 99 in [p["amount"] for r in rows for p in r["policies"]]),
        (category_renamed, lambda rows: "垃圾满溢（新）" in [r["name"] for r in rows]),
        (department_renamed, lambda rows: "城管新名" in [r["lead_department_name"] for r in rows]),
        (category_added, lambda rows: "E0102" in [r["code"] for r in rows]),
        (limit_deleted, lambda rows: sum(len(r["policies"]) for r in rows) == 14),
    ],
    ids=["limit", "category", "department", "new category", "deleted limit"],
)
def test_every_change_to_what_the_catalogue_shows_is_seen_at_once(
    catalogue, plain_api, change, seen
):
    before = plain_api.get(URL)
    assert not seen(before.json()["results"])

    change(catalogue)

    stale = revalidate(plain_api, before["ETag"])
    assert stale.status_code == 200 and stale["ETag"] != before["ETag"]
    assert seen(stale.json()["results"])
    assert seen(another_phone().get(URL).json()["results"])


def test_a_page_once_built_is_served_to_other_callers_without_reading_the_catalogue(
    catalogue, plain_api
):
    first = plain_api.get(URL)
    other = another_phone()

    with CaptureQueriesContext(connection) as queries:
        second = other.get(URL)

    assert second.json() == first.json()
    read = [q["sql"] for q in queries if "ORDER BY" in q["sql"] and "incidents_" in q["sql"]]
    assert read == []


def test_filters_and_pages_each_have_their_own_tag_and_rows(catalogue, plain_api):
    whole = plain_api.get(URL)
    components = plain_api.get(URL, {"kind": "component"})
    first_page = plain_api.get(URL, {"page_size": 2})
    second_page = plain_api.get(first_page.json()["next"])

    tags = {r["ETag"] for r in (whole, components, first_page, second_page)}
    assert len(tags) == 4
    assert [r["code"] for r in components.json()["results"]] == ["C01", "C0101"]
    assert [r["code"] for r in first_page.json()["results"]] == ["C01", "C0101"]
    assert [r["code"] for r in second_page.json()["results"]] == ["E01", "E0101"]
    assert revalidate(plain_api, whole["ETag"], kind="component").status_code == 200


def test_a_caller_who_is_not_signed_in_gets_no_304_for_a_known_tag(catalogue, plain_api, anon_api):
    tag = plain_api.get(URL)["ETag"]
    assert revalidate(anon_api, tag).status_code in (401, 403)


def test_a_bad_filter_is_still_a_400_naming_the_field(catalogue, plain_api):
    for _attempt in range(2):
        response = plain_api.get(URL, {"parent": 999999})
        assert response.status_code == 400
        assert [error["attr"] for error in response.json()["errors"]] == ["parent"]
