"""Boundary validation: every mistake a person makes in GeoJSON gets a message they can act on."""

import pytest
from django.core.exceptions import ValidationError

from grids import geometry, services
from tests import factories

pytestmark = pytest.mark.django_db


def _messages(boundary) -> str:
    with pytest.raises(geometry.BoundaryError) as caught:
        geometry.parse_boundary(boundary)
    return " ".join(caught.value.messages)


def test_unclosed_ring_is_named():
    ring = [[116.1, 35.8], [116.101, 35.8], [116.101, 35.801], [116.1, 35.801]]
    assert "not closed" in _messages({"type": "Polygon", "coordinates": [ring]})


def test_too_few_positions():
    ring = [[116.1, 35.8], [116.101, 35.8], [116.1, 35.8]]
    assert "at least 4" in _messages({"type": "Polygon", "coordinates": [ring]})


def test_out_of_range_coordinates_name_the_position():
    ring = [[116.1, 35.8], [196.1, 35.8], [116.1, 95.0], [116.1, 35.8]]
    message = _messages({"type": "Polygon", "coordinates": [ring]})
    assert "position 1" in message and "position 2" in message and "out of range" in message


def test_self_intersection_gives_its_location():
    bow_tie = [[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]
    message = _messages({"type": "Polygon", "coordinates": [bow_tie]})
    assert "Self-intersection" in message and "0.5 0.5" in message


@pytest.mark.parametrize(
    "value",
    [
        {"type": "Point", "coordinates": [116.1, 35.8]},
        {"type": "LineString", "coordinates": [[116.1, 35.8], [116.2, 35.8]]},
        "POLYGON((0 0, 1 0, 1 1, 0 0))",
        None,
        [],
    ],
)
def test_wrong_type_is_rejected(value):
    assert "Polygon or MultiPolygon" in _messages(value) or "GeoJSON object" in _messages(value)


def test_multipolygon_with_a_bad_part_names_the_part():
    good = factories.square(116.1, 35.8)["coordinates"]
    bad = [[[116.2, 35.8], [116.201, 35.8], [116.201, 35.801]]]
    message = _messages({"type": "MultiPolygon", "coordinates": [good, bad]})
    assert "Polygon 2" in message or "polygon 2" in message


def test_derived_figures_of_a_hectare():
    # 0.001° × 0.001° at 35.8° N is about 90.2 m × 111.2 m ≈ 10,028 m².
    grid = factories.grid()
    assert grid.area_m2 == pytest.approx(10_028, rel=0.005)
    assert grid.centroid_lng == pytest.approx(116.1005)
    assert grid.centroid_lat == pytest.approx(35.8005)
    assert grid.bbox == pytest.approx([116.1, 35.8, 116.101, 35.801])


def test_overlapping_sibling_is_named():
    first = factories.grid(number=1)
    with pytest.raises(ValidationError) as caught:
        factories.grid(number=2, lng=first.bbox[0] + 0.0005)
    message = str(caught.value.message_dict["boundary"])
    assert first.code in message and first.name in message


def test_touching_siblings_and_sub_square_metre_slivers_are_allowed():
    first = factories.grid(number=1)
    factories.grid(number=2)  # shares the east edge of the first
    # Above the first grid, dipping 0.00000005° (≈ 5.6 mm) into it along its 90 m edge:
    # ≈ 0.5 m² of overlap, under the 1 m² tolerance for digitising noise.
    west, _, east, north = first.bbox
    bottom = north - 0.00000005
    ring = [[west, bottom], [east, bottom], [east, north + 0.001], [west, north + 0.001]]
    services.grid_create(
        community=first.community,
        code=first.community.code + "09",
        name="边角",
        boundary={"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
    )


def test_grids_of_different_communities_may_overlap():
    street = factories.street()
    one = factories.community(parent=street, number=1)
    two = factories.community(parent=street, number=2)
    factories.grid(parent=one, number=1, lng=116.3, lat=35.9)
    factories.grid(parent=two, number=1, lng=116.3, lat=35.9)


def test_grid_code_must_extend_community_code():
    community = factories.community()
    with pytest.raises(ValidationError) as caught:
        services.grid_create(
            community=community,
            code="99999999999901",
            name="x",
            boundary=factories.square(116.1, 35.8),
        )
    assert community.code in str(caught.value.message_dict["code"])


@pytest.mark.parametrize("code", ["1234", "1234567890123", "1234567890123456", "37152300100100a"])
def test_grid_code_length_and_digits(code):
    community = factories.community()
    with pytest.raises(ValidationError) as caught:
        services.grid_create(
            community=community, code=code, name="x", boundary=factories.square(116.1, 35.8)
        )
    assert "code" in caught.value.message_dict


def test_fifteen_digit_grid_codes_are_accepted():
    community = factories.community()
    grid = services.grid_create(
        community=community,
        code=community.code + "001",
        name="北京规则",
        boundary=factories.square(116.1, 35.8),
    )
    assert len(grid.code) == 15


def test_component_code_needs_a_known_class():
    grid = factories.grid()
    with pytest.raises(ValidationError) as caught:
        services.component_create(
            code=f"{grid.district.code}0999000001", lat=grid.centroid_lat, lng=grid.centroid_lng
        )
    assert "0999" in str(caught.value.message_dict["code"])


def test_component_code_must_start_with_the_district_code():
    grid = factories.grid()
    with pytest.raises(ValidationError) as caught:
        services.component_create(
            code="1100000101000001", lat=grid.centroid_lat, lng=grid.centroid_lng
        )
    assert grid.district.code in str(caught.value.message_dict["code"])


def test_component_is_placed_in_the_grid_at_its_location():
    grid = factories.grid()
    component = factories.component(in_grid=grid, type_code="0118")
    assert component.grid == grid
    assert component.type.name_en == "street lamp"
