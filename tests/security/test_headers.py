"""Response headers and cookies: every HTML page carries a Content-Security-Policy that
forbids framing, plugins and foreign scripts, nosniff and X-Frame-Options DENY; production
settings turn on HSTS and Secure cookies; both cookies are HttpOnly and SameSite=Lax.

The policy must not break the pages: the templates hold no inline event handlers and no
inline script without the request's nonce, and no script reads a cookie (the CSRF cookie is
HttpOnly). tests/security/test_csp_browser.py checks the same in Chromium.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import get_resolver

from gridgov.settings import _tile_sources
from tests import factories
from tests.api_routes import _walk
from tests.conftest import PASSWORD
from tests.gridgov.test_settings_and_deploy import production_env, python_code

BASE_DIR = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [BASE_DIR / "templates", *sorted(BASE_DIR.glob("*/templates"))]
REQUIRED = {
    "default-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# Routes without parameters that a GET must not reach: they answer POST only or stream.
NOT_PAGES = {"logout", "set_language", "healthz"}


def policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"{response.wsgi_request.path} has no Content-Security-Policy"
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_protected(response) -> None:
    path = response.wsgi_request.path
    directives = policy(response)
    for name, value in REQUIRED.items():
        assert directives.get(name) == [value], (path, name, directives.get(name))
    scripts = directives["script-src"]
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, (path, scripts)
    assert "*" not in scripts and not any(s.endswith(":") for s in scripts), (path, scripts)
    assert response.headers.get("X-Content-Type-Options") == "nosniff", path
    assert response.headers.get("X-Frame-Options") == "DENY", path


def page_paths() -> list[str]:
    """Every route of the site that takes no parameter, outside the API."""
    paths = []
    for pattern, entry in _walk(get_resolver().url_patterns):
        pattern = pattern.lstrip("^")
        if "<" in pattern or "(?P" in pattern or "\\" in pattern or entry.name in NOT_PAGES:
            continue
        if pattern.startswith(("api/v1/", "open311/", "media/")):
            continue
        paths.append("/" + pattern.rstrip("$"))
    return sorted(set(paths))


PAGES = page_paths()


def test_the_walk_finds_the_page_kinds():
    for path in ("/", "/admin/", "/public/", "/assessment/", "/incidents/map/", "/api/docs/"):
        assert path in PAGES, path
    assert len(PAGES) > 50


@pytest.mark.django_db
def test_every_html_page_carries_the_policy_for_staff_and_the_public(admin_user):
    factories.grids(2)
    staff = Client()
    staff.force_login(admin_user)
    checked = 0
    for client in (staff, Client()):
        for path in PAGES:
            response = client.get(path)
            assert response.status_code < 500, (path, response.status_code)
            if response.headers.get("Content-Type", "").startswith("text/html"):
                assert_protected(response)
                checked += 1
    assert checked > 2 * 40, checked


@pytest.mark.django_db
def test_error_pages_and_json_answers_carry_the_policy_too(api):
    for response in (
        Client().get("/no-such-page/"),
        Client().get("/api/v1/tickets/"),
        Client().get("/open311/v2/services.json"),
    ):
        assert_protected(response)


@pytest.mark.django_db
def test_the_api_docs_inline_script_carries_the_nonce_of_its_header():
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    nonces = [v for v in policy(response)["script-src"] if v.startswith("'nonce-")]
    assert len(nonces) == 1
    nonce = nonces[0][len("'nonce-") : -1]
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", response.content.decode())
    assert inline and all(f'nonce="{nonce}"' in attributes for attributes in inline), inline
    # a fresh nonce for every response
    assert (
        Client().get("/api/docs/").headers["Content-Security-Policy"]
        != (response.headers["Content-Security-Policy"])
    )


def _templates() -> list[Path]:
    return [path for folder in TEMPLATE_DIRS for path in folder.rglob("*.html")]


def test_templates_hold_no_inline_event_handlers_or_scripts_without_a_nonce():
    assert len(_templates()) > 30
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        handlers = re.findall(r"<[^>]*\s(on[a-z]+)\s*=", text)
        assert not handlers, f"{path}: inline event handlers {handlers}"
        assert "javascript:" not in text.lower(), path
        for attributes in re.findall(r"<script\b([^>]*)>", text):
            allowed = ("src=", "nonce=", 'type="application/json"')
            assert any(a in attributes for a in allowed), f"{path}: inline <script{attributes}>"


def test_no_script_reads_cookies_so_the_csrf_cookie_can_be_httponly():
    scripts = list((BASE_DIR / "static").rglob("*.js"))
    assert scripts
    for path in scripts:
        text = path.read_text(encoding="utf-8")
        assert "document.cookie" not in text and "csrftoken" not in text, path


@pytest.mark.django_db
def test_sign_in_sets_httponly_samesite_lax_cookies(make_user, settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    make_user("li")
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/", secure=True)
    token = client.cookies["csrftoken"].value
    assert "csrftoken" in page.cookies
    response = client.post(
        "/accounts/login/",
        {"username": "li", "password": PASSWORD, "csrfmiddlewaretoken": token},
        secure=True,
        HTTP_REFERER="https://testserver/accounts/login/",
    )
    assert response.status_code == 302
    for name in ("sessionid", "csrftoken"):
        cookie = response.cookies[name]
        assert cookie["httponly"] is True, name
        assert cookie["samesite"] == "Lax", name
        assert cookie["secure"] is True, name


def test_production_settings_turn_on_hsts_and_secure_cookies():
    # Neither the example file nor the defaults may leave them off with DEBUG off.
    names = (
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "CSRF_COOKIE_SAMESITE",
        "X_FRAME_OPTIONS",
        "SECURE_CONTENT_TYPE_NOSNIFF",
    )
    code = "from django.conf import settings; print([getattr(settings, n) for n in {!r}])"
    unset = dict.fromkeys(names[:5])
    unset["DEBUG"] = "0"
    for env in (production_env(DEBUG="0"), production_env(**unset)):
        result = python_code(code.format(names), env)
        assert result.returncode == 0, result.stderr
        values = dict(zip(names, eval(result.stdout), strict=True))  # noqa: S307 - our output
        assert values["SECURE_HSTS_SECONDS"] >= 31536000
        assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
        for name in names[2:7]:
            assert values[name] is True, name
        assert values["SESSION_COOKIE_SAMESITE"] == values["CSRF_COOKIE_SAMESITE"] == "Lax"
        assert values["X_FRAME_OPTIONS"] == "DENY" and values["SECURE_CONTENT_TYPE_NOSNIFF"]


@pytest.mark.django_db
def test_hsts_header_on_https(settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = Client().get("/accounts/login/", secure=True)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "includeSubDomains" in response.headers["Strict-Transport-Security"]


@pytest.mark.parametrize(
    ("url", "sources"),
    [
        ("", []),
        ("/tiles/{z}/{x}/{y}.png", []),
        ("https://{s}.tile.example.org/{z}/{x}/{y}.png", ["https://*.tile.example.org"]),
        (
            "https://tiles.example.gov.cn:8443/{z}/{x}/{y}.png",
            ["https://tiles.example.gov.cn:8443"],
        ),
    ],
)
def test_images_come_only_from_the_configured_tile_server(url, sources):
    assert _tile_sources(url) == sources


def test_a_tile_url_reaches_the_policy_of_a_production_process():
    env = production_env(MAP_TILE_URL="https://{s}.tile.example.org/{z}/{x}/{y}.png")
    result = python_code(
        "from django.conf import settings; "
        "print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])",
        env,
    )
    assert result.returncode == 0, result.stderr
    assert eval(result.stdout) == ["'self'", "data:", "https://*.tile.example.org"]  # noqa: S307
