"""Swagger UI renders the API description offline: nothing is fetched from another host."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_renders_offline(signed_in_page: Page, live_server, screenshot_dir):
    page = signed_in_page
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("GridGov API")
    # Swagger UI draws only the operations near the viewport: scroll down to the one sought.
    locate = page.locator(".opblock-summary-path", has_text="/api/v1/grids/locate/")
    seen = set()
    for _step in range(60):
        seen |= set(page.locator(".opblock-summary-path").all_inner_texts())
        if locate.count():
            break
        page.mouse.wheel(0, 600)
        page.wait_for_timeout(100)
    expect(locate).to_have_count(1)
    assert len(seen) >= 20
    page.screenshot(path=str(screenshot_dir / "gridgov-api-docs.png"))
    # The context fixture fails the test if anything outside the live server was requested.
