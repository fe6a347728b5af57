"""The Content-Security-Policy in Chromium: the main kinds of page (staff maps, the
dashboard with its charts and map, the public report page with its map, the admin and its
boundary preview, the API docs, the sign-in page) load and run their scripts with no
"Refused to …" message and no securitypolicyviolation event; the language menu (once an
inline onchange handler) still switches the language; and a configured tile server's images
are let through while a foreign script is refused.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import BrowserContext, Page, Route, expect

from gridgov.settings import _tile_sources
from grids import services
from personnel.services.patrols import patrol_session_start
from personnel.services.workers import grid_assignment_create
from tests import factories, people
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Collects policy violations as the page sees them (init scripts are exempt from the policy).
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""
TILE_URL = "http://{s}.tiles.gridgov.test/{z}/{x}/{y}.png"


class Watch:
    """Console messages and violation events of one browser context."""

    def __init__(self, context: BrowserContext) -> None:
        self.messages: list[str] = []
        context.add_init_script(WATCH_VIOLATIONS)
        context.on("console", lambda message: self.messages.append(message.text))

    def refusals(self, page: Page) -> list[str]:
        seen = [m for m in self.messages if "Refused to" in m or "Content Security" in m]
        return seen + page.evaluate("window.__cspViolations || []")


@pytest.fixture
def watch(context: BrowserContext) -> Watch:
    return Watch(context)


@pytest.fixture
def place():
    """A street of two grids, one with a known boundary, a worker on it with a patrol."""
    grid, _next_door = factories.grids(2)
    lng, lat = grid.centroid_lng, grid.centroid_lat
    worker = people.user("csp.worker", full_name="李伟")
    profile = people.worker_profile(worker, street=grid.street)
    grid_assignment_create(created_by=people.root(), worker=profile, grid=grid, kind="primary")
    start = timezone.make_aware(datetime(2025, 3, 10, 9, 0))
    patrol, _created = patrol_session_start(
        worker=worker, client_id="00000000-0000-4000-8000-00000000c5b0", started_at=start
    )
    ring = factories.square(lng - 0.0005, lat - 0.0005)
    services.place_update(place=grid.community, boundary=ring)
    return {"grid": grid, "worker": worker, "patrol": patrol}


def visit(page: Page, url: str, ready: str | None = None) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    if ready:
        expect(page.locator(ready).first).to_be_attached()


def test_staff_pages_run_under_the_policy(signed_in_page: Page, live_server, place, watch: Watch):
    page, url, grid = signed_in_page, live_server.url, place["grid"]
    pages = [
        (f"/grids/streets/{grid.street_id}/map/", "#street-map[data-ready=true]"),
        ("/incidents/map/", ".leaflet-container"),
        (f"/assessment/?scope=street:{grid.street_id}", ".leaflet-container"),
        (f"/personnel/workers/{place['worker'].pk}/track/?day=2025-03-10", ".leaflet-container"),
        ("/incidents/", None),
        ("/funding/", None),
        ("/admin/", "#content"),
        (f"/admin/grids/grid/{grid.pk}/change/", ".boundary-preview-map.leaflet-container"),
        ("/admin/personnel/user/add/", "#content"),
        ("/api/docs/", ".swagger-ui .info .title"),
    ]
    for path, ready in pages:
        visit(page, url + path, ready)
        assert not watch.refusals(page), (path, watch.refusals(page))
    # the charts of the dashboard are drawn (server-side SVG, styled inline)
    visit(page, f"{url}/assessment/?scope=street:{grid.street_id}")
    assert page.locator("svg").count() >= 1
    assert not watch.refusals(page)


def test_public_pages_run_under_the_policy(page: Page, live_server, place, watch: Watch):
    for path, ready in [
        ("/public/", None),
        ("/public/report/", ".leaflet-container"),
        ("/public/follow/", None),
        (f"/public/communities/{place['grid'].community_id}/", None),
        ("/accounts/login/", "#id_username"),
        ("/admin/login/", "#id_username"),
        ("/open311/v2/discovery.xml", None),
    ]:
        visit(page, live_server.url + path, ready)
        assert not watch.refusals(page), (path, watch.refusals(page))


def test_the_language_menu_switches_without_an_inline_handler(
    page: Page, live_server, watch: Watch
):
    visit(page, f"{live_server.url}/accounts/login/", "#id_username")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert not watch.refusals(page)


def test_sign_in_through_the_form_keeps_working(page: Page, live_server, make_user, watch):
    make_user("csp.staff", staff=True)
    visit(page, f"{live_server.url}/accounts/login/", "#id_username")
    page.fill("#id_username", "csp.staff")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("form [type=submit]:not(.lang *)")
    assert "/accounts/login/" not in page.url
    assert not watch.refusals(page)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (220, 230, 240)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_tile_server_is_allowed_and_other_hosts_are_refused(
    new_context, live_server, place, settings
):
    """With MAP_TILE_URL set, the policy names its host; the street map loads tiles from it
    (served here by the browser's router), and a script from elsewhere is refused."""
    settings.MAP_TILE_URL = TILE_URL
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**directives, "img-src": ["'self'", "data:", *_tile_sources(TILE_URL)]}
    }
    tile, tiles_served = _png(), []

    def serve(route: Route) -> None:
        host = route.request.url.split("/")[2]
        if host.endswith(".tiles.gridgov.test"):
            tiles_served.append(route.request.url)
            route.fulfill(status=200, content_type="image/png", body=tile)
        elif route.request.url.startswith(live_server.url):
            route.fallback()
        else:
            route.abort("blockedbyclient")

    context = new_context()
    context.route("**/*", serve)
    watch = Watch(context)
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    admin = people.root()
    page.fill("#id_username", admin.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")
    visit(page, f"{live_server.url}/grids/streets/{place['grid'].street_id}/map/")
    expect(page.locator("#street-map[data-ready=true]")).to_be_attached()
    page.wait_for_timeout(500)
    assert tiles_served, "no tile was requested"
    assert not watch.refusals(page), watch.refusals(page)
    expect(page.locator("img.leaflet-tile-loaded").first).to_be_attached(
        timeout=timedelta(seconds=5).total_seconds() * 1000
    )

    # A script injected from another host is refused by the policy, not by the router.
    page.evaluate(
        """() => { const s = document.createElement("script");
                   s.src = "https://cdn.example.com/evil.js"; document.head.appendChild(s); }"""
    )
    page.wait_for_timeout(300)
    refused = watch.refusals(page)
    assert any("cdn.example.com" in message for message in refused), refused
    context.close()
