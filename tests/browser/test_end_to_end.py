"""One case around the whole city, in both interface languages (issue 8, point 6).

A resident's report is accepted, filed and dispatched by the street's command centre
(street1), handled with a photo by the department (dept1), checked by the grid worker
(worker1, through the phone API as the phone app does), and closed by street1; the
reporter rates it from the link mailed to them; the supervisor sees the dashboard move once
the rollups are refreshed and signs a score off; finance1 approves and pays a funding
request; and a resident reports a new problem on the public pages and follows it by its
number and follow code. Every step but the phone's is done in the browser by clicking and
typing, and checked by what the page shows.

The interface language is chosen as a user chooses it: the browser asks for zh-CN (the
Chinese default), and the English run picks English in the header's language menu once;
the choice is a cookie of the browser, kept across signing in and out. The Chinese texts
asserted are those of locale/zh_Hans/LC_MESSAGES/django.po, written out here so that a
missing translation fails the test instead of passing in English on both sides.

A failure leaves a screenshot of the page in var/test-artifacts/screenshots/ (see
tests/browser/conftest.py).
"""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, Playwright, expect

from assessment.models import MonthlyScore
from assessment.tasks import rollups_refresh, scores_compute_current_month
from funding.models import ExpenditureRequest
from funding.services.budgets import budget_create
from funding.services.expenditures import expenditure_request
from incidents.models import Ticket
from incidents.services import category_create, sla_policy_create
from participation.choices import ReportChannel
from participation.models import PublicReport, PublicService
from participation.services.public_reports import public_report_submit
from personnel.services.workers import grid_assignment_create
from tests import factories, people
from tests.browser.steps import sign_in, sign_out
from tests.conftest import PASSWORD
from tests.incidents.cases import image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the pages say, per language: the English msgids and their msgstr in django.po.
TEXT = {
    "zh-hans": {
        "accept": "受理",
        "file": "立案",
        "dispatch": "派遣",
        "take": "接单",
        "submit": "提交处置结果",
        "close": "结案",
        "done": "已完成：{}。",
        "rated": "该案件已评价，谢谢！",
        "your rating": "您的评价：5 分（满分 5 分）。",
        "score signed off": "得分已签核。",
        "signed off": "已签核",
        "approval recorded": "审批已记录。",
        "approved": "已批准",
        "paid and posted": "已支付，并已记入账簿。",
        "paid": "已支付",
        "report is in": "感谢您的上报",
        "report": "上报 {}",
        "received": "已收到，等待受理",
    },
    "en": {
        "accept": "accept",
        "file": "file",
        "dispatch": "dispatch",
        "take": "take on",
        "submit": "submit the result",
        "close": "close",
        "done": "Done: {}.",
        "rated": "This case is rated. Thank you!",
        "your rating": "Your rating: 5 of 5.",
        "score signed off": "Score signed off.",
        "signed off": "signed off",
        "approval recorded": "Approval recorded.",
        "approved": "approved",
        "paid and posted": "Paid, and posted to the ledger.",
        "paid": "paid",
        "report is in": "Thank you: your report is in",
        "report": "Report {}",
        "received": "received, awaiting acceptance",
    },
}
REPORTER_EMAIL = "liu@example.org"
RATING_LINK = re.compile(r"https?://\S+/public/rate/\S+/")


@pytest.fixture(autouse=True)
def _patient_expect():
    """A loaded two-core CI machine running two workers: wait up to 20 s (not Playwright's
    5 s) for what a page should come to show; set back for the other tests."""
    expect.set_options(timeout=20_000)
    yield
    expect.set_options(timeout=None)


