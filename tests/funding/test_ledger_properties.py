"""Random sequences of bookkeeping keep the double-entry ledger's promises (a Hypothesis state
machine over funding/services/ledger.py and the payments of expenditure requests):

* every transaction's legs sum to zero;
* every balance row equals the sum of the posted legs of its account, fund source and month,
  and ``account_balance`` agrees;
* history is never edited: a posted transaction and its legs stay as they were posted, and a
  correction is a reversal that adds mirrored legs;
* nothing is posted into a locked month;
* invalid input (an unbalanced or one-legged entry, a zero or sub-fen amount, a float, an
  unknown fund source, an account of other books or an inactive one, a locked month, a
  second reversal, an overspent budget line) raises ``ValidationError`` and writes nothing.

The machine keeps its own model of the books; after every step the database must agree with
it row for row. Each run is rolled back, so runs start from the same books.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from funding.choices import FundSource, TransactionStatus
from funding.models import AccountBalance, ExpenditureRequest, Leg, PeriodLock, Transaction
from funding.services.budgets import budget_create
from funding.services.expenditures import (
    approvals_complete,
    expenditure_approve,
    expenditure_pay,
    expenditure_request,
)
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

DAYS = [date(2026, 3, 5), date(2026, 3, 28), date(2026, 4, 2), date(2026, 5, 10)]
SOURCES = [FundSource.DISTRICT, FundSource.DONATION, FundSource.SPONSORSHIP]
# Signed amounts in fen, a few round ones often, so that reversals meet each other.
AMOUNT = st.one_of(
    st.sampled_from([1, 50, 10_000, 250_000]), st.integers(min_value=1, max_value=5_000_000)
).flatmap(lambda fen: st.sampled_from([Decimal(fen) / 100, -Decimal(fen) / 100]))
# What may be wrong with an entry (None: nothing; most entries are right).
FLAWS = [
    *[None] * 6,
    "one leg",
    "unbalanced",
    "zero leg",
    "sub-fen",
    "float",
    "unknown source",
    "other books",
    "inactive account",
    "no description",
]
EQUIPMENT_LINE = Decimal("50000.00")
FEN = Decimal("0.01")


@pytest.fixture
def books():
    """A street's books (and one of its communities', which the street's entries may use),
    another street's, and an inactive account; three finance officers of the street; a
    2026 budget with an equipment line of 50,000 from the district allocation."""
    street = factories.street()
    community = factories.community(parent=street)
    chart = chart_ensure(entity=street)
    community_chart = chart_ensure(entity=community)
    other = chart_ensure(entity=factories.street(number=2))
    retired = community_chart["5009"]
    retired.active = False
    retired.save(update_fields=["active"])
    keepers = [people.with_role("finance_officer", street) for _ in range(3)]
    budget = budget_create(
        entity=street,
        fiscal_year=2026,
        created_by=keepers[0],
        lines=[("equipment", "district", str(EQUIPMENT_LINE))],
    )
    return {
        "street": street,
        "community": community,
        "chart": chart,
        "accounts": [
            chart["1001"],
            chart["4001"],
            chart["5002"],
            community_chart["1001"],
            other["1001"],  # other books: refused
            retired,  # inactive: refused
        ],
        "foreign": other["1001"],
        "retired": retired,
        "keepers": keepers,
        "line": budget.lines.get(),
    }


def _snapshot() -> dict:
    """The whole ledger as plain values: transactions with their legs, balances, locks, and
    the expenditure requests' states."""
    legs = defaultdict(list)
    for leg in Leg.objects.order_by("pk"):
        legs[leg.transaction_id].append((leg.account_id, leg.source, leg.amount, leg.memo))
    return {
        "transactions": {
            row.pk: (
                row.status,
                row.date,
                row.entity_key,
                row.description,
                row.reverses_id,
                row.posted_at,
                tuple(legs[row.pk]),
            )
            for row in Transaction.objects.all()
        },
        "balances": {
            (row.account_id, row.source, row.period): row.balance
            for row in AccountBalance.objects.all()
        },
        "locks": set(PeriodLock.objects.values_list("street_id", "period")),
        "requests": set(ExpenditureRequest.objects.values_list("pk", "status", "version")),
    }


