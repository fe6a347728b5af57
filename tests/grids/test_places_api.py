"""The places API as a back-office client or a phone uses it."""

import pytest

from grids.models import Grid
from tests import factories

pytestmark = pytest.mark.django_db


def test_create_a_grid_through_the_api_derives_its_figures(api):
    community = factories.community()
    response = api.post(
        "/api/v1/grids/",
        {
            "community": community.pk,
            "code": community.code + "07",
            "name": "七号网格",
            "population": 820,
            "households": 310,
            "buildings": 12,
            "boundary": factories.square(116.2, 35.9),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["street"] == community.street_id
    assert body["district"] == community.street.district_id
    assert body["area_m2"] == pytest.approx(10_027, rel=0.005)
    assert body["community_code"] == community.code


def test_an_overlapping_grid_is_refused_naming_the_other_and_nothing_is_written(api):
    existing = factories.grid()
    response = api.post(
        "/api/v1/grids/",
        {
            "community": existing.community_id,
            "code": existing.community.code + "08",
            "name": "重叠",
            "boundary": factories.square(existing.bbox[0] + 0.0002, 35.8002),
        },
        format="json",
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["attr"] == "boundary"
    assert existing.code in error["detail"]
    assert not Grid.objects.filter(code=existing.community.code + "08").exists()


def test_filters_narrow_the_list(api):
    street = factories.street()
    one = factories.community(parent=street, number=1)
    two = factories.community(parent=street, number=2)
    factories.grids(3, parent=one)
    factories.grids(2, parent=two)
    assert len(api.get("/api/v1/grids/", {"community": two.pk}).json()["results"]) == 2
    assert len(api.get("/api/v1/grids/", {"street": street.pk}).json()["results"]) == 5
    prefix = one.code + "0"
    assert len(api.get("/api/v1/grids/", {"code_prefix": prefix}).json()["results"]) == 3


def test_geojson_format_is_a_feature_collection_for_maps(api):
    grids = factories.grids(3)
    response = api.get("/api/v1/grids/", {"format": "geojson", "street": grids[0].street_id})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert [f["properties"]["code"] for f in body["features"]] == [g.code for g in grids]
    assert body["features"][0]["geometry"] == grids[0].boundary
    assert body["features"][0]["properties"]["population"] == 0


def test_component_registered_from_a_phone_lands_in_its_grid(api):
    grid = factories.grid()
    response = api.post(
        "/api/v1/components/",
        {
            "code": f"{grid.district.code}0116000042",
            "lat": grid.centroid_lat,
            "lng": grid.centroid_lng,
            "address": "文化路12号",
            "state": "damaged",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["grid"] == grid.pk
    assert body["type"]["name_en"] == "fire hydrant"
    listed = api.get("/api/v1/components/", {"state": "damaged", "major_class": "01"}).json()
    assert [c["code"] for c in listed["results"]] == [body["code"]]


def test_component_outside_every_grid_is_refused(api):
    factories.grid()
    response = api.post(
        "/api/v1/components/",
        {"code": "3715230101000001", "lat": 10.0, "lng": 10.0},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "lat"


def test_anonymous_callers_see_nothing(anon_api):
    factories.grid()
    assert anon_api.get("/api/v1/grids/").status_code in (401, 403)


def test_moving_a_component_relocates_it(api):
    first, second = factories.grids(2)
    component = factories.component(in_grid=first)
    detail = api.get(f"/api/v1/components/{component.pk}/")
    response = api.patch(
        f"/api/v1/components/{component.pk}/",
        {"lat": second.centroid_lat, "lng": second.centroid_lng},
        format="json",
        HTTP_IF_MATCH=detail["ETag"],
    )
    assert response.status_code == 200, response.json()
    assert response.json()["grid"] == second.pk
