"""Browser tests: Debian's Chromium driven by pytest-playwright against pytest-django's
live_server.

* No browser download: Playwright launches /usr/bin/chromium; without it every test marked
  ``browser`` is skipped with the reason shown.
* Offline by construction: every browser context routes ``**/*``; a request for anything
  but the live server (or a data:/blob: URL) is aborted and recorded, and the test fails at
  teardown listing them. Uncaught JavaScript errors fail the test the same way.
* A browser test that fails leaves a full-page screenshot of every page it had open in
  ``var/test-artifacts/screenshots/`` (CI's artefacts; see ``pytest_runtest_makereport``).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, Route

from tests.conftest import PASSWORD

CHROMIUM = Path(os.environ.get("GRIDGOV_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
LOCAL_SCHEMES = ("data", "blob")
SCREENSHOT_DIR = Path(os.environ.get("GRIDGOV_SCREENSHOT_DIR", tempfile.gettempdir()))
# Where a failed browser test's screenshots go, under the project's root: the CI artefacts
# folder (var/ is ignored by git). One file per open page, named after the test's id.
FAILURE_SCREENSHOTS = Path("var", "test-artifacts", "screenshots")


# pytest-base-url (pulled in by pytest-playwright) defines its session fixture as an instance
# method, which pytest 9 deprecates; nothing of ours to fix.
BASE_URL_DEPRECATION = pytest.mark.filterwarnings(
    "ignore:Session-scoped fixtures defined as instance methods"
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip = pytest.mark.skip(
        reason=f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)"
    )
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(BASE_URL_DEPRECATION)
            if not CHROMIUM.exists():
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    # The users' language and time zone: the Accept-Language Django's LocaleMiddleware sees.
    return {
        **browser_context_args,
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        "viewport": {"width": 1280, "height": 860},
    }


@pytest.fixture
def context(new_context, live_server) -> Iterator[BrowserContext]:
    """A browser context that may talk to the live server only."""
    live = urlsplit(live_server.url)
    outside: list[str] = []
    errors: list[str] = []

    def guard(route: Route) -> None:
        url = urlsplit(route.request.url)
        if url.scheme in LOCAL_SCHEMES or (url.scheme == live.scheme and url.netloc == live.netloc):
            route.fallback()
        else:
            outside.append(route.request.url)
            route.abort("blockedbyclient")

    ctx = new_context()
    ctx.route("**/*", guard)
    ctx.on("weberror", lambda error: errors.append(str(error.error)))
    yield ctx
    assert not outside, f"pages requested URLs outside the live server: {outside}"
    assert not errors, f"uncaught JavaScript errors: {errors}"


@pytest.fixture
def signed_in_page(page: Page, live_server, admin_user) -> Page:
    """A page signed in as a superuser through the admin login form."""
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", admin_user.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit], button[type=submit]")
    assert page.url == f"{live_server.url}/admin/", page.url
    return page


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """When a browser test fails (in its body or its set-up), save a full-page screenshot
    of each page still open to ``var/test-artifacts/screenshots/<test-id>.png`` (then
    ``<test-id>-2.png``… for a test with several pages), the CI artefacts folder, and
    name the files in the report. Pages are gone by teardown: failures there have none."""
    report = yield
    if report.failed and report.when in ("setup", "call") and item.get_closest_marker("browser"):
        saved = _screenshot_open_pages(item)
        if saved:
            report.sections.append(("browser screenshots", "\n".join(saved)))
    return report


def _screenshot_open_pages(item: pytest.Item) -> list[str]:
    browser = getattr(item, "funcargs", {}).get("browser")
    if browser is None:
        return []
    folder = item.config.rootpath / FAILURE_SCREENSHOTS
    name = re.sub(r"[^\w.-]+", "_", item.nodeid).strip("_")
    saved = []
    try:
        pages = [page for context in browser.contexts for page in context.pages]
    except Exception:  # a crashed browser: nothing to show, the failure says the rest
        return []
    for number, page in enumerate(pages, 1):
        path = folder / (f"{name}.png" if number == 1 else f"{name}-{number}.png")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(path), full_page=True, timeout=15_000)
        except Exception as error:  # never hide the test's own failure behind this one
            saved.append(f"{path}: not saved ({type(error).__name__}: {error})")
        else:
            saved.append(str(path))
    return saved
