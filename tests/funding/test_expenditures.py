"""Expenditure requests: the approval chain (never one's own; two approvers above the
threshold, one at street level), payment posting its ledger transaction exactly once,
withdrawal by the requester only, and receipts checked by their content."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from funding.models import ExpenditureRequest, Leg, Transaction
from funding.services.budgets import budget_create
from funding.services.expenditures import (
    expenditure_approve,
    expenditure_pay,
    expenditure_request,
    expenditure_withdraw,
)
from funding.services.ledger import account_balance, chart_ensure, period_lock
from funding.services.receipts import MAX_BYTES
from gridgov.exceptions import StaleObjectError
from tests import people

pytestmark = pytest.mark.django_db

URL = "/api/v1/funding/expenditures/"


def _detail(request, action: str = "") -> str:
    return f"{URL}{request.pk}/{action + '/' if action else ''}"


# The approval chain.


def _ask(client, line, amount: str):
    body = {"payee": "五金建材店", "payee_kind": "organisation", "purpose": "巡查电动车电池"}
    return client.post(URL, {"budget_line": line.pk, "amount": amount, **body})


def test_a_keeper_requests_through_the_api(books, as_user):
    response = _ask(as_user(books["finance1"]), books["equipment"], "2500.00")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["amount"], body["budget"], body["requested_by"]) == (
        "requested",
        "2500.00",
        books["budget"].pk,
        books["finance1"].pk,
    )
    assert response["ETag"] == f'"{body["id"]}-1"'


def test_amount_above_what_the_line_has_left_is_400_on_amount(books, spend, as_user):
    spend("6000.00", line=books["training"])

    response = _ask(as_user(books["finance1"]), books["training"], "2000.01")

    assert response.status_code == 400
    assert [e["attr"] for e in response.json()["errors"]] == ["amount"]
    assert spend("2000.00", line=books["training"], until="requested").status == "requested"


def test_a_line_of_books_one_cannot_see_is_400(books, as_user):
    response = _ask(as_user(books["outsider"]), books["equipment"], "10")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "budget_line"


def test_the_requester_never_approves_their_own_request(books, spend, as_user):
    request = spend(until="requested")

    with pytest.raises(PermissionDenied):
        expenditure_approve(
            request=request, approver=books["finance1"], expected_version=request.version
        )
    response = as_user(books["finance1"]).post(_detail(request, "approve"))

    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == "requested" and not request.approvals.exists()


def test_one_approval_suffices_up_to_the_threshold(books, spend, as_user, settings):
    settings.FUNDING_SECOND_APPROVAL_THRESHOLD = 10000
    request = spend("10000.00", until="requested")

    response = as_user(books["finance2"]).post(_detail(request, "approve"), {"note": "同意"})

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "approved"
    assert response.json()["approvals"][0]["approver"] == books["finance2"].pk
    assert response.json()["approvals"][0]["note"] == "同意"


def test_above_the_threshold_two_approvals_are_needed(books, spend):
    request = spend("10000.01", until="requested")

    request = expenditure_approve(
        request=request, approver=books["finance2"], expected_version=request.version
    )
    assert request.status == "requested"
    with pytest.raises(ValidationError):  # one decision each
        expenditure_approve(
            request=request, approver=books["finance2"], expected_version=request.version
        )
    request = expenditure_approve(
        request=request, approver=people.root(), expected_version=request.version
    )
    assert request.status == "approved"
    assert request.approvals.count() == 2


def test_above_the_threshold_one_approver_must_keep_the_street_books(books):
    community_budget = budget_create(
        entity=books["community"],
        fiscal_year=2026,
        created_by=books["finance1"],
        lines=[("activities", "sponsorship", "80000")],
    )
    request = expenditure_request(
        budget_line=community_budget.lines.get(),
        amount="20000",
        payee="文化演出公司",
        payee_kind="organisation",
        purpose="社区文化节",
        requested_by=books["finance1"],
    )
    second_community_officer = people.with_role("finance_officer", books["community"])

    for approver in (books["community_finance"], second_community_officer):
        request = expenditure_approve(
            request=request, approver=approver, expected_version=request.version
        )
    assert request.status == "requested"  # two approvals, neither at street level

    request = expenditure_approve(
        request=request, approver=books["finance2"], expected_version=request.version
    )
    assert request.status == "approved"


@pytest.mark.parametrize(
    ("who", "status"), [("community_finance", 404), ("supervisor", 403), ("worker", 403)]
)
def test_only_keepers_of_these_books_approve(books, spend, as_user, who, status):
    request = spend(until="requested")
    assert as_user(books[who]).post(_detail(request, "approve")).status_code == status
    with pytest.raises(PermissionDenied):
        expenditure_approve(request=request, approver=books[who], expected_version=1)


def test_outsiders_do_not_see_requests(books, spend, as_user, plain_api):
    request = spend(until="requested")

    assert as_user(books["outsider"]).get(_detail(request)).status_code == 404
    assert as_user(books["outsider"]).post(_detail(request, "approve")).status_code == 404
    assert as_user(books["worker"]).get(URL).json()["results"] == []
    assert plain_api.get(_detail(request)).status_code == 404
    assert plain_api.post(_detail(request, "pay")).status_code == 403
    assert as_user(books["supervisor"]).get(_detail(request)).status_code == 200


def test_reject_needs_a_note(books, spend, as_user):
    request = spend(until="requested")
    client = as_user(books["finance2"])

    missing = client.post(_detail(request, "reject"), {})
    blank = client.post(_detail(request, "reject"), {"note": "   "})
    rejected = client.post(_detail(request, "reject"), {"note": "超出采购目录"})

    assert missing.status_code == 400 and missing.json()["errors"][0]["attr"] == "note"
    assert blank.status_code == 400
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"
    decision = rejected.json()["approvals"][0]
    assert (decision["approver"], decision["approved"], decision["note"]) == (
        books["finance2"].pk,
        False,
        "超出采购目录",
    )
    assert client.post(_detail(request, "approve")).status_code == 400


# Payment.


def test_pay_posts_a_balanced_transaction_to_the_right_accounts(books, spend, as_user):
    request = spend("3200.00", until="approved")
    client = as_user(books["finance1"])
    etag = client.get(_detail(request))["ETag"]

    response = client.post(_detail(request, "pay"), HTTP_IF_MATCH=etag)

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "paid" and body["paid_by"] == books["finance1"].pk
    assert response["ETag"] != etag
    books_entry = Transaction.objects.get(pk=body["transaction"])
    assert books_entry.status == "posted" and books_entry.entity_key == f"S{books['street'].pk}"
    assert books_entry.reference == f"expenditure:{request.pk}"
    legs = sorted(
        (leg.account.code, leg.source, leg.amount)
        for leg in Leg.objects.filter(transaction=books_entry).select_related("account")
    )
    assert legs == [
        ("1001", "district", Decimal("-3200.00")),
        ("5002", "district", Decimal("3200.00")),
    ]
    chart = chart_ensure(entity=books["street"])
    assert account_balance(chart["5002"], source="district") == Decimal("3200.00")
    assert account_balance(chart["1001"]) == Decimal("-3200.00")
    assert client.get(_detail(request)).json()["transaction"] == books_entry.pk


def test_pay_when_stale_is_412_and_before_approval_400(books, spend, as_user):
    request = spend(until="approved")
    client = as_user(books["finance1"])

    stale = client.post(_detail(request, "pay"), HTTP_IF_MATCH=f'"{request.pk}-1"')
    early = client.post(_detail(spend(until="requested"), "pay"))

    assert stale.status_code == 412
    assert early.status_code == 400 and early.json()["errors"][0]["attr"] == "status"
    assert not Transaction.objects.exists()


def test_a_retried_pay_with_the_same_idempotency_key_posts_once(books, spend, as_user):
    request = spend(until="approved")
    client = as_user(books["finance1"])

    first = client.post(_detail(request, "pay"), HTTP_IDEMPOTENCY_KEY="pay-7f3a")
    retry = client.post(_detail(request, "pay"), HTTP_IDEMPOTENCY_KEY="pay-7f3a")

    assert first.status_code == retry.status_code == 200
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert Transaction.objects.count() == 1
    assert account_balance(chart_ensure(entity=books["street"])["1001"]) == Decimal("-1000.00")


def test_a_second_pay_without_a_key_is_refused(books, spend, as_user):
    request = spend(until="approved")
    client = as_user(books["finance1"])

    assert client.post(_detail(request, "pay")).status_code == 200
    assert client.post(_detail(request, "pay")).status_code == 400
    assert Transaction.objects.count() == 1


def test_a_payment_in_a_locked_month_changes_nothing(books, spend):
    request = spend(until="approved")
    period_lock(street=books["street"], month=timezone.localdate(), locked_by=books["finance1"])
    with pytest.raises(ValidationError) as refusal:
        expenditure_pay(request=request, paid_by=books["finance1"], expected_version=2)
    assert "date" in refusal.value.message_dict
    request.refresh_from_db()
    assert (request.status, request.version, request.transaction_id) == ("approved", 2, None)


def test_a_payment_made_earlier_is_recorded_on_its_day(books, spend):
    request = spend(until="approved")
    earlier = timezone.now() - timedelta(days=3)

    with pytest.raises(ValidationError):
        expenditure_pay(
            request=request,
            paid_by=books["finance1"],
            expected_version=2,
            at=timezone.now() + timedelta(hours=1),
        )
    paid = expenditure_pay(
        request=request, paid_by=books["finance1"], expected_version=2, at=earlier
    )

    assert paid.paid_at == earlier and paid.transaction.date == timezone.localdate(earlier)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_pays_post_exactly_once(books, spend):
    request = spend("4000.00", until="approved")
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def pay() -> None:
        try:
            copy = ExpenditureRequest.objects.select_related("budget_line__budget").get(
                pk=request.pk
            )
            start.wait()
            expenditure_pay(request=copy, paid_by=books["finance1"], expected_version=2)
            outcomes.append("paid")
        except StaleObjectError:
            outcomes.append("stale")
        finally:
            connection.close()

    threads = [threading.Thread(target=pay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["paid", "stale"]
    assert Transaction.objects.count() == 1
    request.refresh_from_db()
    assert request.status == "paid" and request.transaction_id is not None
    assert account_balance(chart_ensure(entity=books["street"])["1001"]) == Decimal("-4000.00")


# Withdrawal.


def test_only_the_requester_withdraws(books, spend, as_user):
    request = spend(until="approved")

    with pytest.raises(PermissionDenied):
        expenditure_withdraw(request=request, withdrawn_by=books["finance2"], expected_version=2)
    assert as_user(books["finance2"]).post(_detail(request, "withdraw")).status_code == 403
    response = as_user(books["finance1"]).post(_detail(request, "withdraw"))

    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert as_user(books["finance2"]).post(_detail(request, "pay")).status_code == 400
    paid = spend()
    assert as_user(books["finance1"]).post(_detail(paid, "withdraw")).status_code == 400


# Receipts.


def test_a_pdf_receipt_is_kept_under_a_name_of_our_own(books, spend, as_user, upload, pdf):
    request = spend(until="requested")

    response = upload(as_user(books["finance1"]), request, "发票.pdf", pdf)

    assert response.status_code == 201, response.json()
    assert response.json()["content_type"] == "application/pdf"
    assert response.json()["size"] == len(pdf)
    receipt = request.receipts.get()
    assert receipt.stored_name.endswith(".pdf") and "发票" not in receipt.file.name
    assert receipt.file.name == f"receipts/{request.pk}/{receipt.stored_name}"
    with receipt.file.open("rb") as stored:
        assert stored.read() == pdf


def test_an_image_receipt_is_accepted_whatever_it_claims(books, spend, as_user, upload, png):
    request = spend(until="requested")

    response = upload(as_user(books["finance1"]), request, "scan.pdf", png)

    assert response.status_code == 201, response.json()
    assert response.json()["content_type"] == "image/png"
    listed = as_user(books["supervisor"]).get(_detail(request, "receipts")).json()
    assert [r["id"] for r in listed] == [response.json()["id"]]


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4\nthis file was cut short",
        b"<html><script>alert(1)</script></html>%%EOF",
        b"\x89PNG\r\n\x1a\n not really",
        b"",
    ],
    ids=["truncated-pdf", "html", "fake-png", "empty"],
)
def test_anything_else_is_400_on_file(books, spend, as_user, upload, content):
    request = spend(until="requested")

    response = upload(as_user(books["finance1"]), request, "invoice.pdf", content)

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "file"
    assert not request.receipts.exists()


def test_an_oversize_receipt_is_413(books, spend, as_user, upload, pdf):
    request = spend(until="requested")
    content = pdf[:-6] + b" " * (MAX_BYTES + 1 - len(pdf)) + b"%%EOF\n"

    response = upload(as_user(books["finance1"]), request, "big.pdf", content)

    assert response.status_code == 413
    assert "big.pdf" in response.json()["errors"][0]["detail"]
    assert not request.receipts.exists()


def test_receipts_are_added_after_payment_but_not_to_a_withdrawn_request(
    books, spend, as_user, upload, pdf
):
    paid = spend()
    withdrawn = spend(until="requested")
    expenditure_withdraw(request=withdrawn, withdrawn_by=books["finance1"], expected_version=1)
    client = as_user(books["finance2"])

    assert upload(client, paid, "r.pdf", pdf).status_code == 201
    assert upload(client, withdrawn, "r.pdf", pdf).status_code == 400


def test_receipts_are_added_by_keepers_only(books, spend, as_user, upload, pdf):
    request = spend(until="requested")

    assert upload(as_user(books["supervisor"]), request, "r.pdf", pdf, "x").status_code == 403
    assert upload(as_user(books["outsider"]), request, "r.pdf", pdf, "x").status_code == 404
