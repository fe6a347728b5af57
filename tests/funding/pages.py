"""Helpers of the funding page tests (tests/funding/test_pages_*.py): signed-in browser
clients, a ledger with a chart of accounts, a budget line of this year and the bodies of
the pages' forms."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone
from PIL import Image

from funding.models import Account, Budget, BudgetLine, ExpenditureRequest
from funding.models.entities import entity_key
from funding.services.budgets import budget_create
from funding.services.expenditures import (
    expenditure_approve,
    expenditure_pay,
    expenditure_request,
)
from funding.services.ledger import LegInput, chart_ensure, transaction_create

# A working day (a Friday) before "today", so that the off-day check leaves the
# transactions of these tests alone.
DAY = date(2026, 11, 20)
LEDGER = "/funding/ledger/"
BUDGETS = "/funding/budgets/"
REQUESTS = "/funding/requests/"
FLAGS = "/funding/flags/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def html(response) -> str:
    return response.content.decode()


def shown_messages(response) -> list[str]:
    """The flash messages a redirected-to page shows (after ``follow=True``)."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def chart(entity) -> dict[str, Account]:
    return chart_ensure(entity=entity)


def move(entity, user, amount: str, *, debit="1001", credit="4001", post=True, day=DAY):
    """A transaction of ``entity``'s books: ``amount`` from ``credit`` to ``debit``."""
    accounts = chart(entity)
    return transaction_create(
        entity=entity,
        created_by=user,
        date=day,
        description="拨款到账",
        legs=[
            LegInput(accounts[debit], "district", Decimal(amount)),
            LegInput(accounts[credit], "district", -Decimal(amount)),
        ],
        post=post,
    )


def legs_body(*rows: tuple[Account, str, str], total: int = 4, **fields) -> dict:
    """The ledger form's body: the transaction's fields and ``rows`` of (account, source,
    amount) in a leg formset of ``total`` rows, the rest left empty."""
    body = {
        "date": DAY.isoformat(),
        "description": "区拨款到账",
        "reference": "",
        "voucher_number": "",
        "legs-TOTAL_FORMS": str(total),
        "legs-INITIAL_FORMS": "0",
        "legs-MIN_NUM_FORMS": "0",
        "legs-MAX_NUM_FORMS": "12",
        **fields,
    }
    for index in range(total):
        account, source, amount = rows[index] if index < len(rows) else (None, "", "")
        body[f"legs-{index}-account"] = account.pk if account else ""
        body[f"legs-{index}-source"] = source
        body[f"legs-{index}-amount"] = amount
        body[f"legs-{index}-memo"] = ""
    return body


def ledger_url(entity) -> str:
    return f"{LEDGER}?entity={entity_key(entity)}"


def this_years_line(books) -> BudgetLine:
    """The street's equipment line (50,000, district) in a budget of this year: the
    fixture's 2026 budget while it is 2026, a new one of this year after."""
    year = timezone.localdate().year
    if books["budget"].fiscal_year == year:
        return books["equipment"]
    budget = Budget.objects.filter(entity_key=entity_key(books["street"]), fiscal_year=year)
    budget = budget.first() or budget_create(
        entity=books["street"],
        fiscal_year=year,
        created_by=books["finance1"],
        lines=[("equipment", "district", "50000.00"), ("training", "donation", "8000.00")],
    )
    return budget.lines.get(category="equipment")


def ask(line, user, amount: str = "1000.00", payee: str = "五金建材店") -> ExpenditureRequest:
    return expenditure_request(
        budget_line=line,
        amount=Decimal(amount),
        payee=payee,
        payee_kind="organisation",
        purpose="巡查设备采购",
        requested_by=user,
    )


def approved(request: ExpenditureRequest, *approvers) -> ExpenditureRequest:
    for approver in approvers:
        request = expenditure_approve(
            request=request, approver=approver, expected_version=request.version
        )
    return request


def paid(request: ExpenditureRequest, by, at=None) -> ExpenditureRequest:
    return expenditure_pay(request=request, paid_by=by, expected_version=request.version, at=at)


def request_body(line, amount: str = "1200.00", **fields) -> dict:
    return {
        "budget_line": line.pk,
        "amount": amount,
        "payee": "五金建材店",
        "payee_kind": "organisation",
        "purpose": "巡查电动车电池",
        **fields,
    }


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 80, 40)).save(buffer, format="PNG")
    return buffer.getvalue()
