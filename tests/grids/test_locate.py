"""Locating the grid of a point, in-process and through the API."""

import pytest

from grids import locate, services
from grids.models import Grid, GridIndexStamp
from tests import factories

pytestmark = pytest.mark.django_db


def test_point_inside_a_grid_finds_it():
    first, second = factories.grids(2)
    assert locate.locate(35.8005, first.bbox[0] + 0.0005) == first
    assert locate.locate(35.8005, second.bbox[0] + 0.0005) == second


def test_point_outside_every_grid_finds_nothing():
    factories.grids(2)
    assert locate.locate(36.5, 117.0) is None


def test_point_on_a_shared_edge_goes_to_the_smaller_code_whatever_the_order():
    community = factories.community()
    # Create the higher-numbered grid first: the answer must not depend on insertion order.
    east = factories.grid(parent=community, number=2)
    west = factories.grid(parent=community, number=1)
    edge_lng = west.bbox[2]
    assert edge_lng == east.bbox[0]
    assert locate.locate(35.8005, edge_lng) == west
    corner = locate.locate(35.8, edge_lng)
    assert corner == west


def test_a_batch_answers_each_point_as_a_single_lookup_does(django_assert_num_queries):
    community = factories.community()
    east = factories.grid(parent=community, number=2)
    west = factories.grid(parent=community, number=1)
    edge_lng = west.bbox[2]
    points = [
        (35.8005, east.bbox[0] + 0.0007),  # inside east
        (36.5, 117.0),  # in no grid
        (35.8005, edge_lng),  # on the shared edge: the smaller code
        (35.8, edge_lng),  # on the shared corner
        (35.8005, west.bbox[0] + 0.0002),  # inside west
        (35.8005, east.bbox[0] + 0.0007),  # the first point again
    ]
    singles = [locate.locate_grid_id(lat, lng) for lat, lng in points]
    assert singles == [east.pk, None, west.pk, west.pk, west.pk, east.pk]
    with django_assert_num_queries(1):  # one stamp read for the whole batch
        assert locate.locate_grid_ids(points) == singles
    assert locate.locate_grid_ids([]) == []


def test_index_follows_changes_made_by_any_process():
    grid = factories.grid()
    inside = (grid.centroid_lat, grid.centroid_lng)
    assert locate.locate(*inside) == grid
    # Another process deactivates the grid: it writes the row and bumps the shared stamp.
    Grid.objects.filter(pk=grid.pk).update(active=False)
    services.grid_index_touch()
    assert locate.locate(*inside) is None


def test_index_is_not_rebuilt_while_the_stamp_is_unchanged(django_assert_num_queries):
    grid = factories.grid()
    locate.locate_grid_id(grid.centroid_lat, grid.centroid_lng)
    with django_assert_num_queries(1):  # only the stamp is read
        assert locate.locate_grid_id(grid.centroid_lat, grid.centroid_lng) == grid.pk


def test_moving_a_boundary_moves_the_answer():
    grid = factories.grid()
    old_point = (grid.centroid_lat, grid.centroid_lng)
    services.grid_update(grid=grid, boundary=factories.square(116.2, 35.9))
    assert locate.locate(*old_point) is None
    assert locate.locate(35.9005, 116.2005) == grid


def test_every_change_gets_a_fresh_stamp():
    grid = factories.grid()
    before = GridIndexStamp.objects.get(pk=1).token
    services.grid_update(grid=grid, population=10)
    assert GridIndexStamp.objects.get(pk=1).token != before


def test_api_locate_returns_the_grid(api):
    grid = factories.grid()
    response = api.get(
        "/api/v1/grids/locate/", {"lat": grid.centroid_lat, "lng": grid.centroid_lng}
    )
    assert response.status_code == 200
    assert response.json()["code"] == grid.code


def test_api_locate_outside_is_404_with_a_message(api):
    factories.grid()
    response = api.get("/api/v1/grids/locate/", {"lat": 10, "lng": 10})
    assert response.status_code == 404
    body = response.json()
    assert body["type"] == "client_error"
    assert "No grid contains this point" in body["errors"][0]["detail"]


@pytest.mark.parametrize(
    ("query", "bad"),
    [
        ({"lat": 95, "lng": 116}, "lat"),
        ({"lat": 35, "lng": -181}, "lng"),
        ({"lat": "north", "lng": 116}, "lat"),
        ({"lng": 116}, "lat"),
        ({"lat": "NaN", "lng": 116}, "lat"),
    ],
)
def test_api_locate_bad_coordinates_are_400_per_field(api, query, bad):
    response = api.get("/api/v1/grids/locate/", query)
    assert response.status_code == 400
    assert bad in {error["attr"] for error in response.json()["errors"]}
