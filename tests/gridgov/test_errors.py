"""One JSON error shape for every failure a client can cause, and never a 500 for bad input."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from gridgov.api_policy import WriteRateThrottle
from grids.models import Grid
from tests import factories

pytestmark = pytest.mark.django_db

GRIDS = "/api/v1/grids/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def assert_error_shape(response, status: int, *, kind: str | None = None) -> list[dict]:
    """The response is ``{"type", "errors": [{"code", "detail", "attr"}, ...]}``; returns errors."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"type", "errors"}
    if kind is not None:
        assert body["type"] == kind
    assert body["errors"], "at least one error"
    for error in body["errors"]:
        assert set(error) == {"code", "detail", "attr"}
        assert isinstance(error["code"], str) and error["code"]
        assert isinstance(error["detail"], str) and error["detail"]
        assert error["attr"] is None or isinstance(error["attr"], str)
    return body["errors"]


def errors_for(errors: list[dict], attr: str | None) -> list[dict]:
    return [error for error in errors if error["attr"] == attr]


@pytest.fixture
def community():
    return factories.community()


# --- validation errors: field by field ---------------------------------------------------------


def test_unclosed_boundary_is_400_on_boundary_saying_not_closed(api, community):
    boundary = factories.square(factories.ORIGIN_LNG, factories.ORIGIN_LAT)
    boundary["coordinates"][0][-1] = [factories.ORIGIN_LNG + 0.0005, factories.ORIGIN_LAT]

    response = api.post(
        GRIDS, factories.grid_payload(community, boundary=boundary), format="json", **EN
    )

    errors = assert_error_shape(response, 400, kind="validation_error")
    [error] = errors_for(errors, "boundary")
    assert "not closed" in error["detail"]
    assert not Grid.objects.exists()


def test_missing_fields_are_named_one_by_one(api):
    response = api.post(GRIDS, {}, format="json", **EN)

    errors = assert_error_shape(response, 400, kind="validation_error")
    assert {error["attr"] for error in errors} == {"community", "code", "name", "boundary"}
    assert {error["code"] for error in errors} == {"required"}


def test_nulls_are_field_errors(api):
    response = api.post(
        GRIDS,
        {"community": None, "code": None, "name": None, "boundary": None},
        format="json",
        **EN,
    )

    errors = assert_error_shape(response, 400, kind="validation_error")
    assert {error["attr"] for error in errors} == {"community", "code", "name", "boundary"}
    assert {error["code"] for error in errors} == {"null"}


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("community", "first", "incorrect_type"),
        ("community", 987654, "does_not_exist"),
        ("community", 10**30, "does_not_exist"),
        ("community", [1], "incorrect_type"),
        ("population", "many", "invalid"),
        ("population", -1, "min_value"),
        ("population", 10**30, "max_value"),
        ("population", 1.5, "invalid"),
        ("name", {"zh": "网格"}, "invalid"),
        ("name", "x" * 101, "max_length"),
        ("kind", "castle", "invalid_choice"),
        ("active", "perhaps", "invalid"),
        ("boundary", "a square", "invalid"),
        ("boundary", {"type": "Point", "coordinates": [116.1, 35.8]}, "invalid"),
        ("boundary", {"type": "Polygon", "coordinates": [[["a", "b"]]]}, "invalid"),
        ("boundary", {"type": "Polygon", "coordinates": [[[1e400, 1], [2, 2], [3, 3]]]}, "invalid"),
        ("boundary", {"type": "Polygon"}, "invalid"),
        ("boundary", [], "invalid"),
    ],
)
def test_wrong_types_and_values_are_400_on_that_field(api, community, field, value, code):
    body = json.dumps(
        factories.grid_payload(community, **{field: value})
    )  # 1e400 goes out as Infinity
    body = body.replace("Infinity", "1e400")

    response = api.post(GRIDS, body, content_type="application/json", **EN)

    errors = assert_error_shape(response, 400, kind="validation_error")
    assert [error["attr"] for error in errors] == [field]
    assert errors[0]["code"] == code
    assert not Grid.objects.exists()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b'{"code": "37152300100101", ', "parse_error"),
        (b"{'code': 1}", "parse_error"),
        (b'{"population": NaN}', "parse_error"),
        (b"\xff\xfe{}", "parse_error"),
        (b"", "required"),  # an empty body is an empty object: every field is missing
    ],
    ids=["truncated", "single-quotes", "nan", "not-utf8", "empty"],
)
def test_junk_json_is_400(api, body, code):
    response = api.post(GRIDS, body, content_type="application/json", **EN)

    errors = assert_error_shape(response, 400)
    assert {error["code"] for error in errors} == {code}
    if code == "parse_error":
        assert errors[0]["attr"] is None


