"""The funding pages read in a fixed number of queries: 15 rows cost what 3 rows cost
(no query per transaction, budget, request or flag), whatever books (street, community,
grid) the rows belong to."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from itertools import cycle

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from funding.services.budgets import budget_create
from funding.services.checks import funding_checks_run
from funding.services.ledger import transaction_reverse
from tests import factories
from tests.funding.pages import (
    BUDGETS,
    FLAGS,
    LEDGER,
    approved,
    ask,
    client_for,
    ledger_url,
    move,
)

pytestmark = pytest.mark.django_db
SATURDAY = date(2026, 11, 21)
WHO = pytest.mark.parametrize("who", ["finance1", "supervisor"])


def _queries(client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


def _same_for_3_and_15(client, url: str, add: Callable[[int], None], params=None) -> None:
    """Add 3 rows and count the page's queries, add 12 more and count again."""
    client.get(url, params or {})  # warm up: the session, the first sign-in's writes
    add(3)
    few = _queries(client, url, params)
    add(12)
    many = _queries(client, url, params)
    assert many == few, f"{url}: {few} queries with 3 rows, {many} with 15"


def _places(books) -> list:
    """Books of the three kinds: the street, its community and its grid."""
    return [books["street"], books["community"], books["grid"]]


@WHO
def test_the_ledger_page(books, who):
    street, user = books["street"], books["finance1"]
    move(street, user, "1.00")

    def add(count: int) -> None:
        for index in range(count):
            posted = move(street, user, f"{index + 10}.00", post=index % 3 != 0)
            if posted.status == "posted" and index % 5 == 1:
                transaction_reverse(transaction=posted, reversed_by=user, reason="错账")

    _same_for_3_and_15(client_for(books[who]), ledger_url(street), add)


@WHO
def test_the_budgets_page(books, who):
    year = books["budget"].fiscal_year + 1
    places = iter(
        [
            *[factories.community(parent=books["street"], number=n) for n in range(2, 10)],
            *[factories.grid(parent=books["community"], number=n) for n in range(2, 10)],
        ]
    )

    def add(count: int) -> None:
        for _ in range(count):
            budget = budget_create(
                entity=next(places),
                fiscal_year=year,
                created_by=books["finance1"],
                lines=[("equipment", "district", "900.00"), ("office", "street", "100.00")],
            )
            approved(
                ask(budget.lines.get(category="equipment"), books["finance1"], "10.00"),
                books["finance2"],
            )

    _same_for_3_and_15(client_for(books[who]), BUDGETS, add, {"year": year})


@WHO
def test_the_requests_page(books, who):
    year = books["budget"].fiscal_year
    lines = cycle(
        [
            books["equipment"],
            *(
                budget_create(
                    entity=place,
                    fiscal_year=year,
                    created_by=books["finance1"],
                    lines=[("equipment", "district", "9000.00")],
                ).lines.get()
                for place in _places(books)[1:]
            ),
        ]
    )

    def add(count: int) -> None:
        for index in range(count):
            request = ask(next(lines), books["finance1"], "10.00")
            if index % 2:
                approved(request, books["finance2"])

    _same_for_3_and_15(client_for(books[who]), "/funding/requests/", add)


def test_the_requests_page_of_street_books_only(books):
    def add(count: int) -> None:
        for _ in range(count):
            approved(ask(books["equipment"], books["finance1"], "10.00"), books["finance2"])

    _same_for_3_and_15(client_for(books["supervisor"]), "/funding/requests/", add)


@WHO
def test_the_flags_page(books, who):
    places = cycle(_places(books))

    def add(count: int) -> None:
        for _ in range(count):
            move(next(places), books["finance1"], "5.00", day=SATURDAY)
        funding_checks_run(by=books["finance1"])

    _same_for_3_and_15(client_for(books[who]), FLAGS, add, {"status": "all"})


def test_the_empty_ledger_page_of_someone_without_books(books, plain_user):
    assert _queries(client_for(plain_user), LEDGER) <= 6
