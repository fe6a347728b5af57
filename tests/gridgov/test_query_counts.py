"""Every list endpoint costs the same number of queries whatever the page size.

A list that issues a query per row (N+1) shows up here as more queries at page size 100
than at 10. New list routes are picked up automatically; each needs more than 10 rows in
``city`` below, or the comparison would prove nothing.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.api_routes import api_routes, route_url

LIST_ROUTES = [route for route in api_routes() if route.is_list]
ROWS = 12

# Extra query strings a list answers with a different shape.
VARIANTS = {"grid-list": [{}, {"format": "geojson"}]}


@pytest.fixture
def city(db):
    """ROWS of every listed kind: districts, streets, communities, grids, components."""
    for number in range(ROWS):
        district = factories.district(code=f"{371500 + number}")
        street = factories.street(parent=district)
        community = factories.community(parent=street)
        grid = factories.grid(parent=community, lng=116.1 + number * 0.01)
        factories.component(in_grid=grid)


def _count(client, url: str, query: dict) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, query)
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    rows = len(body["results"] if "results" in body else body["features"])
    return len(queries), rows


def test_every_list_route_is_checked():
    assert {route.name for route in LIST_ROUTES} >= {"grid-list", "component-list"}


@pytest.mark.parametrize("route", LIST_ROUTES, ids=[route.name for route in LIST_ROUTES])
def test_list_queries_do_not_grow_with_page_size(api, city, route):
    for variant in VARIANTS.get(route.name, [{}]):
        url = route_url(route)
        small_queries, small_rows = _count(api, url, {**variant, "page_size": 3})
        large_queries, large_rows = _count(api, url, {**variant, "page_size": 100})
        assert large_rows >= ROWS, "the fixture must give this list more rows than a small page"
        assert large_queries == small_queries, (
            f"{route.name} {variant}: {small_queries} queries for {small_rows} rows, "
            f"{large_queries} for {large_rows}"
        )
