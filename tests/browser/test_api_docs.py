"""Swagger UI renders the API description offline: nothing is fetched from another host."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_renders_offline(signed_in_page: Page, live_server, screenshot_dir):
    page = signed_in_page
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("GridGov API")
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/grids/locate/")).to_have_count(1)
    assert page.locator(".opblock").count() >= 20
    page.screenshot(path=str(screenshot_dir / "gridgov-api-docs.png"))
    # The context fixture fails the test if anything outside the live server was requested.
