"""Expenditure requests in the browser: the list with its status chips and the form to ask
for money, the request page offering only the steps that make sense to its reader, the
approval chain (two approvals above the threshold, one at street level), payment posting
one ledger transaction however often it is clicked, and receipts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from funding.models import ExpenditureRequest, Receipt, Transaction
from funding.services.budgets import budget_create
from funding.services.ledger import account_balance, chart_ensure
from tests import people
from tests.funding.pages import (
    REQUESTS,
    approved,
    ask,
    client_for,
    html,
    paid,
    png_bytes,
    request_body,
    shown_messages,
    this_years_line,
)

pytestmark = pytest.mark.django_db


def _url(request: ExpenditureRequest, step: str = "") -> str:
    return f"{REQUESTS}{request.pk}/{step + '/' if step else ''}"


def _steps(response) -> list[str]:
    return [step for step, _form in response.context["steps"]]


def _step(client, request: ExpenditureRequest, step: str, *, version=None, note="", **kwargs):
    version = request.version if version is None else version
    return client.post(_url(request, step), {"version": version, "note": note}, **kwargs)


# The list and the form.


def test_the_list_filters_by_status_chips(books):
    line = this_years_line(books)
    asked = ask(line, books["finance1"], "100.00")
    done = paid(
        approved(ask(line, books["finance1"], "200.00"), books["finance2"]), books["finance2"]
    )
    client = client_for(books["supervisor"])

    everything = client.get(REQUESTS)
    only_paid = client.get(REQUESTS, {"status": "paid"})
    unknown = client.get(REQUESTS, {"status": "nonsense"})

    assert everything.status_code == only_paid.status_code == 200
    assert [r.pk for r in everything.context["page"]] == [done.pk, asked.pk]
    assert [r.pk for r in only_paid.context["page"]] == [done.pk]
    assert f'data-request="{asked.pk}"' not in html(only_paid)
    assert 'class="chip active" href="?status=paid"' in html(only_paid)
    assert [r.pk for r in unknown.context["page"]] == [done.pk, asked.pk]
    assert 'id="new-request"' not in html(everything)  # supervisors do not ask


def test_a_keeper_asks_for_money_from_the_form(books):
    line = this_years_line(books)
    client = client_for(books["finance1"])
    assert 'id="new-request"' in html(client.get(REQUESTS))

    response = client.post(REQUESTS, request_body(line, "1200.00"), follow=True)

    asked = ExpenditureRequest.objects.get()
    assert response.redirect_chain == [(f"{REQUESTS}{asked.pk}/", 302)]
    assert shown_messages(response) == [f"Request {asked.pk} sent for approval."]
    assert (asked.amount, asked.status, asked.requested_by) == (
        Decimal("1200.00"),
        "requested",
        books["finance1"],
    )
    assert "巡查电动车电池" in html(response)


def test_an_amount_above_what_the_line_has_left_is_400_and_writes_nothing(books):
    line = this_years_line(books)
    paid(approved(ask(line, books["finance1"], "8000.00"), books["finance2"]), books["finance2"])

    response = client_for(books["finance1"]).post(REQUESTS, request_body(line, "42000.01"))

    assert response.status_code == 400
    assert "Only 42000.00 remains on this line." in html(response)
    assert "<details open>" in html(response)
    assert ExpenditureRequest.objects.count() == 1


def test_lines_of_past_years_and_of_other_books_are_not_offered(books):
    line = this_years_line(books)
    # A year before both this one and the fixture's budget (itself past from 2027 on).
    past_year = min(books["budget"].fiscal_year, timezone.localdate().year) - 1
    past = budget_create(
        entity=books["street"],
        fiscal_year=past_year,
        created_by=books["finance1"],
        lines=[("office", "street", "900.00")],
    ).lines.get()

    offered = client_for(books["finance1"]).get(REQUESTS).context["form"]
    assert line in offered.fields["budget_line"].queryset
    assert past not in offered.fields["budget_line"].queryset

    response = client_for(books["outsider"]).post(REQUESTS, request_body(line, "10.00"))
    assert response.status_code == 400
    assert not ExpenditureRequest.objects.exists()


# The request page and its steps.


def test_each_reader_is_offered_the_steps_that_make_sense(books):
    request = ask(this_years_line(books), books["finance1"])

    requester = client_for(books["finance1"]).get(_url(request))
    other_keeper = client_for(books["finance2"]).get(_url(request))
    supervisor = client_for(books["supervisor"]).get(_url(request))

    assert requester.status_code == other_keeper.status_code == supervisor.status_code == 200
    assert _steps(requester) == ["withdraw"]
    assert 'data-step="withdraw"' in html(requester) and 'data-step="approve"' not in html(
        requester
    )
    assert _steps(other_keeper) == ["approve", "reject"]
    assert _steps(supervisor) == []
    assert "ticket-action" not in html(supervisor)
    assert f'name="version" value="{request.version}"' in html(other_keeper)


def test_approve_then_pay_posts_one_ledger_transaction(books):
    line = this_years_line(books)
    request = ask(line, books["finance1"], "2500.00")
    client = client_for(books["finance2"])

    approving = _step(client, request, "approve", note="同意", follow=True)

    assert approving.redirect_chain == [(_url(request), 302)]
    assert shown_messages(approving) == ["Approval recorded."]
    request.refresh_from_db()
    assert request.status == "approved"
    assert _steps(approving) == ["reject", "pay"]
    assert "同意" in html(approving)

    paying = _step(client, request, "pay", follow=True)

    assert shown_messages(paying) == ["Paid, and posted to the ledger."]
    request.refresh_from_db()
    assert (request.status, request.paid_by) == ("paid", books["finance2"])
    posted = Transaction.objects.get()
    assert (posted.status, posted.reference, request.transaction) == (
        "posted",
        f"expenditure:{request.pk}",
        posted,
    )
    chart = chart_ensure(entity=books["street"])
    assert account_balance(chart["5002"]) == Decimal("2500.00")
    assert account_balance(chart["1001"]) == Decimal("-2500.00")
    assert _steps(paying) == []


def test_a_second_click_on_pay_pays_once(books):
    request = approved(ask(this_years_line(books), books["finance1"]), books["finance2"])
    client = client_for(books["finance2"])
    seen = request.version

    first = _step(client, request, "pay", version=seen)
    second = _step(client, request, "pay", version=seen)

    assert first.status_code == 302
    assert Transaction.objects.count() == 1
    request.refresh_from_db()
    assert request.status == "paid"
    chart = chart_ensure(entity=books["street"])
    assert account_balance(chart["1001"]) == Decimal("-1000.00")
    assert second.status_code != 200


def test_a_second_click_on_pay_is_409_and_says_nothing_was_done(books):
    request = approved(ask(this_years_line(books), books["finance1"]), books["finance2"])
    client = client_for(books["finance2"])
    seen = request.version

    _step(client, request, "pay", version=seen)
    second = _step(client, request, "pay", version=seen)

    assert Transaction.objects.count() == 1
    assert second.status_code == 409
    assert "nothing was done" in html(second)


def test_a_stale_approval_is_409(books, settings):
    settings.FUNDING_SECOND_APPROVAL_THRESHOLD = 10000
    request = ask(this_years_line(books), books["finance1"], "20000.00")
    seen = request.version
    approved(request, people.root())  # meanwhile, in another tab: still requested

    response = _step(client_for(books["finance2"]), request, "approve", version=seen)

    assert response.status_code == 409
    assert "This request was changed meanwhile" in html(response)
    request.refresh_from_db()
    assert request.approvals.count() == 1


def test_a_rejection_needs_a_note(books):
    request = ask(this_years_line(books), books["finance1"])
    client = client_for(books["finance2"])

    refused = _step(client, request, "reject", note="  ")

    assert refused.status_code == 400
    assert "Say why." in html(refused)
    request.refresh_from_db()
    assert request.status == "requested" and not request.approvals.exists()

    rejected = _step(client, request, "reject", note="重复申请", follow=True)

    assert shown_messages(rejected) == ["Request rejected."]
    request.refresh_from_db()
    assert request.status == "rejected"
    assert request.approvals.get().note == "重复申请"
    assert _steps(rejected) == [] and rejected.context["receipt_form"] is None


def test_the_requester_withdraws_and_cannot_approve(books):
    request = ask(this_years_line(books), books["finance1"])
    client = client_for(books["finance1"])

    approving = _step(client, request, "approve")

    assert approving.status_code == 403  # no button for it: a forged post is refused
    request.refresh_from_db()
    assert request.status == "requested" and not request.approvals.exists()

    withdrawn = _step(client, request, "withdraw", follow=True)

    assert shown_messages(withdrawn) == ["Request withdrawn."]
    request.refresh_from_db()
    assert request.status == "withdrawn"


def test_an_unknown_step_is_404_and_steps_need_a_post(books):
    request = ask(this_years_line(books), books["finance1"])
    client = client_for(books["finance2"])

    assert _step(client, request, "delete").status_code == 404
    assert client.get(_url(request, "approve")).status_code == 405


def test_above_the_threshold_two_approvals_one_at_street_level(books, settings):
    settings.FUNDING_SECOND_APPROVAL_THRESHOLD = 10000
    community_line = budget_create(
        entity=books["community"],
        fiscal_year=timezone.localdate().year,
        created_by=books["finance1"],
        lines=[("activities", "sponsorship", "80000.00")],
    ).lines.get()
    request = ask(community_line, books["finance1"], "20000.00")
    second_community_officer = people.with_role("finance_officer", books["community"])

    for approver in (books["community_finance"], second_community_officer):
        request.refresh_from_db()
        response = _step(client_for(approver), request, "approve", follow=True)
        assert shown_messages(response) == ["Approval recorded."]
        request.refresh_from_db()
        assert request.status == "requested"
        assert "approve" not in _steps(response)  # decided already

    street_level = client_for(books["finance2"])
    assert "approve" in _steps(street_level.get(_url(request)))
    _step(street_level, request, "approve")

    request.refresh_from_db()
    assert request.status == "approved"
    assert request.approvals.filter(approved=True).count() == 3


def test_at_the_threshold_one_approval_suffices(books, settings):
    settings.FUNDING_SECOND_APPROVAL_THRESHOLD = 10000
    request = ask(this_years_line(books), books["finance1"], "10000.00")

    _step(client_for(books["finance2"]), request, "approve")

    request.refresh_from_db()
    assert request.status == "approved"


def test_the_supervisor_cannot_take_steps(books):
    request = ask(this_years_line(books), books["finance1"])

    response = _step(client_for(books["supervisor"]), request, "approve")

    assert response.status_code in (400, 403)
    request.refresh_from_db()
    assert request.status == "requested" and not request.approvals.exists()


# Receipts.


def _upload(client, request, name: str, content: bytes, content_type: str, **kwargs):
    file = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(_url(request, "receipts"), {"file": file}, **kwargs)


def test_a_png_receipt_is_uploaded_and_served_back(books):
    request = paid(
        approved(ask(this_years_line(books), books["finance1"]), books["finance2"]),
        books["finance2"],
    )
    image = png_bytes()
    client = client_for(books["finance1"])

    response = _upload(client, request, "发票.png", image, "image/png", follow=True)

    assert response.redirect_chain == [(_url(request), 302)]
    assert shown_messages(response) == ["Receipt added."]
    receipt = Receipt.objects.get()
    assert (receipt.request, receipt.content_type, receipt.size) == (
        request,
        "image/png",
        len(image),
    )
    assert f"/funding/receipts/{receipt.pk}/" in html(response)

    served = client_for(books["supervisor"]).get(f"/funding/receipts/{receipt.pk}/")

    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == image
    assert "private" in served["Cache-Control"]


def test_a_text_file_is_refused_and_nothing_is_stored(books):
    request = ask(this_years_line(books), books["finance1"])

    response = _upload(
        client_for(books["finance2"]), request, "receipt.png", b"not an image at all", "image/png"
    )

    assert response.status_code == 400
    assert "Upload a PDF, or a JPEG, PNG or WebP image." in html(response)
    assert not Receipt.objects.exists()


def test_the_outsider_gets_404_on_the_request_and_its_receipt(books):
    request = ask(this_years_line(books), books["finance1"])
    _upload(client_for(books["finance1"]), request, "r.png", png_bytes(), "image/png")
    receipt = Receipt.objects.get()
    outsider = client_for(books["outsider"])

    assert outsider.get(_url(request)).status_code == 404
    assert outsider.get(f"/funding/receipts/{receipt.pk}/").status_code == 404
    assert _step(outsider, request, "approve").status_code == 404
    assert _upload(outsider, request, "r.png", png_bytes(), "image/png").status_code == 404
    assert Receipt.objects.count() == 1
    assert client_for(books["worker"]).get(f"/funding/receipts/{receipt.pk}/").status_code == 404
    assert f'data-request="{request.pk}"' not in html(outsider.get(REQUESTS))
