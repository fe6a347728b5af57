"""The irregularity flags page: what the checks found (open ones first, filtered by status
and kind), resolved with a note by finance officers and supervisors; the checks run from
here for them, never for grid workers."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from funding.models import Flag
from funding.services.checks import funding_checks_run
from tests.funding.pages import (
    FLAGS,
    approved,
    ask,
    client_for,
    html,
    move,
    paid,
    shown_messages,
    this_years_line,
)

pytestmark = pytest.mark.django_db

# A Friday, a working day: the payment's transaction raises no off-day flag.
PAID_AT = datetime(2026, 11, 20, 10, 0)
SATURDAY = date(2026, 11, 21)


@pytest.fixture
def missing_receipt(books) -> Flag:
    """A request paid on PAID_AT with no receipt, flagged by the checks run 31 days on."""
    at = timezone.make_aware(PAID_AT)
    request = ask(this_years_line(books), books["finance1"], "1800.00", payee="电动车行")
    paid(approved(request, books["finance2"]), books["finance2"], at=at)
    counts = funding_checks_run(now=at + timedelta(days=31))
    assert counts["missing_receipt"] == 1 and sum(counts.values()) == 1
    return Flag.objects.get()


def _resolve(client, flag: Flag, note: str, **kwargs):
    return client.post(f"/funding/flags/{flag.pk}/resolve/", {"note": note}, **kwargs)


def test_the_checks_flag_a_missing_receipt_and_the_supervisor_sees_it(books, missing_receipt):
    response = client_for(books["supervisor"]).get(FLAGS)

    assert response.status_code == 200
    page = html(response)
    assert f'data-flag="{missing_receipt.pk}"' in page
    assert "missing receipt" in page and "电动车行" in page
    assert f'href="/funding/requests/{missing_receipt.request_id}/"' in page
    assert f'action="/funding/flags/{missing_receipt.pk}/resolve/"' in page
    assert "Run the checks now" in page

    request_page = client_for(books["supervisor"]).get(
        f"/funding/requests/{missing_receipt.request_id}/"
    )
    assert 'id="request-flags"' in html(request_page)


def test_the_supervisor_resolves_a_flag_with_a_note(books, missing_receipt):
    client = client_for(books["supervisor"])

    response = _resolve(client, missing_receipt, "发票已补交", follow=True)

    assert response.redirect_chain == [(FLAGS, 302)]
    assert shown_messages(response) == ["Flag resolved."]
    missing_receipt.refresh_from_db()
    assert (
        missing_receipt.status,
        missing_receipt.resolution,
        missing_receipt.resolved_by,
    ) == ("resolved", "发票已补交", books["supervisor"])
    assert f'data-flag="{missing_receipt.pk}"' not in html(response)  # open ones by default
    everything = client.get(FLAGS, {"status": "all"})
    assert f'data-flag="{missing_receipt.pk}"' in html(everything)
    assert "发票已补交" in html(everything)
    resolved = client.get(FLAGS, {"status": "resolved"})
    assert [f.pk for f in resolved.context["page"]] == [missing_receipt.pk]

    missing_receipt.refresh_from_db()
    assert missing_receipt.resolution == "发票已补交"


def test_resolving_a_resolved_flag_again_says_so(books, missing_receipt):
    """A second supervisor's stale page: the second resolution changes nothing and the
    answer tells why."""
    _resolve(client_for(books["supervisor"]), missing_receipt, "发票已补交")

    again = _resolve(client_for(books["finance1"]), missing_receipt, "再次处理", follow=True)

    missing_receipt.refresh_from_db()
    assert (missing_receipt.resolution, missing_receipt.resolved_by) == (
        "发票已补交",
        books["supervisor"],
    )
    page = html(again) + " ".join(shown_messages(again))
    assert "resolved already" in page or "resolved this flag meanwhile" in page


def test_an_empty_note_is_400_with_the_reason(books, missing_receipt):
    response = _resolve(client_for(books["finance1"]), missing_receipt, "   ")

    assert response.status_code == 400
    assert "Say how the flag was resolved." in html(response)
    assert "<details open>" in html(response)
    missing_receipt.refresh_from_db()
    assert missing_receipt.status == "open" and missing_receipt.resolved_by is None


def test_a_finance_officer_runs_the_checks_from_the_page(books):
    move(books["street"], books["finance1"], "300.00", day=SATURDAY)

    response = client_for(books["finance1"]).post("/funding/flags/run/", follow=True)

    assert response.redirect_chain == [(FLAGS, 302)]
    assert shown_messages(response) == ["The checks ran: 1 new flag."]
    flag = Flag.objects.get()
    assert flag.kind == "off_day_posting"
    assert f'data-flag="{flag.pk}"' in html(response)

    again = client_for(books["supervisor"]).post("/funding/flags/run/", follow=True)

    assert shown_messages(again) == ["The checks ran: 0 new flags."]
    assert Flag.objects.count() == 1


@pytest.mark.parametrize("who", ["worker", "plain"])
def test_users_without_books_cannot_run_the_checks(books, who, plain_user):
    move(books["street"], books["finance1"], "300.00", day=SATURDAY)
    client = client_for(plain_user if who == "plain" else books[who])

    assert client.post("/funding/flags/run/").status_code == 403
    assert not Flag.objects.exists()
    page = client.get(FLAGS)
    assert page.status_code == 200 and "You do not read any books" in html(page)
    assert client.get("/funding/flags/run/").status_code == 405


def test_the_kind_filter(books, missing_receipt):
    move(books["street"], books["finance1"], "300.00", day=SATURDAY)
    funding_checks_run(by=books["finance1"])
    off_day = Flag.objects.get(kind="off_day_posting")
    client = client_for(books["finance1"])

    receipts = client.get(FLAGS, {"kind": "missing_receipt"})
    off_days = client.get(FLAGS, {"kind": "off_day_posting", "status": "all"})
    everything = client.get(FLAGS)

    assert [f.pk for f in receipts.context["page"]] == [missing_receipt.pk]
    assert [f.pk for f in off_days.context["page"]] == [off_day.pk]
    assert {f.pk for f in everything.context["page"]} == {missing_receipt.pk, off_day.pk}
    assert '<option value="off_day_posting" selected>' in html(off_days)


def test_the_outsider_neither_sees_nor_resolves_the_streets_flags(books, missing_receipt):
    outsider = client_for(books["outsider"])

    assert f'data-flag="{missing_receipt.pk}"' not in html(outsider.get(FLAGS))
    assert _resolve(outsider, missing_receipt, "与我无关").status_code == 404
    assert _resolve(client_for(books["worker"]), missing_receipt, "x").status_code == 404
    missing_receipt.refresh_from_db()
    assert missing_receipt.status == "open"
