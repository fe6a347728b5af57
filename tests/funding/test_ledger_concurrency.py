"""Balances stay right when many postings run at once: 8 threads × 500 random transfers
between the same few accounts, in both directions, on PostgreSQL. Locks are taken in key
order, so no posting deadlocks, and no update is lost."""

from __future__ import annotations

import random
import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from funding.choices import AccountType
from funding.models import Account, AccountBalance, Leg, Transaction
from funding.services.ledger import LegInput, transaction_create
from tests import factories, people

THREADS = 8
TRANSFERS = 500
SOURCES = ("district", "donation", "sponsorship")

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]


def test_concurrent_random_transfers_keep_every_balance_and_never_deadlock():
    street = factories.street()
    keeper = people.with_role("finance_officer", street)
    accounts = []
    for number in range(6):
        account = Account(code=f"10{number:02d}", name=f"账户{number}", type=AccountType.ASSET)
        account.set_entity(street)
        account.save()
        accounts.append(account)
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def transfers(seed: int) -> None:
        rng = random.Random(seed)
        try:
            start.wait()
            for _ in range(TRANSFERS):
                debit, credit = rng.sample(accounts, 2)
                amount = Decimal(rng.randint(1, 100_000)) / 100
                source = rng.choice(SOURCES)
                transaction_create(
                    entity=street,
                    created_by=keeper,
                    date=date(2026, rng.randint(1, 12), 1),
                    description="内部划转",
                    legs=[LegInput(debit, source, amount), LegInput(credit, source, -amount)],
                    post=True,
                )
        except BaseException as error:  # every failure is reported by the assertion
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=transfers, args=(seed,)) for seed in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Transaction.objects.filter(status="posted").count() == THREADS * TRANSFERS
    assert AccountBalance.objects.aggregate(total=Sum("balance"))["total"] == 0
    for account in accounts:
        for source in SOURCES:
            from_legs = Leg.objects.filter(account=account, source=source).aggregate(
                total=Sum("amount")
            )["total"] or Decimal("0")
            balances = AccountBalance.objects.filter(account=account, source=source).aggregate(
                total=Sum("balance")
            )["total"] or Decimal("0")
            assert balances == from_legs, (account.code, source)