@pytest.fixture
def city(settings, live_server):
    """A grid of a street with its people (street1, dept1 of a department of the district,
    worker1 the grid's primary worker, supervisor1 of the district, finance1 and finance2 of
    the street), a minor class the public may report with limits for every stage, the
    street's budget of this year with a request of finance2 waiting for approval, and a
    resident's web report, already rolled up once (as Celery beat keeps doing)."""
    # Links in mails point at the live server, as SITE_URL points at the site in production.
    settings.SITE_URL = live_server.url
    grid = factories.grid()
    street = grid.street
    department = people.department(code="CG01", district=grid.district)
    major = category_create(code="E01", kind="event", name="市容环境", name_en="City appearance")
    minor = category_create(
        code="E0101",
        kind="event",
        name="暴露垃圾",
        name_en="Exposed rubbish",
        parent=major,
        lead_department=department,
    )
    for stage in ("accept", "verify", "dispatch", "handle", "check"):
        for priority in ("emergency", "urgent", "normal"):
            sla_policy_create(
                category=minor, priority=priority, stage=stage, amount=8, unit="hours"
            )
    service = PublicService.objects.create(category=minor, keywords="垃圾", order=1)

    worker1 = people.user("worker1", full_name="网格员一")
    grid_assignment_create(
        created_by=people.root(),
        worker=people.worker_profile(worker1, street=street),
        grid=grid,
        kind="primary",
    )
    finance1 = people.with_role("finance_officer", street, "finance1")
    finance2 = people.with_role("finance_officer", street, "finance2")
    budget = budget_create(
        entity=street,
        fiscal_year=timezone.localdate().year,
        created_by=finance1,
        lines=[("equipment", "district", "50000.00")],
    )
    funding = expenditure_request(
        budget_line=budget.lines.get(category="equipment"),
        amount=Decimal("1200.00"),
        payee="五金建材店",
        payee_kind="organisation",
        purpose="巡查电动车电池",
        requested_by=finance2,
    )
    report, _token = public_report_submit(
        channel=ReportChannel.WEB,
        service=service,
        description="3号楼东侧堆了装修垃圾",
        lat=grid.centroid_lat,
        lng=grid.centroid_lng,
        anonymous=False,
        name="刘女士",
        phone="13906351234",
        email=REPORTER_EMAIL,
    )
    rollups_refresh.apply().get()
    return {
        "grid": grid,
        "department": department,
        "service": service,
        "ticket": report.ticket,
        "funding": funding,
        "street1": people.with_role("street_staff", street, "street1"),
        "dept1": people.with_role("dept_handler", department, "dept1"),
        "worker1": worker1,
        "supervisor1": people.with_role("supervisor", grid.district, "supervisor1"),
        "finance1": finance1,
    }


# What a user does -------------------------------------------------------------------------


def choose_language(page: Page, live_server, language: str) -> None:
    """The browser asks for zh-CN: Chinese unless the header's language menu says else."""
    page.goto(f"{live_server.url}/public/")
    if language != settings.LANGUAGE_CODE:
        with page.expect_navigation():
            page.select_option(".site-header select[name=language]", language)
    expect(page.locator("html")).to_have_attribute("lang", language)


def open_from_header(page: Page, path: str) -> None:
    with page.expect_navigation():
        page.click(f".site-header nav a[href='{path}']")


def take_action(page: Page, action: str) -> None:
    """Press the one button of an action that needs nothing filled in."""
    with page.expect_navigation():
        page.click(f"section.ticket-action[data-action={action}] button[type=submit]")


def submit_details_form(page: Page, action: str, fill) -> None:
    """Open an action's fold, let ``fill`` fill its form, send it."""
    section = page.locator(f"section.ticket-action[data-action={action}]")
    section.locator("summary").click()
    fill(section)
    with page.expect_navigation():
        section.locator("form button[type=submit]").click()


def expect_done(page: Page, text: dict, action: str, status: str) -> None:
    expect(page.locator(".flash.success")).to_have_text(text["done"].format(text[action]))
    expect(page.locator("#ticket-status")).to_have_attribute("data-status", status)


