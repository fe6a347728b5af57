"""The back office without a browser (Django's test client): saves go through the services,
service errors are form errors, nothing is deleted, list pages have no N+1.

Kept next to the browser tests of the same admin; they need no Chromium and run in ~1 s.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grids.models import Community, Component, ComponentType, District, Grid, GridIndexStamp, Street
from tests import factories

pytestmark = pytest.mark.django_db

ADMIN = "/admin/grids"
MODELS = ("district", "street", "community", "grid", "componenttype", "component")


def stamp():
    row = GridIndexStamp.objects.filter(pk=1).first()
    return None if row is None else row.token


def grid_form(grid: Grid | None = None, **overrides) -> dict:
    grid = grid or Grid(kind="unit")
    data = {
        "community": grid.community_id or "",
        "code": grid.code,
        "name": grid.name,
        "name_en": grid.name_en,
        "kind": grid.kind,
        "population": grid.population,
        "households": grid.households,
        "buildings": grid.buildings,
        "active": "on" if grid.active else "",
        "boundary": json.dumps(grid.boundary),
        "expected_version": grid.version if grid.pk else "",
        "_save": "Save",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def grids():
    return factories.grids(3)


@pytest.mark.parametrize("model", MODELS)
def test_every_page_renders(admin_client, grids, model):
    factories.component(in_grid=grids[0])
    assert admin_client.get(f"{ADMIN}/{model}/").status_code == 200
    objects = {
        "district": District,
        "street": Street,
        "community": Community,
        "grid": Grid,
        "componenttype": ComponentType,
        "component": Component,
    }
    pk = objects[model].objects.order_by("pk").first().pk
    assert admin_client.get(f"{ADMIN}/{model}/{pk}/change/").status_code == 200
    add = admin_client.get(f"{ADMIN}/{model}/add/")
    assert add.status_code == (403 if model == "componenttype" else 200)


@pytest.mark.parametrize("model", ("grid", "component", "street"))
def test_list_pages_make_a_fixed_number_of_queries(admin_client, model):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(f"{ADMIN}/{model}/").status_code == 200
        return len(captured)

    def add(first: int, count: int) -> None:
        street = factories.street(number=first)
        community = factories.community(parent=street)
        for grid in factories.grids(count, parent=community):
            factories.component(in_grid=grid)

    add(1, 2)
    few = queries()
    add(2, 6)
    add(3, 4)
    assert queries() == few


def test_adding_a_grid_goes_through_the_service(admin_client):
    community = factories.community()
    before = stamp()
    boundary = factories.square(factories.ORIGIN_LNG, factories.ORIGIN_LAT)
    response = admin_client.post(
        f"{ADMIN}/grid/add/",
        grid_form(
            community=community.pk,
            code=f"{community.code}07",
            name="新网格",
            boundary=json.dumps(boundary),
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    grid = Grid.objects.get(code=f"{community.code}07")
    assert grid.street_id == community.street_id
    assert grid.district_id == community.street.district_id
    assert grid.area_m2 == pytest.approx(10_028, rel=0.01)
    assert stamp() != before


def test_overlap_is_a_form_error(admin_client, grids):
    first, second, _third = grids
    overlapping = factories.square(
        factories.ORIGIN_LNG + factories.CELL_DEG / 2, factories.ORIGIN_LAT
    )
    response = admin_client.post(
        f"{ADMIN}/grid/{first.pk}/change/", grid_form(first, boundary=json.dumps(overlapping))
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert second.code in " ".join(errors["boundary"])
    first.refresh_from_db()
    assert first.version == 1


def test_a_stale_form_does_not_overwrite_a_newer_change(admin_client, grids):
    grid = grids[0]
    form = grid_form(grid, population=10)
    Grid.objects.filter(pk=grid.pk).update(version=2, population=99)  # someone else saved
    response = admin_client.post(f"{ADMIN}/grid/{grid.pk}/change/", form)
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    grid.refresh_from_db()
    assert grid.population == 99


def test_editing_a_grid_bumps_its_version_and_the_index(admin_client, grids):
    grid = grids[0]
    before = stamp()
    response = admin_client.post(f"{ADMIN}/grid/{grid.pk}/change/", grid_form(grid, population=777))
    assert response.status_code == 302
    grid.refresh_from_db()
    assert (grid.population, grid.version) == (777, 2)
    assert stamp() != before


def test_places_are_deactivated_not_deleted(admin_client, grids):
    grid = grids[0]
    assert admin_client.get(f"{ADMIN}/grid/{grid.pk}/delete/").status_code == 403
    changelist = admin_client.get(f"{ADMIN}/grid/")
    actions = dict(changelist.context["action_form"].fields["action"].choices)
    assert "delete_selected" not in actions
    assert {"deactivate", "activate"} <= set(actions)

    before = stamp()
    response = admin_client.post(
        f"{ADMIN}/grid/", {"action": "deactivate", "_selected_action": [grid.pk]}
    )
    assert response.status_code == 302
    grid.refresh_from_db()
    assert not grid.active and grid.version == 2
    assert stamp() != before


def test_component_without_grid_is_located(admin_client, grids):
    target = grids[1]
    response = admin_client.post(
        f"{ADMIN}/component/add/",
        {
            "code": f"{target.district.code}0101000042",
            "name": "井盖",
            "state": "intact",
            "active": "on",
            "lat": target.centroid_lat,
            "lng": target.centroid_lng,
            "grid": "",
            "address": "",
            "owner": "",
            "maintainer": "",
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    component = Component.objects.get(code=f"{target.district.code}0101000042")
    assert component.grid_id == target.pk
    assert component.type.class_code == "0101"


@pytest.mark.parametrize(
    ("code_class", "lat_offset", "field"),
    [("9999", 0.0, "code"), ("0101", 1.0, "lat")],
    ids=["unknown-class", "outside-every-grid"],
)
def test_component_service_errors_are_form_errors(
    admin_client, grids, code_class, lat_offset, field
):
    grid = grids[0]
    response = admin_client.post(
        f"{ADMIN}/component/add/",
        {
            "code": f"{grid.district.code}{code_class}000001",
            "state": "intact",
            "active": "on",
            "lat": grid.centroid_lat + lat_offset,
            "lng": grid.centroid_lng,
            "_save": "Save",
        },
    )
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not Component.objects.exists()


def test_component_types_are_read_only(admin_client):
    kind = ComponentType.objects.first()
    assert admin_client.get(f"{ADMIN}/componenttype/{kind.pk}/change/").status_code == 200
    response = admin_client.post(
        f"{ADMIN}/componenttype/{kind.pk}/change/", {"name": "x", "major_class": "01"}
    )
    assert response.status_code == 403