def _machine(books):
    street, keeper = books["street"], books["keepers"][0]
    usable = {a.pk for a in books["accounts"] if a.street_id == street.pk and a.active}
    mine = [account for account in books["accounts"] if account.pk in usable]

    class Ledger(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            # Each run in a savepoint of its own, rolled back in teardown().
            self._atomic = transaction.atomic()
            self._atomic.__enter__()
            self.posted: dict[int, tuple] = {}  # pk → its snapshot when posted
            self.drafts: dict[int, tuple] = {}
            self.reversed: set[int] = set()
            self.locked: set[date] = set()
            self.committed = Decimal("0")  # approved and paid on the equipment line

        def teardown(self):
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)

        def _refused(self, call) -> None:
            """``call`` must raise ValidationError and leave the ledger as it was."""
            before = _snapshot()
            with pytest.raises(ValidationError):
                call()
            assert _snapshot() == before, "a refused call wrote to the ledger"

        def _record(self, pk: int) -> None:
            row = _snapshot()["transactions"][pk]
            (self.posted if row[0] == TransactionStatus.POSTED else self.drafts)[pk] = row

        # ------------------------------------------------------------------ rules

        @rule(
            data=st.data(),
            flaw=st.sampled_from(FLAWS),
            day=st.sampled_from(DAYS),
            in_community=st.booleans(),
            post=st.booleans(),
        )
        def create(self, data, flaw, day, in_community, post):
            accounts = st.sampled_from(mine)
            sources = st.sampled_from(SOURCES)
            legs = [
                [data.draw(accounts), data.draw(sources), data.draw(AMOUNT)]
                for _ in range(data.draw(st.integers(min_value=1, max_value=3)))
            ]
            legs.append([data.draw(accounts), data.draw(sources), -sum(a for *_, a in legs)])
            description = "区级拨款"
            if flaw == "one leg":
                legs = legs[:1]
            elif flaw == "unbalanced":
                legs[-1][2] += Decimal("0.01")
            elif flaw == "zero leg":
                legs.append([data.draw(accounts), data.draw(sources), Decimal("0.00")])
            elif flaw == "sub-fen":
                legs[0][2] += Decimal("0.005")
                legs[-1][2] -= Decimal("0.005")
            elif flaw == "float":
                legs[0][2] = float(legs[0][2])
            elif flaw == "unknown source":
                legs[-1][1] = "pocket"
            elif flaw == "other books":
                legs[0][0] = books["foreign"]
            elif flaw == "inactive account":
                legs[-1][0] = books["retired"]
            elif flaw == "no description":
                description = ""
            legs = [LegInput(account, source, amount) for account, source, amount in legs]
            # Whether the entry is right, judged from the legs themselves.
            valid = (
                len(legs) >= 2
                and description != ""
                and all(isinstance(leg.amount, Decimal) for leg in legs)
                and all(leg.amount != 0 and leg.amount == leg.amount.quantize(FEN) for leg in legs)
                and all(leg.source in FundSource.values for leg in legs)
                and all(leg.account.pk in usable for leg in legs)
                and sum((leg.amount for leg in legs), Decimal("0")) == 0
                and not (post and day.replace(day=1) in self.locked)
            )

            def call():
                return transaction_create(
                    entity=books["community"] if in_community else street,
                    created_by=keeper,
                    date=day,
                    description=description,
                    legs=legs,
                    post=post,
                )

            if not valid:
                self._refused(call)
                return
            made = call()
            assert made.status == (TransactionStatus.POSTED if post else TransactionStatus.DRAFT)
            assert [(leg.account_id, leg.amount) for leg in made.legs.order_by("pk")] == [
                (leg.account.pk, leg.amount) for leg in legs
            ]
            self._record(made.pk)

        @precondition(lambda self: self.drafts)
        @rule(choice=st.data())
        def post(self, choice):
            pk = choice.draw(st.sampled_from(sorted(self.drafts)))
            draft = Transaction.objects.get(pk=pk)
            if draft.period in self.locked:
                self._refused(lambda: transaction_post(transaction=draft, posted_by=keeper))
                return
            posted = transaction_post(transaction=draft, posted_by=keeper)
            assert posted.status == TransactionStatus.POSTED
            del self.drafts[pk]
            self._record(pk)

        @precondition(lambda self: self.posted)
        @rule(choice=st.data())
        def post_again(self, choice):
            pk = choice.draw(st.sampled_from(sorted(self.posted)))
            posted = Transaction.objects.get(pk=pk)
            # Into a month locked since, the lock is the answer; else "posted already".
            refusal = ValidationError if posted.period in self.locked else AlreadyPosted
            before = _snapshot()
            with pytest.raises(refusal):
                transaction_post(transaction=posted, posted_by=keeper)
            assert _snapshot() == before

        @precondition(lambda self: self.posted or self.drafts)
        @rule(choice=st.data(), day=st.sampled_from(DAYS))
        def reverse(self, choice, day):
            pk = choice.draw(st.sampled_from(sorted(self.posted) + sorted(self.drafts)))
            original = Transaction.objects.get(pk=pk)

            def call():
                return transaction_reverse(
                    transaction=original, reversed_by=keeper, date=day, reason="金额录错"
                )

            if pk in self.drafts or pk in self.reversed or day.replace(day=1) in self.locked:
                self._refused(call)
                return
            mirror = call()
            assert mirror.reverses_id == pk and mirror.status == TransactionStatus.POSTED
            assert [(leg.account_id, leg.source, -leg.amount) for leg in mirror.legs.all()] == [
                (leg.account_id, leg.source, leg.amount) for leg in original.legs.all()
            ]
            self.reversed.add(pk)
            self._record(mirror.pk)

        @precondition(lambda self: len(self.locked) < 2)
        @rule(day=st.sampled_from([*DAYS, None]))
        def lock(self, day):
            month = (day or timezone.localdate()).replace(day=1)
            period_lock(street=street, month=month, locked_by=keeper)
            self.locked.add(month)

        @rule(
            fen=st.one_of(
                st.integers(min_value=1, max_value=1_500_000),
                st.integers(min_value=1, max_value=6_000_000),  # up to more than the line
            )
        )
        def spend(self, fen):
            """Request, approve and pay from the equipment line: the payment posts today."""
            amount = Decimal(fen) / 100
            requester, *approvers = books["keepers"]

            def ask():
                return expenditure_request(
                    budget_line=books["line"],
                    amount=amount,
                    payee="五金建材店",
                    payee_kind="organisation",
                    purpose="巡查设备采购",
                    requested_by=requester,
                )

            if amount > EQUIPMENT_LINE - self.committed:
                self._refused(ask)
                return
            request = ask()
            for approver in approvers:
                if request.status == "requested":
                    request = expenditure_approve(
                        request=request, approver=approver, expected_version=request.version
                    )
            assert approvals_complete(request) and request.status == "approved"
            self.committed += amount

            def pay():
                return expenditure_pay(
                    request=request, paid_by=approvers[0], expected_version=request.version
                )

            if timezone.localdate().replace(day=1) in self.locked:
                self._refused(pay)  # the request stays approved, unpaid
                return
            paid = pay()
            assert paid.status == "paid" and paid.transaction.status == TransactionStatus.POSTED
            self._record(paid.transaction_id)

        # ------------------------------------------------------------- invariants

        @invariant()
        def every_transaction_sums_to_zero(self):
            totals = defaultdict(Decimal)
            for pk, amount in Leg.objects.values_list("transaction_id", "amount"):
                totals[pk] += amount
            assert all(total == 0 for total in totals.values()), totals
            assert set(totals) == set(Transaction.objects.values_list("pk", flat=True))

        @invariant()
        def balances_are_the_sums_of_posted_legs(self):
            expected = defaultdict(Decimal)
            per_account = defaultdict(Decimal)
            for leg in Leg.objects.filter(
                transaction__status=TransactionStatus.POSTED
            ).select_related("transaction"):
                expected[(leg.account_id, leg.source, leg.transaction.period)] += leg.amount
                per_account[leg.account_id] += leg.amount
            stored = _snapshot()["balances"]
            for key in set(expected) | set(stored):
                assert stored.get(key, Decimal("0")) == expected[key], key
            for account in books["accounts"]:
                assert account_balance(account) == per_account[account.pk], account

        @invariant()
        def history_is_never_edited(self):
            """The database holds exactly the transactions the model made, each as it was
            made (posted ones as they were posted), and nothing else."""
            assert _snapshot()["transactions"] == {**self.drafts, **self.posted}

        @invariant()
        def nothing_is_posted_into_a_locked_month(self):
            for lock in PeriodLock.objects.filter(street=street):
                late = Transaction.objects.filter(
                    street=street, period=lock.period, posted_at__gt=lock.locked_at
                )
                assert not late.exists()

    return Ledger


# CI's budget; another Hypothesis profile (make nightly: tests/conftest.py) brings its own.
CI_BUDGET = (
    {"max_examples": 20, "stateful_step_count": 20}
    if settings.get_current_profile_name() == "default"
    else {}
)
MACHINE_SETTINGS = settings(
    **CI_BUDGET,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def test_random_bookkeeping_keeps_the_ledger_promises(books):
    run_state_machine_as_test(_machine(books), settings=MACHINE_SETTINGS)
