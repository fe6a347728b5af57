"""What a person does in every browser journey: sign in with the form, sign out."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD


def sign_in(page: Page, live_server, username: str) -> None:
    """Sign in through the login page and wait for the header to name the user."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click(".sign-in button[type=submit]")
    expect(page.locator(".site-header .who")).to_have_text(username)


def sign_out(page: Page) -> None:
    with page.expect_navigation():
        page.click(".site-header .sign-out button")
    expect(page.locator(".site-header .who")).to_have_count(0)
