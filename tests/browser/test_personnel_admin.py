"""People in a real browser: the street map's grid card names the responsible worker, and the
back office refuses a grant beyond the granting rule on the form itself."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from personnel.models import RoleAssignment
from personnel.services.workers import grid_assignment_create
from tests import factories, people
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit], button[type=submit]")


def open_card(page: Page, grid_id: int):
    page.locator(f".grid-link[data-grid-id='{grid_id}']").click()
    expect(page.locator(".leaflet-popup")).to_have_count(1)
    return page.locator(".leaflet-popup .grid-card")


def test_grid_card_shows_the_responsible_worker(signed_in_page: Page, live_server):
    page = signed_in_page
    community = factories.community()
    staffed, unstaffed = factories.grids(2, parent=community)
    worker = people.worker_profile(people.user("zhangwei", full_name="张伟"), street=staffed.street)
    grid_assignment_create(created_by=people.root(), worker=worker, grid=staffed, kind="primary")

    page.goto(f"{live_server.url}/grids/streets/{staffed.street_id}/map/")
    expect(page.locator("#street-map[data-workers-ready=true]")).to_be_attached()

    expect(open_card(page, staffed.pk).locator(".grid-worker")).to_have_text("张伟")
    page.keyboard.press("Escape")
    none = open_card(page, unstaffed.pk).locator(".grid-worker")
    with translation.override("zh-hans"):  # the page's language by default
        expect(none).to_have_text(gettext("No grid worker assigned"))


def test_role_admin_shows_the_granting_rule_as_a_form_error(page: Page, live_server):
    street = factories.street()
    people.with_role("street_staff", street, "staff1", is_staff=True)
    newcomer = people.user("newcomer")
    sign_in(page, live_server, "staff1")

    page.goto(f"{live_server.url}/admin/personnel/roleassignment/add/")
    page.select_option("#id_user", str(newcomer.pk))
    page.select_option("#id_role", "admin")
    page.select_option("#id_scope_type", "district")
    page.select_option("#id_district", str(street.district_id))
    with page.expect_navigation():
        page.click("input[name=_save]")

    expect(page.locator(".errornote, .errorlist.nonfield")).not_to_have_count(0)
    assert not RoleAssignment.objects.filter(user=newcomer).exists()
