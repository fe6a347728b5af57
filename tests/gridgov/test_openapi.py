"""The API description: a valid OpenAPI 3 document with no generator warnings, and a Swagger UI
that works offline (its assets come from our static files, never from a CDN)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db

MANAGE = Path(settings.BASE_DIR) / "manage.py"
ASSET_URL = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
ABSOLUTE_URL = re.compile(r"""(?:https?:)?//[\w.-]+""", re.IGNORECASE)


def test_schema_is_a_valid_openapi_3_document(admin_client):
    response = admin_client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    validate_schema(document)  # raises on any violation of the OpenAPI 3 JSON schema
    paths = document["paths"]
    for path in (
        "/api/v1/districts/",
        "/api/v1/grids/",
        "/api/v1/grids/{id}/",
        "/api/v1/grids/locate/",
    ):
        assert path in paths, sorted(paths)


def test_schema_default_answer_is_yaml_openapi(admin_client):
    response = admin_client.get("/api/schema/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    assert response.content.startswith(b"openapi: 3.")


def test_generator_reports_no_warnings_or_errors(tmp_path):
    """``manage.py spectacular --validate --fail-on-warn``: unresolvable serializers, guessed
    path parameter types and similar warnings fail the build."""
    out = tmp_path / "schema.yaml"
    result = subprocess.run(  # noqa: S603 - fixed argv, our own manage.py
        [
            sys.executable,
            str(MANAGE),
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--file",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=MANAGE.parent,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert "Warning" not in result.stderr and "Error" not in result.stderr, result.stderr
    assert out.read_text(encoding="utf-8").startswith("openapi: 3.")


def test_swagger_ui_is_served_from_our_static_files(admin_client):
    response = admin_client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "SwaggerUIBundle" in html

    # No absolute or protocol-relative URL anywhere in the page: no CDN, no fonts, no badge.
    assert not ABSOLUTE_URL.search(html), ABSOLUTE_URL.findall(html)
    assets = ASSET_URL.findall(html)
    assert assets, "no stylesheet or script in the page"
    for url in assets:
        assert url.startswith(settings.STATIC_URL), url
        assert finders.find(url.removeprefix(settings.STATIC_URL)), f"{url} is not a static file"
    assert any("swagger-ui-bundle.js" in url for url in assets)
    assert any("swagger-ui.css" in url for url in assets)
    # The schema it loads is ours, on the same origin.
    assert 'url: "/api/schema/"' in html
