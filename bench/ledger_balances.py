"""Ledger balances at scale: the running balance rows against summing the legs, measured in
the same run on the same data.

Builds LEGS posted legs (default one million; ``BENCH_LEGS`` overrides) in transfers between
ACCOUNTS accounts over 24 months and nine fund sources, with the balance rows posting would
have left, then asks for random accounts' balances both ways: the reference sums the
account's legs, ``account_balance`` reads its balance rows. Reports the speed-up.
"""

from __future__ import annotations

import os
import random
import time
from collections import defaultdict
from datetime import date
from decimal import Decimal

LEGS = int(os.environ.get("BENCH_LEGS", "1000000"))
ACCOUNTS = 200
QUERIES = 200
BATCH = 20_000


def _seed(rng: random.Random) -> list:
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from funding.choices import AccountType, FundSource, TransactionStatus
    from funding.models import Account, AccountBalance, Leg, Transaction
    from grids.models import District, Street

    district = District.objects.create(code="371599", name="Bench")
    street = Street.objects.create(district=district, code="371599001", name="Bench")
    keeper = get_user_model().objects.create(username="bench-keeper")
    accounts = []
    for number in range(ACCOUNTS):
        account = Account(code=f"B{number:04d}", name=f"Bench {number}", type=AccountType.ASSET)
        account.set_entity(street)
        accounts.append(account)
    Account.objects.bulk_create(accounts)
    accounts = list(Account.objects.filter(entity_key=f"S{street.pk}"))
    sources = FundSource.values
    months = [date(2025 + m // 12, m % 12 + 1, 1) for m in range(24)]
    balances: dict[tuple[int, str, date], Decimal] = defaultdict(Decimal)
    made = 0
    while made < LEGS:
        count = min(BATCH, LEGS - made) // 2
        heads = []
        for _ in range(count):
            head = Transaction(date=rng.choice(months), description="bench", created_by=keeper)
            head.set_entity(street)
            head.period = head.date
            heads.append(head)
        # As posting does: the legs go on draft transactions, which are then posted in the
        # same database transaction (PostgreSQL's triggers refuse legs on a posted one, and
        # check at commit that every posted one balances).
        with transaction.atomic():
            heads = Transaction.objects.bulk_create(heads)
            legs = []
            for head in heads:
                debit, credit = rng.sample(accounts, 2)
                source = rng.choice(sources)
                amount = Decimal(rng.randint(1, 1_000_000)) / 100
                legs.append(Leg(transaction=head, account=debit, source=source, amount=amount))
                legs.append(Leg(transaction=head, account=credit, source=source, amount=-amount))
                balances[(debit.pk, source, head.period)] += amount
                balances[(credit.pk, source, head.period)] -= amount
            Leg.objects.bulk_create(legs, batch_size=5_000)
            Transaction.objects.filter(pk__in=[head.pk for head in heads]).update(
                status=TransactionStatus.POSTED
            )
        made += len(legs)
        print(f"  seeded {made:,} / {LEGS:,} legs", flush=True)
    AccountBalance.objects.bulk_create(
        [
            AccountBalance(account_id=a, source=s, period=p, balance=v)
            for (a, s, p), v in balances.items()
        ],
        batch_size=5_000,
    )
    return accounts


def run() -> dict[str, float]:
    from django.db.models import Sum

    from funding.models import Leg
    from funding.services.ledger import account_balance

    rng = random.Random(2026)
    accounts = _seed(rng)
    asked = [rng.choice(accounts) for _ in range(QUERIES)]

    started = time.perf_counter()
    reference = [Leg.objects.filter(account=a).aggregate(t=Sum("amount"))["t"] or 0 for a in asked]
    summing = time.perf_counter() - started
    started = time.perf_counter()
    answers = [account_balance(a) for a in asked]
    reading = time.perf_counter() - started
    # SQLite sums decimals as floats: compare to the fen, as the books are kept.
    cent = Decimal("0.01")
    wrong = [
        (r, a) for r, a in zip(reference, answers, strict=True) if Decimal(r).quantize(cent) != a
    ]
    assert not wrong, f"balance rows disagree with the legs: {wrong[:3]}"
    return {
        "legs": LEGS,
        "reference: sum of legs, ms per balance": summing / QUERIES * 1000,
        "balance rows, ms per balance": reading / QUERIES * 1000,
        "speed-up over summing the legs": summing / reading,
    }
