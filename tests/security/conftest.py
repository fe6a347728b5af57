"""The browser fixtures of tests/browser (Chromium, a context that may reach only the live
server, a signed-in page) for the Content-Security-Policy checks in a real browser."""

from tests.browser.conftest import *  # noqa: F403
