import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_grid_list_shows_created_grids(api):
    factories.grids(3)
    response = api.get("/api/v1/grids/")
    assert response.status_code == 200
    assert [g["code"] for g in response.json()["results"]] == sorted(
        [g["code"] for g in response.json()["results"]], reverse=True
    )
    assert len(response.json()["results"]) == 3
