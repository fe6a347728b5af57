"""The resident register's staff pages: residents, households, a resident with visits and
the care list. Names and phones are unmasked only for roles that need them, and each
unmasked page view is logged; outside the reader's reach a resident is 404; a visit
recorded from the page moves the resident off the care list; bad input is a 400 that
writes nothing; and every list runs the same number of queries whatever its length."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from participation.models import PersonalDataView, Visit
from participation.services import household_create, resident_create, visit_record
from tests.participation.life import browser_as, build_town

BASE = "/participation/"


@pytest.fixture
def town(db):
    town = build_town()
    home = household_create(grid=town["grid"], building="3", unit="1", room="502")
    town["home"] = home
    town["elder"] = resident_create(
        grid=town["grid"],
        household=home,
        name="赵桂兰",
        building="3",
        unit="1",
        room="502",
        phone="13700001111",
        care_tags=["elderly_alone"],
    )
    town["son"] = resident_create(
        grid=town["grid"], household=home, name="赵建国", building="3", unit="1", room="502"
    )
    town["far"] = resident_create(
        grid=town["other_grid"], name="孙丽", building="9", care_tags=["disabled"]
    )
    return town


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_landing_page_links_the_register(town):
    landing = html(browser_as(town["worker"]).get(BASE))
    for path in ("residents/", "households/", "care-list/"):
        assert f'href="{BASE}{path}"' in landing


def test_street_staff_see_names_and_phones_and_the_view_is_logged(town):
    page = html(browser_as(town["staff"]).get(f"{BASE}residents/"))
    assert "赵桂兰" in page and "13700001111" in page and "孙丽" in page
    logged = set(
        PersonalDataView.objects.filter(viewer=town["staff"]).values_list("resident", flat=True)
    )
    assert {town["elder"].pk, town["son"].pk, town["far"].pk} <= logged


def test_community_staff_and_supervisors_see_them_masked_and_nothing_is_logged(town):
    for reader in ("keeper", "supervisor"):
        page = html(browser_as(town[reader]).get(f"{BASE}residents/"))
        assert "赵桂兰" not in page and "赵**" in page
        assert "13700001111" not in page and "137****1111" in page
        detail = html(browser_as(town[reader]).get(f"{BASE}residents/{town['elder'].pk}/"))
        assert "赵桂兰" not in detail and "赵建国" not in detail
    assert not PersonalDataView.objects.exists()


def test_a_grid_worker_sees_their_grid_unmasked_and_other_grids_not_at_all(town):
    client = browser_as(town["worker"])
    page = html(client.get(f"{BASE}residents/"))
    assert "赵桂兰" in page and "孙" not in page
    assert client.get(f"{BASE}residents/{town['far'].pk}/").status_code == 404
    assert client.get(f"{BASE}households/{town['home'].pk}/").status_code == 200


def test_outside_the_reach_pages_are_404(town):
    client = browser_as(town["other_keeper"])
    assert client.get(f"{BASE}residents/{town['elder'].pk}/").status_code == 404
    assert client.get(f"{BASE}households/{town['home'].pk}/").status_code == 404
    response = client.post(f"{BASE}residents/{town['elder'].pk}/visit/", {"note": "x"})
    assert response.status_code == 404
    assert not Visit.objects.exists()


def test_filters_narrow_the_list(town):
    client = browser_as(town["staff"])
    tagged = html(client.get(f"{BASE}residents/", {"care_tag": "elderly_alone"}))
    assert "赵桂兰" in tagged and "赵建国" not in tagged and "孙丽" not in tagged
    in_grid = html(client.get(f"{BASE}residents/", {"grid": town["other_grid"].pk}))
    assert "孙丽" in in_grid and "赵桂兰" not in in_grid
    nonsense = html(client.get(f"{BASE}residents/", {"grid": "abc", "care_tag": "x"}))
    assert "孙丽" in nonsense and "赵桂兰" in nonsense


def test_the_household_page_lists_its_members(town):
    page = html(browser_as(town["staff"]).get(f"{BASE}households/{town['home'].pk}/"))
    assert "赵桂兰" in page and "赵建国" in page and "3-1-502" in page
    listing = html(browser_as(town["staff"]).get(f"{BASE}households/"))
    assert f'href="{BASE}households/{town["home"].pk}/"' in listing


def test_a_visit_recorded_on_the_page_takes_the_resident_off_the_care_list(town):
    client = browser_as(town["worker"])
    before = html(client.get(f"{BASE}care-list/"))
    assert "赵桂兰" in before and "赵建国" not in before  # no care tag, not on the list
    response = client.post(
        f"{BASE}residents/{town['elder'].pk}/visit/", {"note": "身体好，门锁已修"}
    )
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.visited_by == town["worker"] and visit.resident == town["elder"]
    assert "赵桂兰" not in html(client.get(f"{BASE}care-list/"))
    page = html(client.get(f"{BASE}residents/{town['elder'].pk}/"))
    assert "身体好，门锁已修" in page and "The visit is recorded." in page


def test_the_care_list_counts_days_since_the_last_visit(town):
    visit_record(
        resident=town["elder"],
        visited_by=town["worker"],
        at=timezone.now() - timedelta(days=20),
    )
    client = browser_as(town["staff"])
    assert "赵桂兰" not in html(client.get(f"{BASE}care-list/", {"days": 30}))
    assert "赵桂兰" in html(client.get(f"{BASE}care-list/", {"days": 14}))
    assert "孙丽" in html(client.get(f"{BASE}care-list/", {"days": 9999}))


def test_a_visit_in_the_future_is_a_400_that_writes_nothing(town):
    client = browser_as(town["worker"])
    later = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"{BASE}residents/{town['elder'].pk}/visit/", {"at": later})
    assert response.status_code == 400
    assert "cannot be recorded in the future" in response.content.decode()
    not_a_time = client.post(f"{BASE}residents/{town['elder'].pk}/visit/", {"at": "soon"})
    assert not_a_time.status_code == 400
    assert not Visit.objects.exists()


def test_readers_without_the_visit_permission_get_no_form_and_a_403(town):
    client = browser_as(town["supervisor"])
    page = html(client.get(f"{BASE}residents/{town['elder'].pk}/"))
    assert 'id="visit-form"' not in page
    response = client.post(f"{BASE}residents/{town['elder'].pk}/visit/", {"note": "x"})
    assert response.status_code == 403
    assert not Visit.objects.exists()


@pytest.mark.parametrize("path", ["residents/", "households/", "care-list/"])
def test_a_list_runs_the_same_queries_for_few_and_many_rows(town, path):
    client = browser_as(town["staff"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            html(client.get(f"{BASE}{path}"))
        return len(captured)

    few = queries()
    for number in range(12):
        home = household_create(grid=town["grid2"], building="7", room=f"{number}01")
        resident_create(
            grid=town["grid2"],
            household=home,
            name=f"钱{number}",
            building="7",
            room=f"{number}01",
            care_tags=["low_income", "veteran"],
        )
    assert queries() == few


def test_the_pages_read_in_chinese(town, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client = browser_as(town["staff"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = html(client.get(f"{BASE}care-list/"))
    assert "关爱" in page