def test_deeply_nested_json_is_400_not_500(api):
    response = api.post(GRIDS, "[" * 100_000, content_type="application/json", **EN)

    errors = assert_error_shape(response, 400)
    assert errors[0]["code"] == "parse_error"


@pytest.mark.parametrize("headers", [{}, {"HTTP_IDEMPOTENCY_KEY": "big-1"}], ids=["plain", "key"])
def test_body_over_the_upload_limit_is_413_in_the_same_shape(api, community, settings, headers):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    payload = factories.grid_payload(community, name_en="x" * 4096)

    response = api.post(GRIDS, payload, format="json", **headers)

    [error] = assert_error_shape(response, 413)
    assert error["code"] == "payload_too_large"
    assert not Grid.objects.exists()


@pytest.mark.parametrize("document", ["[1, 2]", '"a grid"', "42", "null"])
def test_json_that_is_not_an_object_is_400(api, document):
    response = api.post(GRIDS, document, content_type="application/json", **EN)

    errors = assert_error_shape(response, 400, kind="validation_error")
    assert errors[0]["attr"] is None


def test_non_json_body_is_415(api):
    response = api.post(GRIDS, "code=1&name=x", content_type="text/plain", **EN)

    [error] = assert_error_shape(response, 415)
    assert error["code"] == "unsupported_media_type"


def test_patch_with_bad_values_is_400_and_changes_nothing(api, community):
    grid = factories.grid(parent=community)
    etag = api.get(f"{GRIDS}{grid.pk}/")["ETag"]

    response = api.patch(
        f"{GRIDS}{grid.pk}/",
        {"population": "lots", "boundary": None},
        format="json",
        HTTP_IF_MATCH=etag,
        **EN,
    )

    errors = assert_error_shape(response, 400, kind="validation_error")
    assert {error["attr"] for error in errors} == {"population", "boundary"}
    grid.refresh_from_db()
    assert grid.version == 1
    assert grid.boundary is not None


# --- Django ValidationError raised inside a service --------------------------------------------


def test_code_outside_the_community_is_400_on_code(api, community):
    response = api.post(
        GRIDS, factories.grid_payload(community, code="99999999999901"), format="json", **EN
    )

    errors = assert_error_shape(response, 400, kind="validation_error")
    [error] = errors_for(errors, "code")
    assert community.code in error["detail"]
    assert not Grid.objects.exists()


def test_overlapping_grid_is_400_on_boundary_naming_the_other_grid(api, community):
    other = factories.grid(parent=community, number=1)
    overlapping = factories.square(other.boundary["coordinates"][0][0][0] + 0.0005, other.bbox[1])

    response = api.post(
        GRIDS,
        factories.grid_payload(community, number=2, boundary=overlapping),
        format="json",
        **EN,
    )

    errors = assert_error_shape(response, 400, kind="validation_error")
    [error] = errors_for(errors, "boundary")
    assert other.code in error["detail"]
    assert other.name in error["detail"]
    assert Grid.objects.count() == 1


def test_duplicate_code_is_400_on_code(api, community):
    factories.grid(parent=community, number=1)

    response = api.post(
        GRIDS,
        factories.grid_payload(community, number=5, code=f"{community.code}01"),
        format="json",
        **EN,
    )

    errors = assert_error_shape(response, 400, kind="validation_error")
    [error] = errors_for(errors, "code")
    assert error["code"] == "unique"
    assert Grid.objects.count() == 1


