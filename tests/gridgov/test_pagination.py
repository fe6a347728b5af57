"""Cursor pagination of API lists: page_size, next/previous links, max_page_size."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings

from gridgov.api_policy import CursorPagination
from grids.models import Grid
from tests import factories

pytestmark = pytest.mark.django_db

GRIDS = "/api/v1/grids/"


def bulk_grids(count: int) -> list[int]:
    """``count`` grids straight into the table (no geometry): pagination only needs rows."""
    parent = factories.community()
    Grid.objects.bulk_create(
        Grid(
            community=parent,
            street_id=parent.street_id,
            district_id=parent.street.district_id,
            code=f"{parent.code}{n:03d}",
            name=f"网格{n}",
        )
        for n in range(1, count + 1)
    )
    return list(Grid.objects.values_list("pk", flat=True))


def walk(api, url: str, direction: str) -> list[list[int]]:
    """Follow ``direction`` links from ``url``; the ids on each page, in order."""
    pages = []
    while url:
        response = api.get(url)
        assert response.status_code == 200, response.content
        pages.append([row["id"] for row in response.json()["results"]])
        url = response.json()[direction]
    return pages


def test_list_page_carries_links_and_no_count(api):
    factories.grids(3)

    body = api.get(GRIDS).json()

    assert set(body) == {"next", "previous", "results"}
    assert body["next"] is None and body["previous"] is None
    assert len(body["results"]) == 3


def test_next_links_walk_every_row_exactly_once(api):
    ids = bulk_grids(23)

    pages = walk(api, f"{GRIDS}?page_size=5", "next")

    assert [len(page) for page in pages] == [5, 5, 5, 5, 3]
    walked = [pk for page in pages for pk in page]
    assert walked == sorted(ids, reverse=True)  # newest first, none twice, none missed


def test_previous_links_walk_back_to_the_first_page(api):
    bulk_grids(12)
    forward = walk(api, f"{GRIDS}?page_size=5", "next")
    last = api.get(f"{GRIDS}?page_size=5").json()
    while last["next"]:
        last = api.get(last["next"]).json()

    backward = walk(api, last["previous"], "previous")

    assert backward == list(reversed(forward[:-1]))


def test_rows_added_while_walking_are_not_repeated(api):
    ids = bulk_grids(10)
    first = api.get(f"{GRIDS}?page_size=4").json()
    # Lands before the cursor (newest first): must not show up again further on.
    newer = factories.grid(parent=factories.community(number=2))

    rest = walk(api, first["next"], "next")

    walked = [row["id"] for row in first["results"]] + [pk for page in rest for pk in page]
    assert walked == sorted(ids, reverse=True)
    assert newer.pk not in walked


def test_page_size_defaults_to_setting(api):
    bulk_grids(settings.REST_FRAMEWORK["PAGE_SIZE"] + 1)

    body = api.get(GRIDS).json()

    assert len(body["results"]) == settings.REST_FRAMEWORK["PAGE_SIZE"]
    assert body["next"]


@pytest.mark.parametrize("page_size", ["0", "-3", "many", ""])
def test_bad_page_size_falls_back_to_the_default(api, page_size):
    bulk_grids(settings.REST_FRAMEWORK["PAGE_SIZE"] + 1)

    response = api.get(GRIDS, {"page_size": page_size})

    assert response.status_code == 200
    assert len(response.json()["results"]) == settings.REST_FRAMEWORK["PAGE_SIZE"]


def test_page_size_is_capped_at_max_page_size(api):
    assert CursorPagination.max_page_size == 500
    bulk_grids(CursorPagination.max_page_size + 2)

    body = api.get(GRIDS, {"page_size": 10_000}).json()

    assert len(body["results"]) == CursorPagination.max_page_size
    assert parse_qs(urlsplit(body["next"]).query)["page_size"] == ["10000"]
    assert len(api.get(body["next"]).json()["results"]) == 2


def test_filters_survive_in_the_links(api):
    ids = bulk_grids(9)
    Grid.objects.filter(pk__in=ids[:4]).update(active=False)

    pages = walk(api, f"{GRIDS}?page_size=2&active=true", "next")

    walked = [pk for page in pages for pk in page]
    assert walked == sorted(ids[4:], reverse=True)
