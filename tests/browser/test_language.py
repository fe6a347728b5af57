"""Switching the interface language from the header."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation
from playwright.sync_api import Page, expect

from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _translated(message: str, language: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def test_header_language_switch_changes_the_interface(signed_in_page: Page, live_server):
    page = signed_in_page
    street = factories.street()
    factories.grids(2, parent=factories.community(parent=street))
    page.goto(f"{live_server.url}/grids/streets/{street.pk}/map/")

    # The users' language by default (the browser asks for zh-CN).
    expect(page.locator("html")).to_have_attribute("lang", settings.LANGUAGE_CODE)
    nav = page.locator(".site-header nav a").first
    expect(nav).to_have_text(_translated("Grid maps", "zh-hans"))

    with page.expect_navigation():
        page.select_option(".site-header select[name=language]", "en")
    assert page.url.endswith(f"/grids/streets/{street.pk}/map/")  # back where we were
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(nav).to_have_text("Grid maps")
    expect(page.locator(".site-header select[name=language]")).to_have_value("en")
    expect(page.locator("#street-map path.leaflet-interactive")).to_have_count(2)

    # The choice sticks for the whole site: Django's own catalogue in the back office too.
    page.goto(f"{live_server.url}/admin/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#content h1")).to_have_text("Site administration")

    page.goto(f"{live_server.url}/grids/")
    with page.expect_navigation():
        page.select_option(".site-header select[name=language]", "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.goto(f"{live_server.url}/admin/")
    expect(page.locator("#content h1")).to_have_text(_translated("Site administration", "zh-hans"))
