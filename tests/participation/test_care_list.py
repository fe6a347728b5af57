"""The care list: cared-for residents of the caller's grids not visited in N days, never
visited first, then the oldest last visit; and visits recorded through the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from participation.models import PersonalDataView, Visit
from participation.services import resident_create, visit_record
from tests import factories, people
from tests.participation.test_residents import client_for, worker_on


@pytest.fixture
def cared(db):
    grid, grid2 = factories.grids(2)
    worker = worker_on(grid, "care-worker")
    now = timezone.now()

    def resident(name, tags, grid=grid, visited_days_ago=None, active=True):
        row = resident_create(
            grid=grid, name=name, building="1", care_tags=tags, phone="13800000000", active=active
        )
        if visited_days_ago is not None:
            visit_record(resident=row, visited_by=worker, at=now - timedelta(days=visited_days_ago))
        return row

    return {
        "grid": grid,
        "grid2": grid2,
        "worker": worker,
        "never": resident("甲", ["elderly_alone"]),
        "long_ago": resident("乙", ["disabled"], visited_days_ago=90),
        "a_while": resident("丙", ["low_income"], visited_days_ago=40),
        "recent": resident("丁", ["veteran"], visited_days_ago=5),
        "untagged": resident("戊", []),
        "moved_out": resident("己", ["key_care"], active=False),
        "elsewhere": resident("庚", ["disabled"], grid=grid2),
    }


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_the_care_list_holds_unvisited_cared_for_residents_oldest_first(cared):
    client = client_for(cared["worker"])
    expected = [cared["never"].pk, cared["long_ago"].pk, cared["a_while"].pk]
    assert ids(client.get("/api/v1/care-list/", {"days": 30})) == expected
    assert ids(client.get("/api/v1/care-list/", {"days": 60})) == expected[:2]
    first = client.get("/api/v1/care-list/").json()["results"][0]
    assert first["last_visited_at"] is None and first["name"] == "甲"


def test_the_care_list_keeps_to_the_callers_scope(cared):
    staff = client_for(people.with_role("street_staff", cared["grid"].street, "care-staff"))
    everything = ids(staff.get("/api/v1/care-list/"))
    assert cared["elsewhere"].pk in everything and len(everything) == 4
    one_grid = ids(staff.get("/api/v1/care-list/", {"grid": cared["grid2"].pk}))
    assert one_grid == [cared["elsewhere"].pk]
    worker = client_for(cared["worker"])
    assert ids(worker.get("/api/v1/care-list/", {"grid": cared["grid2"].pk})) == []
    assert ids(client_for(people.user("care-plain")).get("/api/v1/care-list/")) == []


def test_care_list_rows_shown_unmasked_are_logged(cared):
    client_for(cared["worker"]).get("/api/v1/care-list/")
    assert PersonalDataView.objects.filter(viewer=cared["worker"]).count() == 3


@pytest.mark.parametrize("query", [{"days": 0}, {"days": "many"}, {"grid": "x"}])
def test_bad_care_list_queries_are_400(cared, query):
    response = client_for(cared["worker"]).get("/api/v1/care-list/", query)
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] in query


def test_anonymous_callers_are_refused(cared):
    assert APIClient().get("/api/v1/care-list/").status_code in (401, 403)


def test_a_visit_takes_a_resident_off_the_care_list(cared):
    client = client_for(cared["worker"])
    url = f"/api/v1/residents/{cared['never'].pk}/visits/"
    response = client.post(url, {"note": "身体健康"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["visited_by"] == cared["worker"].pk
    assert cared["never"].pk not in ids(client.get("/api/v1/care-list/"))


def test_a_visit_in_the_future_is_refused(cared):
    url = f"/api/v1/residents/{cared['never'].pk}/visits/"
    later = (timezone.now() + timedelta(days=1)).isoformat()
    response = client_for(cared["worker"]).post(url, {"at": later}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "at"
    assert Visit.objects.filter(resident=cared["never"]).count() == 0
