"""The incidents pages in a real browser: the command centre dispatches a grid worker's report
to a department picked by hand, the department finds it in its inbox; and the extension form
previews the new deadline through the calendar API before the extension is approved."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from incidents import calendar
from incidents.models import LinkageTask, Ticket
from incidents.services import category_create, sla_policy_create
from tests import factories, people
from tests.browser import steps
from tests.incidents.cases import act, report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def city():
    """A grid with its worker (worker1), the street's command centre (street1), two
    departments of the district (dept1 handles the first) and a minor class whose default
    lead is the other department, so that the picker's choice matters."""
    grid = factories.grid()
    department = people.department(code="CG01", district=grid.district)
    other = people.department(code="SZ01", district=grid.district)
    major = category_create(code="E01", kind="event", name="市容环境")
    minor = category_create(
        code="E0101", kind="event", name="暴露垃圾", parent=major, lead_department=other
    )
    for hours, stage in enumerate(("accept", "verify", "dispatch", "handle", "check"), 1):
        for priority in ("emergency", "urgent", "normal"):
            sla_policy_create(
                category=minor, priority=priority, stage=stage, amount=hours, unit="hours"
            )
    return {
        "grid": grid,
        "category": minor,
        "department": department,
        "street1": people.with_role("street_staff", grid.street, "street1"),
        "worker1": people.with_role("grid_worker", grid, "worker1"),
        "dept1": people.with_role("dept_handler", department, "dept1"),
    }


def sign_in(page: Page, live_server, username: str, path: str) -> None:
    """Sign in through the login page, then open ``path``. (Not through ``?next=``: the
    login form posts its redirect field without a name, so Django drops it.)"""
    steps.sign_in(page, live_server, username)
    page.goto(f"{live_server.url}{path}")


def take_action(page: Page, action: str) -> None:
    """Press the button of a one-click action and wait for the page to come back."""
    with page.expect_navigation():
        page.click(f"section.ticket-action[data-action={action}] button[type=submit]")


def test_street_staff_dispatch_a_report_and_the_department_finds_it_in_its_inbox(
    page: Page, live_server, city, screenshot_dir
):
    ticket = report(city, "patrol", reporter=city["worker1"], title="路边垃圾堆积")
    ticket_path = f"/incidents/{ticket.pk}/"

    sign_in(page, live_server, "street1", ticket_path)
    expect(page.locator("#ticket-number")).to_have_text(ticket.number)
    expect(page.locator("#ticket-map[data-ready=true]")).to_be_attached()
    expect(page.locator("section.ticket-action[data-action=dispatch]")).to_have_count(0)
    take_action(page, "accept")
    expect(page.locator("#ticket-status")).to_have_attribute("data-status", "accepted")
    take_action(page, "file")
    expect(page.locator("#ticket-status")).to_have_attribute("data-status", "filed")

    dispatch = page.locator("section.ticket-action[data-action=dispatch]")
    dispatch.locator("summary").click()
    picker = dispatch.locator("select[name=lead_department]")
    expect(picker).to_be_visible()
    picker.select_option(label=city["department"].name)
    page.screenshot(path=str(screenshot_dir / "gridgov-ticket-dispatch.png"))
    with page.expect_navigation():
        dispatch.locator("button[type=submit]").click()
    expect(page.locator("#ticket-status")).to_have_attribute("data-status", "dispatched")
    expect(page.locator(".flash.success")).to_be_visible()
    expect(page.locator(".tasks-table tr[data-role=lead] th")).to_have_text(city["department"].name)
    assert LinkageTask.objects.get(ticket=ticket).department == city["department"]

    # The queue and the map show it too, with its SLA colour.
    page.goto(f"{live_server.url}/incidents/")
    queue_row = page.locator(f".queue-table tr[data-ticket='{ticket.pk}']")
    expect(queue_row.locator(".sla-badge.sla-green")).to_have_count(1)
    expect(page.locator(".status-chips .chip[data-status=dispatched] .count")).to_have_text("1")
    page.screenshot(path=str(screenshot_dir / "gridgov-case-queue.png"))
    page.goto(f"{live_server.url}/incidents/map/")
    expect(page.locator("#incident-map[data-ready=true]")).to_be_attached()
    marker = page.locator("#incident-map path.ticket-marker.sla-green")
    expect(marker).to_have_count(1)
    marker.click()
    expect(page.locator(".leaflet-popup .ticket-popup a")).to_have_text(ticket.number)
    page.screenshot(path=str(screenshot_dir / "gridgov-case-map.png"))

    steps.sign_out(page)
    sign_in(page, live_server, "dept1", "/incidents/inbox/")
    row = page.locator(f"#open-tasks tr[data-ticket='{ticket.pk}']")
    expect(row).to_have_count(1)
    expect(row.locator("th a")).to_have_text(ticket.number)
    expect(row).to_contain_text("路边垃圾堆积")
    page.screenshot(path=str(screenshot_dir / "gridgov-department-inbox.png"))

    # From the inbox to the ticket, where the department may take it on.
    with page.expect_navigation():
        row.locator("th a").click()
    assert page.url == f"{live_server.url}{ticket_path}"
    expect(page.locator("section.ticket-action[data-action=take]")).to_have_count(1)


def test_the_extension_form_previews_the_new_deadline_before_approving(
    page: Page, live_server, city, screenshot_dir
):
    ticket = report(city, "patrol", reporter=city["worker1"])
    for actor, action, data in (
        ("street1", "accept", None),
        ("street1", "file", None),
        ("street1", "dispatch", {"lead_department": city["department"].pk}),
        ("dept1", "take", None),
    ):
        ticket = act(ticket, city[actor], action, data=data)
    assert ticket.status == "in_handling" and ticket.stage_due_at is not None
    expected = calendar.due_at(ticket.stage_due_at, 2, "working_days", plain_clock=False)
    shown = timezone.localtime(expected).strftime("%Y-%m-%d %H:%M")

    sign_in(page, live_server, "street1", f"/incidents/{ticket.pk}/")
    extension = page.locator("section.ticket-action[data-action=approve_extension]")
    extension.locator("summary").click()
    extension.locator("select[name=unit]").select_option("working_days")
    extension.locator("input[name=amount]").fill("2")
    preview = page.locator("#extension-preview")
    expect(preview).to_contain_text(shown)
    expect(preview).to_have_attribute("data-due-at", expected.isoformat())
    page.screenshot(path=str(screenshot_dir / "gridgov-extension-preview.png"))

    with page.expect_navigation():
        extension.locator("button[type=submit]").click()
    expect(page.locator(".flash.success")).to_be_visible()
    assert Ticket.objects.get(pk=ticket.pk).stage_due_at == expected