# --- 404, 405, 401/403 ------------------------------------------------------------------------


@pytest.mark.parametrize("grid_id", ["987654", "abc", "9" * 30, "-1"])
def test_unknown_id_is_404_in_the_same_shape(api, grid_id):
    response = api.get(f"{GRIDS}{grid_id}/")

    [error] = assert_error_shape(response, 404, kind="client_error")
    assert error["code"] == "not_found"
    assert error["attr"] is None


def test_unknown_id_on_write_is_404_in_the_same_shape(api):
    response = api.patch(f"{GRIDS}987654/", {"name": "x"}, format="json", HTTP_IF_MATCH="*")

    [error] = assert_error_shape(response, 404)
    assert error["code"] == "not_found"


def test_method_not_allowed_is_405_in_the_same_shape(api, community):
    grid = factories.grid(parent=community)

    response = api.delete(f"{GRIDS}{grid.pk}/")

    [error] = assert_error_shape(response, 405, kind="client_error")
    assert error["code"] == "method_not_allowed"
    assert Grid.objects.filter(pk=grid.pk).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_refused_in_the_same_shape(anon_api, method):
    response = getattr(anon_api, method)(GRIDS, {}, format="json")

    assert response.status_code in (401, 403)
    [error] = assert_error_shape(response, response.status_code, kind="client_error")
    assert error["code"] == "not_authenticated"


def test_user_without_permission_is_403_in_the_same_shape(plain_api, community):
    response = plain_api.post(GRIDS, factories.grid_payload(community), format="json")

    [error] = assert_error_shape(response, 403, kind="client_error")
    assert error["code"] == "permission_denied"
    assert not Grid.objects.exists()


def test_invalid_cursor_is_404_in_the_same_shape(api):
    response = api.get(GRIDS, {"cursor": "not-a-cursor"})

    [error] = assert_error_shape(response, 404)
    assert error["attr"] is None


# --- throttling -------------------------------------------------------------------------------


@pytest.fixture
def write_rate(monkeypatch):
    monkeypatch.setattr(WriteRateThrottle, "THROTTLE_RATES", {"write": "2/min"})


def test_write_throttle_rate_comes_from_settings(settings):
    assert WriteRateThrottle.scope == "write"
    assert WriteRateThrottle().rate == settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["write"]


def test_writes_over_the_rate_are_429_in_the_same_shape(api, community, write_rate):
    for number in (1, 2):
        created = api.post(GRIDS, factories.grid_payload(community, number), format="json")
        assert created.status_code == 201, created.content

    response = api.post(GRIDS, factories.grid_payload(community, 3), format="json")

    [error] = assert_error_shape(response, 429, kind="client_error")
    assert error["code"] == "throttled"
    assert int(response["Retry-After"]) > 0
    assert Grid.objects.count() == 2
    # Reads are not throttled.
    assert api.get(GRIDS).status_code == 200


def test_write_throttle_is_per_user(api, make_user, community, write_rate):
    for number in (1, 2):
        api.post(GRIDS, factories.grid_payload(community, number), format="json")
    assert api.post(GRIDS, factories.grid_payload(community, 3), format="json").status_code == 429

    other = APIClient()
    other.force_authenticate(make_user("editor", perms=("grids.add_grid",)))
    response = other.post(GRIDS, factories.grid_payload(community, 3), format="json")

    assert response.status_code == 201, response.content


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/nothing-here/", "/api/v1/grids/1/unknown/", "/api/x"])
def test_unknown_api_routes_answer_404_in_the_error_shape(api, path):
    response = api.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "type": "client_error",
        "errors": [{"code": "not_found", "detail": "Not found.", "attr": None}],
    }


@pytest.mark.django_db
def test_unknown_pages_outside_the_api_stay_html(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
