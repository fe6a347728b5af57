"""The workload per worker (grids, patrol hours this month, open tasks once incidents exist),
in the API and in the browser, and a worker's track page for a day."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from personnel.models import PatrolDay
from personnel.services.workers import grid_assignment_create
from tests import factories, people
from tests.personnel.test_patrols import (
    LAT_IN,
    LNG_IN,
    START,
    point,
    signed_in,
    start_patrol,
    upload,
    worker_on,
)

pytestmark = pytest.mark.django_db


def this_month_start():
    """A start for a patrol whose five minutes of points lie in the current local day (so
    in this month; a pair of points across midnight counts for neither day) and not in the
    future beyond the clock tolerance, whenever the test runs (even just after midnight)."""
    now = timezone.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(now - timedelta(minutes=6), midnight)


def patrol(worker, start, count: int, on_commit, *, step_minutes: float = 0.5, lng=LNG_IN):
    """A patrol of ``count`` points ``step_minutes`` apart in the worker's grid, with its
    coverage computed."""
    client = signed_in(worker)
    session = start_patrol(client, started_at=start)
    points = [
        point(n * step_minutes, lat=LAT_IN + n * 0.00008, lng=lng, start=start)
        for n in range(count)
    ]
    with on_commit(execute=True):
        assert upload(client, session["id"], points).status_code == 200
    return session


@pytest.fixture
def office():
    """Street 1: grids 1 and 2, worker1 primary on 1 and backup on 2, worker2 primary on 2;
    street 2: worker3 on its grid."""
    street = factories.street(number=1)
    grid1, grid2 = factories.grids(2, parent=factories.community(parent=street))
    far_grid = factories.grid(parent=factories.community(parent=factories.street(number=2)))
    worker1 = worker_on(grid1, "worker1")
    grid_assignment_create(
        created_by=people.root(), worker=worker1.grid_worker, grid=grid2, kind="backup"
    )
    return SimpleNamespace(
        street=street,
        grid1=grid1,
        grid2=grid2,
        far_grid=far_grid,
        worker1=worker1,
        worker2=worker_on(grid2, "worker2"),
        worker3=worker_on(far_grid, "worker3"),
    )


def rows_by_user(client, **query) -> dict[int, dict]:
    response = client.get("/api/v1/workload/", query)
    assert response.status_code == 200, response.content
    return {row["worker"]["id"]: row for row in response.json()["results"]}


# API ---------------------------------------------------------------------------------------


def test_workload_shows_grids_and_patrol_hours_of_this_month_only(
    office, django_capture_on_commit_callbacks
):
    # 11 points half a minute apart: 5 minutes this month; last March's patrol does not count.
    patrol(office.worker1, this_month_start(), 11, django_capture_on_commit_callbacks)
    patrol(office.worker1, START, 11, django_capture_on_commit_callbacks, step_minutes=1)
    [row] = rows_by_user(signed_in(office.worker1)).values()
    assert row["worker"] == {
        "id": office.worker1.pk,
        "name": str(office.worker1),
        "employee_number": office.worker1.grid_worker.employee_number,
    }
    assert row["patrol_hours_this_month"] == round(5 / 60, 2)
    assert [(grid["code"], grid["kind"]) for grid in row["grids"]] == [
        (office.grid1.code, "primary"),
        (office.grid2.code, "backup"),
    ]
    assert row["open_tasks"] == 0


def test_a_grid_worker_sees_themself_and_street_staff_their_street(office):
    assert set(rows_by_user(signed_in(office.worker2))) == {office.worker2.pk}
    staff = signed_in(people.with_role("street_staff", office.street))
    assert set(rows_by_user(staff)) == {office.worker1.pk, office.worker2.pk}
    assert set(rows_by_user(staff, grid=office.grid2.pk)) == {office.worker1.pk, office.worker2.pk}
    assert set(rows_by_user(staff, grid=office.grid1.pk)) == {office.worker1.pk}
    chief = signed_in(people.with_role("grid_chief", office.grid1))
    assert set(rows_by_user(chief)) == {office.worker1.pk}


# Browser pages -----------------------------------------------------------------------------


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_workload_page_needs_a_sign_in():
    response = Client().get("/personnel/workload/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/personnel/workload/")


def test_the_workload_page_lists_workers_with_hours_and_a_link_to_todays_track(
    office, django_capture_on_commit_callbacks
):
    # Five minutes this month: 0.08 hours, shown to one decimal.
    patrol(
        office.worker2,
        this_month_start(),
        11,
        django_capture_on_commit_callbacks,
        lng=LNG_IN + factories.CELL_DEG,
    )
    staff = people.with_role("street_staff", office.street)
    page = browser(staff).get("/personnel/workload/")
    assert page.status_code == 200
    html = page.content.decode()
    assert office.grid1.code in html and office.grid2.code in html
    assert office.worker3.grid_worker.employee_number not in html
    today = timezone.localdate().isoformat()
    assert f'href="/personnel/workers/{office.worker2.pk}/track/?day={today}"' in html
    row = html.split(f'data-worker="{office.worker2.pk}"')[1].split("</tr>")[0]
    assert '<td class="num patrol-hours">0.1</td>' in row
    assert '<td class="num open-tasks"' in row and ">0</td>" in row


def test_the_track_page_shows_the_days_totals(office, django_capture_on_commit_callbacks):
    inside = [point(n, lat=LAT_IN + n * 0.00008) for n in range(11)]
    outside = point(20, lng=117.5)  # after a pause: the jump is not walked distance
    client = signed_in(office.worker1)
    session = start_patrol(client)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, session["id"], [*inside, outside])
    page = browser(office.worker1).get(
        f"/personnel/workers/{office.worker1.pk}/track/", {"day": "2025-03-10"}
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert '<dd id="total-minutes">10</dd>' in html
    assert '<dd id="total-points">12</dd>' in html
    assert '<dd id="total-flagged">1</dd>' in html
    assert '<dd id="total-distance">0.09</dd>' in html
    assert 'id="track-data"' in html
    # Another day shows nothing recorded.
    empty = browser(office.worker1).get(
        f"/personnel/workers/{office.worker1.pk}/track/", {"day": "2025-03-11"}
    )
    assert '<dd id="total-points">0</dd>' in empty.content.decode()


def test_a_track_outside_the_viewers_scope_is_404(office):
    url = f"/personnel/workers/{office.worker3.pk}/track/"
    assert browser(office.worker1).get(url).status_code == 404
    assert browser(people.with_role("street_staff", office.street)).get(url).status_code == 404
    assert browser(office.worker3).get(url).status_code == 200
    # A fellow worker on the same grid is not in a grid worker's workload either.
    assert (
        browser(office.worker2).get(f"/personnel/workers/{office.worker1.pk}/track/").status_code
        == 404
    )


def test_an_invalid_day_shows_today_and_says_so(office):
    page = browser(office.worker1).get(
        f"/personnel/workers/{office.worker1.pk}/track/", {"day": "2025-02-30"}
    )
    assert page.status_code == 200
    assert timezone.localdate().isoformat() in page.content.decode()
    assert "field-error" in page.content.decode()


def test_workload_by_grid_shows_the_primary_worker_and_the_patrolling_inside_each_grid(client):
    first, second = factories.grids(2)
    staff = people.with_role("street_staff", first.street, "grid-staff")
    person = people.user("grid-walker", full_name="巡查员 甲")
    profile = people.worker_profile(person, street=first.street)
    grid_assignment_create(created_by=people.root(), worker=profile, grid=first, kind="primary")
    today = timezone.localdate()
    for offset, minutes in ((0, 90), (1, 30)):
        day = today - timedelta(days=offset)
        if day.month != today.month:
            continue
        PatrolDay.objects.create(
            grid=first,
            street=first.street,
            community=first.community,
            district=first.district,
            worker=person,
            day=day,
            minutes=minutes,
        )
    expected_days = PatrolDay.objects.filter(grid=first).count()
    expected_hours = (
        sum(PatrolDay.objects.filter(grid=first).values_list("minutes", flat=True)) / 60
    )

    api = APIClient()
    api.force_authenticate(staff)
    rows = {row["code"]: row for row in api.get("/api/v1/grid-workload/").json()["results"]}
    assert rows[first.code]["primary_worker_name"] == "巡查员 甲"
    assert rows[first.code]["patrol_hours_this_month"] == round(expected_hours, 2)
    assert rows[first.code]["patrolled_days_this_month"] == expected_days
    assert rows[second.code]["primary_worker"] is None

    client.force_login(staff)
    page = client.get("/personnel/workload/grids/").content.decode()
    assert "巡查员 甲" in page and "No grid worker assigned" in page

    worker_api = APIClient()
    worker_api.force_authenticate(person)
    mine = [row["code"] for row in worker_api.get("/api/v1/grid-workload/").json()["results"]]
    assert mine == [first.code]
