"""Optimistic locking over HTTP: ETag on detail responses, If-Match on writes."""

from __future__ import annotations

import pytest
from rest_framework import mixins, serializers
from rest_framework.test import APIClient, APIRequestFactory, force_authenticate

from gridgov.api import BaseViewSet
from grids import services
from grids.api.views import GridViewSet
from grids.models import ComponentType, Grid
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def grid():
    return factories.grid()


def url(grid: Grid) -> str:
    return f"/api/v1/grids/{grid.pk}/"


def error_code(response) -> str:
    [error] = response.json()["errors"]
    return error["code"]


def test_detail_has_an_etag_that_is_stable_until_a_change(api, grid):
    first = api.get(url(grid))
    again = api.get(url(grid))

    assert first.status_code == 200
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    assert again["ETag"] == etag


def test_list_has_no_etag(api, grid):
    assert not api.get("/api/v1/grids/").has_header("ETag")


def test_patch_with_current_etag_is_200_with_a_new_etag(api, grid):
    etag = api.get(url(grid))["ETag"]

    response = api.patch(url(grid), {"name": "东门网格"}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 200, response.content
    assert response.json()["name"] == "东门网格"
    new_etag = response["ETag"]
    assert new_etag != etag
    assert api.get(url(grid))["ETag"] == new_etag  # what the next reader sees
    # And the new ETag is the one to send next time.
    again = api.patch(url(grid), {"population": 120}, format="json", HTTP_IF_MATCH=new_etag)
    assert again.status_code == 200, again.content
    assert again["ETag"] not in (etag, new_etag)


def test_the_weak_etag_of_a_gzipped_detail_still_opens_the_write(api, grid):
    # Phones accept gzip, and compressing a body makes its ETag weak (W/"..."); the app
    # sends back what it got.
    etag = api.get(url(grid), HTTP_ACCEPT_ENCODING="gzip")["ETag"]
    assert etag.startswith('W/"')

    response = api.patch(url(grid), {"name": "东门网格"}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 200, response.content
    grid.refresh_from_db()
    assert grid.name == "东门网格"


def test_put_with_current_etag_is_200(api, grid):
    detail = api.get(url(grid))
    body = {
        "community": grid.community_id,
        "code": grid.code,
        "name": "西门网格",
        "boundary": grid.boundary,
    }

    response = api.put(url(grid), body, format="json", HTTP_IF_MATCH=detail["ETag"])

    assert response.status_code == 200, response.content
    assert response["ETag"] != detail["ETag"]
    grid.refresh_from_db()
    assert grid.name == "西门网格"


def test_stale_if_match_is_412_and_changes_nothing(api, grid):
    stale = api.get(url(grid))["ETag"]
    current = api.patch(url(grid), {"name": "一"}, format="json", HTTP_IF_MATCH=stale)["ETag"]

    response = api.patch(url(grid), {"name": "二"}, format="json", HTTP_IF_MATCH=stale)

    assert response.status_code == 412
    assert response.json()["type"] == "client_error"
    assert error_code(response) == "stale_version"
    assert not response.has_header("ETag")
    grid.refresh_from_db()
    assert grid.name == "一"
    assert api.get(url(grid))["ETag"] == current


def test_if_match_naming_another_object_is_412(api, grid):
    other = factories.grid(number=2)
    other_etag = api.get(url(other))["ETag"]

    response = api.patch(url(grid), {"name": "x"}, format="json", HTTP_IF_MATCH=other_etag)

    assert response.status_code == 412


@pytest.mark.parametrize("method", ["patch", "put"])
def test_missing_if_match_is_428(api, grid, method):
    response = getattr(api, method)(url(grid), {"name": "无版本"}, format="json")

    assert response.status_code == 428
    assert response.json()["type"] == "client_error"
    assert error_code(response) == "if_match_required"
    grid.refresh_from_db()
    assert grid.name != "无版本"
    assert grid.version == 1


def test_two_clients_editing_the_same_version(admin_user, make_user, grid):
    alice = APIClient()
    alice.force_authenticate(admin_user)
    bob = APIClient()
    bob.force_authenticate(make_user("bob", superuser=True))
    seen_by_alice = alice.get(url(grid))["ETag"]
    seen_by_bob = bob.get(url(grid))["ETag"]
    assert seen_by_alice == seen_by_bob

    first = alice.patch(url(grid), {"name": "Alice"}, format="json", HTTP_IF_MATCH=seen_by_alice)
    second = bob.patch(url(grid), {"name": "Bob"}, format="json", HTTP_IF_MATCH=seen_by_bob)

    assert first.status_code == 200
    assert second.status_code == 412
    assert error_code(second) == "stale_version"
    reloaded = bob.get(url(grid))
    assert reloaded.json()["name"] == "Alice"
    assert reloaded["ETag"] == first["ETag"]
    # Bob reloads and retries with what he now sees: that works.
    retry = bob.patch(url(grid), {"name": "Bob"}, format="json", HTTP_IF_MATCH=reloaded["ETag"])
    assert retry.status_code == 200
    assert retry.json()["name"] == "Bob"


def test_failed_validation_keeps_the_etag_valid(api, grid):
    etag = api.get(url(grid))["ETag"]

    bad = api.patch(url(grid), {"population": -5}, format="json", HTTP_IF_MATCH=etag)
    good = api.patch(url(grid), {"population": 5}, format="json", HTTP_IF_MATCH=etag)

    assert bad.status_code == 400
    assert not bad.has_header("ETag")
    assert good.status_code == 200, good.content


def test_change_committed_after_the_if_match_check_still_gets_412(api, grid, monkeypatch):
    """If-Match is checked when the object is read; another writer can commit between that and
    the save. The compare-and-swap in the service catches it and the client still gets 412."""
    real_perform_update = GridViewSet.perform_update

    def someone_else_commits_first(view, serializer):
        services.grid_update(grid=Grid.objects.get(pk=grid.pk), expected_version=1, name="other")
        real_perform_update(view, serializer)

    monkeypatch.setattr(GridViewSet, "perform_update", someone_else_commits_first)
    etag = api.get(url(grid))["ETag"]

    response = api.patch(url(grid), {"name": "mine"}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 412
    assert error_code(response) == "stale_version"
    grid.refresh_from_db()
    assert grid.name == "other"
    assert grid.version == 2


class _ComponentTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ComponentType
        fields = ("id", "name")


class _ComponentTypeViewSet(mixins.RetrieveModelMixin, BaseViewSet):
    """A detail view of a model without ``version``."""

    queryset = ComponentType.objects.all()
    serializer_class = _ComponentTypeSerializer


def test_detail_of_an_unversioned_model_has_no_etag(admin_user):
    kind = ComponentType.objects.create(major_class="01", minor_class="99", name="测试")
    request = APIRequestFactory().get(f"/component-types/{kind.pk}/")
    force_authenticate(request, admin_user)

    response = _ComponentTypeViewSet.as_view({"get": "retrieve"})(request, pk=kind.pk)

    assert response.status_code == 200
    assert not response.has_header("ETag")  # not a bogus ETag: None