# The journey ------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_case_goes_round_the_city_and_the_books_and_back_to_the_residents(
    page: Page, live_server, playwright: Playwright, city, mailoutbox, language
):
    text = TEXT[language]
    ticket = city["ticket"]
    ticket_path = f"/incidents/{ticket.pk}/"
    choose_language(page, live_server, language)

    # street1 finds the report in the case queue, accepts, files and dispatches it.
    sign_in(page, live_server, "street1")
    open_from_header(page, "/incidents/")
    with page.expect_navigation():
        page.click(f".queue-table tr[data-ticket='{ticket.pk}'] th a")
    expect(page.locator("#ticket-number")).to_have_text(ticket.number)
    expect(page.locator("#ticket-status")).to_have_attribute("data-status", "reported")
    take_action(page, "accept")
    expect_done(page, text, "accept", "accepted")
    take_action(page, "file")
    expect_done(page, text, "file", "filed")
    submit_details_form(
        page,
        "dispatch",
        lambda form: form.locator("select[name=lead_department]").select_option(
            str(city["department"].pk)
        ),
    )
    expect_done(page, text, "dispatch", "dispatched")
    expect(page.locator(".tasks-table tr[data-role=lead] th")).to_have_text(city["department"].name)
    sign_out(page)

    # dept1 takes it from the department's inbox and submits the result with a photo.
    sign_in(page, live_server, "dept1")
    open_from_header(page, "/incidents/inbox/")
    with page.expect_navigation():
        page.click(f"#open-tasks tr[data-ticket='{ticket.pk}'] th a")
    take_action(page, "take")
    expect_done(page, text, "take", "in_handling")

    def result(form) -> None:
        form.locator("input[name=photos]").set_input_files(
            files=[{"name": "after.png", "mimeType": "image/png", "buffer": image_bytes("PNG")}]
        )
        form.locator("textarea[name=note]").fill("垃圾已清运")

    submit_details_form(page, "submit", result)
    expect_done(page, text, "submit", "handled")
    after = page.locator("#photos-after img")
    expect(after).to_have_count(1)
    after.scroll_into_view_if_needed()
    expect(after).to_have_js_property("naturalWidth", 8)  # the upload, served back
    sign_out(page)

    # worker1 checks it on site. Grid workers work from the phone app over the REST API
    # (DOMAIN.md, "Who uses it"), not in the browser: so here the request is the phone's,
    # signed in with a device token, carrying the ETag it saw and an idempotency key.
    phone = playwright.request.new_context(
        base_url=live_server.url, extra_http_headers={"Accept-Language": language}
    )
    try:
        signed_in = phone.post(
            "/api/v1/auth/login/",
            data={"username": "worker1", "password": PASSWORD, "device": "worker1's phone"},
        )
        assert signed_in.status == 201, signed_in.text()
        token = {"Authorization": f"Token {signed_in.json()['token']}"}
        seen = phone.get(f"/api/v1/tickets/{ticket.pk}/", headers=token)
        assert seen.status == 200, seen.text()
        assert "start_check" in seen.json()["allowed_actions"]
        checked = phone.post(
            f"/api/v1/tickets/{ticket.pk}/start-check/",
            headers={
                **token,
                "If-Match": seen.headers["etag"],
                "Idempotency-Key": str(uuid.uuid4()),
            },
            data={"note": "现场核查：已清理干净"},
        )
        assert checked.status == 200, checked.text()
        assert checked.json()["status"] == "checking"
    finally:
        phone.dispose()

    # street1 sees the worker's check in the history and closes the case.
    sign_in(page, live_server, "street1")
    page.goto(f"{live_server.url}{ticket_path}")
    expect(page.locator("#ticket-status")).to_have_attribute("data-status", "checking")
    check = page.locator("#timeline li[data-action=start_check]")
    expect(check.locator(".actor")).to_have_text(str(city["worker1"]))  # the full name
    expect(check).to_contain_text("现场核查：已清理干净")
    take_action(page, "close")
    expect_done(page, text, "close", "closed")
    expect(page.locator("#rating-links li[data-link]")).to_have_count(1)
    sign_out(page)

    # The reporter opens the rating link of the mail (no sign-in) and rates it 5.
    [mail] = [message for message in mailoutbox if message.to == [REPORTER_EMAIL]]
    assert ticket.number in mail.subject
    link = RATING_LINK.search(mail.body).group(0)
    assert link.startswith(live_server.url)
    page.goto(link)
    expect(page.locator("#rating-state")).to_have_attribute("data-state", "open")
    expect(page.locator("#rated-case")).to_contain_text(ticket.number)
    page.check("#rating-state input[name=score][value='5']")
    page.fill("#rating-state textarea[name=comment]", "处理得很快")
    with page.expect_navigation():
        page.click("#rating-state button[type=submit]")
    expect(page.locator("#rating-state")).to_have_attribute("data-state", "used")
    expect(page.locator("#rating-state .public-status")).to_contain_text(text["rated"])
    expect(page.locator("#rating-state .public-status")).to_contain_text(text["your rating"])
    assert Ticket.objects.get(pk=ticket.pk).satisfaction == 5

    # The supervisor's dashboard reads the rollups: the closing shows once the refresh has
    # run (here called as Celery beat has it run every few minutes), and the month's scores
    # once the nightly job has computed them.
    sign_in(page, live_server, "supervisor1")
    open_from_header(page, "/assessment/")

    def tile(key: str):
        return page.locator(f".kpi-tile[data-key={key}] .kpi-value")

    expect(tile("reported")).to_have_text("1")
    expect(tile("closed")).to_have_text("0")
    rollups_refresh.apply().get()
    scores_compute_current_month.apply().get()
    page.reload()
    expect(tile("reported")).to_have_text("1")
    expect(tile("closed")).to_have_text("1")
    expect(tile("closed_on_time")).to_have_text("1")
    expect(tile("satisfaction_rate")).to_have_text("100.0%")

    month = timezone.localdate().replace(day=1)
    community = city["grid"].community
    score = MonthlyScore.objects.get(kind="community", community=community, month=month)
    with page.expect_navigation():
        page.click("a[href='/assessment/scores/']")
    page.fill("form.queue-filters input[name=month]", f"{month:%Y-%m}")
    page.select_option("form.queue-filters select[name=kind]", "community")
    with page.expect_navigation():
        page.click("form.queue-filters button[type=submit]")
    row = page.locator(f".scores-table tr[data-score='{score.pk}']")
    sign_off = row.locator("form[action$='/sign-off/']")
    sign_off.locator("input[type=text]").fill("已核")
    with page.expect_navigation():
        sign_off.locator("button[type=submit]").click()
    expect(page.locator(".flash.success")).to_have_text(text["score signed off"])
    expect(row).to_contain_text(text["signed off"])
    expect(row.locator("ul.legs")).to_contain_text("supervisor1: 已核")
    expect(row.locator("form[action$='/sign-off/']")).to_have_count(0)
    sign_out(page)

    # finance1 approves finance2's request, then pays it.
    funding = city["funding"]
    sign_in(page, live_server, "finance1")
    open_from_header(page, "/funding/ledger/")
    with page.expect_navigation():
        page.click("nav.incident-tabs a[href='/funding/requests/']")
    with page.expect_navigation():
        page.click(f".requests-table tr[data-request='{funding.pk}'] th a")
    badge = page.locator("h1 .status-badge")
    approve = page.locator("section.ticket-action[data-step=approve]")
    approve.locator("[name=note]").fill("同意")
    with page.expect_navigation():
        approve.locator("button[type=submit]").click()
    expect(page.locator(".flash.success")).to_have_text(text["approval recorded"])
    expect(badge).to_have_text(text["approved"])
    with page.expect_navigation():
        page.click("section.ticket-action[data-step=pay] button[type=submit]")
    expect(page.locator(".flash.success")).to_have_text(text["paid and posted"])
    expect(badge).to_have_text(text["paid"])
    expect(page.locator("#request-facts a[href^='/funding/ledger/']")).to_have_count(1)
    assert ExpenditureRequest.objects.get(pk=funding.pk).transaction_id is not None
    sign_out(page)

    # A resident reports a problem on the public pages and follows it by number and code.
    page.goto(f"{live_server.url}/public/")
    with page.expect_navigation():
        page.click(".public-card a[href='/public/report/']")
    report_map = page.locator("#report-map[data-ready=true]")
    expect(report_map).to_be_visible()
    report_map.click()  # the middle of the map: inside the one grid, which fills it
    expect(page.locator("#report-map")).to_have_attribute("data-picked", "true")
    page.select_option("select[name=service]", str(city["service"].pk))
    page.fill("textarea[name=description]", "路灯不亮，晚上很黑")
    page.fill("input[name=name]", "王先生")
    page.fill("input[name=phone]", "13906350000")
    with page.expect_navigation():
        page.click("form.report-form button[type=submit]")
    expect(page.locator("h1")).to_have_text(text["report is in"])
    reference = page.locator("#reference").inner_text().strip()
    follow_code = page.locator("#token").inner_text().strip()
    assert reference and follow_code

    page.goto(f"{live_server.url}/public/")
    follow = page.locator("form[action='/public/follow/']")
    follow.locator("input[name=reference]").fill(reference)
    follow.locator("input[name=token]").fill(follow_code)
    with page.expect_navigation():
        follow.locator("button[type=submit]").click()
    expect(page.locator("h1")).to_have_text(text["report"].format(reference))
    expect(page.locator(".public-status")).to_have_text(text["received"])
    new_case = PublicReport.objects.get(reference=reference).ticket
    assert new_case.status == "reported" and new_case.grid_id == city["grid"].pk
    expect(page.locator(".follow-details")).to_contain_text(new_case.number)
