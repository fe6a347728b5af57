"""The double-entry ledger: balanced postings, fund sources on every leg, locked months,
reversals instead of edits, and guards in the database itself on PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction

from funding.models import AccountBalance, Leg, Transaction
from funding.services.ledger import (
    AlreadyPosted,
    LegInput,
    account_balance,
    chart_ensure,
    period_lock,
    transaction_create,
    transaction_post,
    transaction_reverse,
)
from tests import factories, people

pytestmark = pytest.mark.django_db
ON_POSTGRES = connection.vendor == "postgresql"


@pytest.fixture
def street_books():
    street = factories.street()
    return {
        "street": street,
        "chart": chart_ensure(entity=street),
        "keeper": people.with_role("finance_officer", street),
    }


def _allocation(books, amount="5000.00", day=date(2026, 3, 5), **kwargs):
    chart = books["chart"]
    return transaction_create(
        entity=books["street"],
        created_by=books["keeper"],
        date=day,
        description="区级拨款",
        voucher_number="记-001",
        legs=[
            LegInput(chart["1001"], "district", Decimal(amount)),
            LegInput(chart["4001"], "district", -Decimal(amount)),
        ],
        **kwargs,
    )


def test_posting_moves_balances_per_account_source_and_month(street_books):
    chart = street_books["chart"]
    draft = _allocation(street_books)
    assert account_balance(chart["1001"]) == 0  # a draft moves nothing

    posted = transaction_post(transaction=draft, posted_by=street_books["keeper"])

    assert posted.status == "posted" and posted.posted_by == street_books["keeper"]
    assert account_balance(chart["1001"]) == Decimal("5000.00")
    assert account_balance(chart["4001"], source="district") == Decimal("-5000.00")
    assert account_balance(chart["1001"], source="donation") == 0
    row = AccountBalance.objects.get(account=chart["1001"])
    assert (row.source, row.period) == ("district", date(2026, 3, 1))


def test_posting_twice_posts_once(street_books):
    draft = _allocation(street_books)
    transaction_post(transaction=draft, posted_by=street_books["keeper"])
    with pytest.raises(AlreadyPosted):
        transaction_post(transaction=draft, posted_by=street_books["keeper"])
    assert account_balance(street_books["chart"]["1001"]) == Decimal("5000.00")


@pytest.mark.parametrize(
    ("amounts", "field"),
    [
        (("100.00", "-99.99"), "legs"),  # unbalanced
        (("100.00", "0.00"), "legs.1.amount"),  # a zero leg
        (("100.001", "-100.001"), "amount"),  # more than two places
    ],
)
def test_bad_legs_are_refused_and_nothing_is_written(street_books, amounts, field):
    chart = street_books["chart"]
    with pytest.raises(ValidationError) as refusal:
        transaction_create(
            entity=street_books["street"],
            created_by=street_books["keeper"],
            date=date(2026, 3, 5),
            description="x",
            legs=[
                LegInput(chart["1001"], "district", Decimal(amounts[0])),
                LegInput(chart["4001"], "district", Decimal(amounts[1])),
            ],
            post=True,
        )
    assert field in refusal.value.message_dict
    assert not Transaction.objects.exists() and not Leg.objects.exists()


def test_floats_are_refused(street_books):
    chart = street_books["chart"]
    with pytest.raises(ValidationError):
        transaction_create(
            entity=street_books["street"],
            created_by=street_books["keeper"],
            date=date(2026, 3, 5),
            description="x",
            legs=[LegInput(chart["1001"], "district", 0.1), LegInput(chart["4001"], "x", -0.1)],
        )


def test_an_account_of_other_books_is_refused(street_books):
    elsewhere = chart_ensure(entity=factories.street(number=2))
    with pytest.raises(ValidationError) as refusal:
        transaction_create(
            entity=street_books["street"],
            created_by=street_books["keeper"],
            date=date(2026, 3, 5),
            description="x",
            legs=[
                LegInput(street_books["chart"]["1001"], "district", Decimal("1.00")),
                LegInput(elsewhere["4001"], "district", Decimal("-1.00")),
            ],
        )
    assert "legs.1.account" in refusal.value.message_dict


def test_nothing_is_posted_into_a_locked_month(street_books):
    period_lock(street=street_books["street"], month=date(2026, 3, 1), locked_by=people.root())
    draft = _allocation(street_books)
    with pytest.raises(ValidationError) as refusal:
        transaction_post(transaction=draft, posted_by=street_books["keeper"])
    assert "date" in refusal.value.message_dict
    assert Transaction.objects.get(pk=draft.pk).status == "draft"
    assert _allocation(street_books, day=date(2026, 4, 2), post=True).status == "posted"


def test_a_correction_is_a_reversal_linked_to_the_original(street_books):
    original = _allocation(street_books, post=True)
    reversal = transaction_reverse(
        transaction=original, reversed_by=street_books["keeper"], reason="金额录错"
    )
    assert reversal.reverses == original and reversal.status == "posted"
    assert account_balance(street_books["chart"]["1001"]) == 0
    with pytest.raises(ValidationError):
        transaction_reverse(transaction=original, reversed_by=street_books["keeper"])


def test_posted_history_is_refused_by_the_models(street_books):
    posted = _allocation(street_books, post=True)
    with pytest.raises(TypeError):
        posted.save()
    with pytest.raises(TypeError):
        posted.delete()
    leg = posted.legs.first()
    leg.amount = Decimal("1.00")
    with pytest.raises(TypeError):
        leg.save()
    with pytest.raises(TypeError):
        leg.delete()


@pytest.mark.skipif(not ON_POSTGRES, reason="the database triggers are PostgreSQL's")
def test_raw_sql_cannot_edit_posted_history(street_books):
    posted = _allocation(street_books, post=True)
    for statement in (
        "UPDATE funding_leg SET amount = amount + 1 WHERE transaction_id = %s",
        "DELETE FROM funding_leg WHERE transaction_id = %s",
        "UPDATE funding_transaction SET description = 'x' WHERE id = %s",
        "DELETE FROM funding_transaction WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [posted.pk])


@pytest.mark.skipif(not ON_POSTGRES, reason="the database triggers are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_raw_sql_that_unbalances_a_posting_fails_at_commit():
    street = factories.street()
    chart = chart_ensure(entity=street)
    keeper = people.with_role("finance_officer", street)
    draft = transaction_create(
        entity=street,
        created_by=keeper,
        date=date(2026, 3, 5),
        description="x",
        legs=[
            LegInput(chart["1001"], "district", Decimal("10.00")),
            LegInput(chart["4001"], "district", Decimal("-10.00")),
        ],
    )
    leg = draft.legs.first().pk
    with (
        pytest.raises(DatabaseError, match="sum to"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE funding_leg SET amount = 7 WHERE id = %s", [leg])
        cursor.execute("UPDATE funding_transaction SET status = 'posted' WHERE id = %s", [draft.pk])
    assert Transaction.objects.get(pk=draft.pk).status == "draft"


def test_only_a_keeper_of_the_books_locks_a_month(street_books):
    supervisor = people.with_role("supervisor", street_books["street"].district)
    with pytest.raises(PermissionDenied):
        period_lock(street=street_books["street"], month=date(2026, 3, 1), locked_by=supervisor)
    lock = period_lock(
        street=street_books["street"], month=date(2026, 3, 9), locked_by=street_books["keeper"]
    )
    assert lock.period == date(2026, 3, 1)
