"""The back office in a real browser: the boundary preview map, service errors as form errors."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from grids.models import Grid
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_change_page(page: Page, live_server, grid: Grid) -> None:
    page.goto(f"{live_server.url}/admin/grids/grid/{grid.pk}/change/")
    expect(page.locator(".boundary-preview-map[data-ready=true]")).to_be_attached()


def test_grid_change_page_previews_the_boundary(signed_in_page: Page, live_server, screenshot_dir):
    page = signed_in_page
    grid, _neighbour = factories.grids(2)
    open_change_page(page, live_server, grid)

    preview = page.locator(".boundary-preview-map")
    expect(preview).to_be_visible()
    expect(preview.locator("path.leaflet-interactive")).to_have_count(1)
    box = preview.locator("path.leaflet-interactive").bounding_box()
    assert box is not None and box["width"] > 50 and box["height"] > 50  # fitted, not a dot
    assert json.loads(page.locator("#id_boundary").input_value()) == grid.boundary
    preview.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "gridgov-admin-grid.png"), full_page=True)

    # The preview follows the textarea: a two-square MultiPolygon draws two shapes.
    two = {
        "type": "MultiPolygon",
        "coordinates": [
            factories.square(factories.ORIGIN_LNG, factories.ORIGIN_LAT + 0.01)["coordinates"],
            factories.square(factories.ORIGIN_LNG + 0.01, factories.ORIGIN_LAT)["coordinates"],
        ],
    }
    page.fill("#id_boundary", json.dumps(two))
    page.wait_for_function(
        "() => (document.querySelector('.boundary-preview-map path.leaflet-interactive')"
        ".getAttribute('d').match(/M/g) || []).length === 2"
    )
    expect(preview.locator("path.leaflet-interactive")).to_have_count(1)  # one multi-path


def test_overlapping_boundary_is_a_form_error_not_a_500(signed_in_page: Page, live_server):
    page = signed_in_page
    grid, neighbour = factories.grids(2)
    open_change_page(page, live_server, grid)

    # Move the grid half a cell east: it now covers half of its neighbour.
    moved = factories.square(factories.ORIGIN_LNG + factories.CELL_DEG / 2, factories.ORIGIN_LAT)
    page.fill("#id_boundary", json.dumps(moved))
    with page.expect_navigation() as navigation:
        page.click("input[name=_save]")
    assert navigation.value.status == 200
    error = page.locator(".field-boundary .errorlist")
    expect(error).to_contain_text(neighbour.code)
    grid.refresh_from_db()
    assert grid.boundary == factories.square(factories.ORIGIN_LNG, factories.ORIGIN_LAT)

    # A boundary that is not a polygon at all: also a form error.
    page.fill("#id_boundary", json.dumps({"type": "Point", "coordinates": [116.1, 35.8]}))
    with page.expect_navigation() as navigation:
        page.click("input[name=_save]")
    assert navigation.value.status == 200
    expect(page.locator(".field-boundary .errorlist")).to_be_visible()


def test_saving_through_the_admin_updates_derived_figures(signed_in_page: Page, live_server):
    page = signed_in_page
    grid, _neighbour = factories.grids(2)
    old_version = grid.version
    open_change_page(page, live_server, grid)

    bigger = factories.square(
        factories.ORIGIN_LNG, factories.ORIGIN_LAT - 0.002, size=factories.CELL_DEG * 2
    )
    page.fill("#id_boundary", json.dumps(bigger))
    page.fill("#id_population", "4321")
    with page.expect_navigation():
        page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_be_visible()

    grid.refresh_from_db()
    assert grid.population == 4321
    assert grid.boundary == bigger
    assert grid.version == old_version + 1
    assert grid.area_m2 > 35_000  # about 4 × 10,028 m²
