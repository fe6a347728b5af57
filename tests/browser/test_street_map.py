"""The street grid map in a real browser: polygons drawn, a click opens the grid's card."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from grids import services
from grids.choices import GridKind
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CELL = factories.CELL_DEG
LNG = factories.ORIGIN_LNG
LAT_NORTH = factories.ORIGIN_LAT + CELL


def wait_for_card(page: Page) -> None:
    """Wait until exactly one card is open and its fade-in has finished."""
    expect(page.locator(".leaflet-popup")).to_have_count(1)
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'"
    )


@pytest.fixture
def street_with_grids():
    """A street of five grids in two communities (two kinds), and a neighbouring street."""
    street = factories.street(number=1)
    first = factories.community(parent=street, number=1)
    second = factories.community(parent=street, number=2)
    grids = [
        factories.grid(parent=first, number=1, population=1200, households=400),
        factories.grid(parent=first, number=2, population=800, households=260),
        factories.grid(parent=first, number=3, population=950, households=300),
        # The second community's grids lie just north of the first's.
        factories.grid(parent=second, number=1, lng=LNG, lat=LAT_NORTH, kind=GridKind.SPECIAL),
        factories.grid(parent=second, number=2, lng=LNG + CELL, lat=LAT_NORTH, population=1500),
    ]
    # The first community's boundary is known (the union of its grids); the second's is not.
    west, south, east = LNG, factories.ORIGIN_LAT, LNG + 3 * CELL
    ring = [[west, south], [east, south], [east, LAT_NORTH], [west, LAT_NORTH], [west, south]]
    services.place_update(place=first, boundary={"type": "Polygon", "coordinates": [ring]})
    neighbour = factories.street(number=2)
    factories.grid(parent=factories.community(parent=neighbour, number=1), number=1)
    return street, grids, neighbour


def open_map(page: Page, live_server, street) -> None:
    page.goto(f"{live_server.url}/grids/streets/{street.pk}/map/")
    expect(page.locator("#street-map[data-ready=true]")).to_be_attached()


def test_street_map_draws_each_grid_and_opens_its_card(
    signed_in_page: Page, live_server, street_with_grids, screenshot_dir
):
    page = signed_in_page
    street, grids, neighbour = street_with_grids
    open_map(page, live_server, street)

    polygons = page.locator("#street-map path.leaflet-interactive")
    expect(polygons).to_have_count(len(grids))
    # Community borders are drawn over the grids but take no clicks.
    expect(page.locator("#street-map path:not(.leaflet-interactive)")).to_have_count(1)
    expect(page.locator("#total-grids")).to_have_text(str(len(grids)))
    expect(page.locator("#total-population")).to_have_text(str(sum(g.population for g in grids)))
    expect(page.locator(".legend li")).to_have_count(2)  # unit and special grids
    page.screenshot(path=str(screenshot_dir / "gridgov-street-map.png"))

    # Polygons are drawn in feature order, which is by code.
    polygons.nth(0).click()
    card = page.locator(".leaflet-popup .grid-card")
    wait_for_card(page)
    expect(card.locator(".grid-code")).to_have_text(grids[0].code)
    expect(card.locator(".grid-population")).to_have_text(str(grids[0].population))
    page.screenshot(path=str(screenshot_dir / "gridgov-street-map-card.png"))

    # The grid list opens the same card for another grid.
    page.locator(f".grid-link[data-grid-id='{grids[3].pk}']").click()
    wait_for_card(page)  # the first card closed (it fades out)
    expect(card.locator(".grid-code")).to_have_text(grids[3].code)

    # Links between the streets of the district.
    page.locator(".street-links a", has_text=neighbour.name).click()
    expect(page.locator("#street-map[data-ready=true]")).to_be_attached()
    assert page.url.endswith(f"/grids/streets/{neighbour.pk}/map/")
    expect(page.locator("#street-map path.leaflet-interactive")).to_have_count(1)


def test_street_map_needs_sign_in(page: Page, live_server, street_with_grids):
    street, _grids, _neighbour = street_with_grids
    page.goto(f"{live_server.url}/grids/streets/{street.pk}/map/")
    assert "/accounts/login/" in page.url
    expect(page.locator("#id_username")).to_be_visible()
