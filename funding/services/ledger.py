"""Writing the ledger: charts of accounts, transactions (draft, posted, reversed), balances
and period locks.

Posting is the one way money enters the balances. It checks the legs (two or more, none
zero, summing to zero, accounts of the same street's books), refuses a locked month, turns
the draft into a posted transaction by compare-and-swap (a second click or a retry posts
nothing), and adds each leg to its balance row, locking the rows in key order so that
concurrent postings neither lose updates nor deadlock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from funding.choices import AccountType, BudgetCategory, FundSource, TransactionStatus
from funding.models import Account, AccountBalance, Leg, PeriodLock, Transaction
from funding.models.entities import entity_key
from funding.selectors import keeps_books
from grids.models import Community, Grid, Street
from personnel.models import User

CENT = Decimal("0.01")

# The standard chart every entity's books start with: (code, name, type, category).
STANDARD_CHART: tuple[tuple[str, str, str, str | None], ...] = (
    ("1001", "银行存款", AccountType.ASSET, None),
    ("2001", "应付款项", AccountType.LIABILITY, None),
    ("3001", "净资产", AccountType.EQUITY, None),
    ("4001", "拨款收入", AccountType.INCOME, None),
    ("4002", "捐赠与赞助收入", AccountType.INCOME, None),
    ("4003", "服务收入", AccountType.INCOME, None),
    ("5001", "人员补贴", AccountType.EXPENSE, BudgetCategory.PERSONNEL),
    ("5002", "设备", AccountType.EXPENSE, BudgetCategory.EQUIPMENT),
    ("5003", "培训", AccountType.EXPENSE, BudgetCategory.TRAINING),
    ("5004", "活动", AccountType.EXPENSE, BudgetCategory.ACTIVITIES),
    ("5005", "信息平台", AccountType.EXPENSE, BudgetCategory.PLATFORM),
    ("5006", "办公", AccountType.EXPENSE, BudgetCategory.OFFICE),
    ("5009", "其他支出", AccountType.EXPENSE, BudgetCategory.OTHER),
)
BANK = "1001"
EXPENSE_CODES = {category: code for code, _n, _t, category in STANDARD_CHART if category}


@dataclass(frozen=True)
class LegInput:
    account: Account
    source: str
    amount: Decimal
    memo: str = ""


def money(value) -> Decimal:
    """``value`` as an exact amount in yuan with two places; floats are refused."""
    if isinstance(value, float):
        raise ValidationError({"amount": _("Give amounts as decimal strings, not floats.")})
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": _("Give a valid amount.")}) from None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise ValidationError({"amount": _("Give an amount with at most two decimal places.")})
    return amount.quantize(CENT)


@transaction.atomic
def chart_ensure(*, entity: Street | Community | Grid) -> dict[str, Account]:
    """The entity's standard accounts, created where missing; by code."""
    key = entity_key(entity)
    existing = {a.code: a for a in Account.objects.filter(entity_key=key)}
    for code, name, kind, _category in STANDARD_CHART:
        if code not in existing:
            account = Account(code=code, name=name, type=kind)
            account.set_entity(entity)
            account.save()
            existing[code] = account
    return existing


def _check_legs(legs: Sequence[LegInput], books: Transaction) -> None:
    if len(legs) < 2:
        raise ValidationError({"legs": _("A transaction has at least two legs.")})
    errors = {}
    for index, leg in enumerate(legs):
        if leg.amount == 0:
            errors[f"legs.{index}.amount"] = _("A leg cannot be zero.")
        if leg.source not in FundSource.values:
            errors[f"legs.{index}.source"] = _("Choose a fund source.")
        if leg.account.street_id != books.street_id or not leg.account.active:
            errors[f"legs.{index}.account"] = _("Choose an active account of these books.")
    if errors:
        raise ValidationError(errors)
    total = sum((leg.amount for leg in legs), Decimal("0"))
    if total != 0:
        raise ValidationError(
            {"legs": _("The legs must sum to zero; they sum to %(total)s.") % {"total": total}}
        )


def _check_open(street_id: int, day: date) -> None:
    if PeriodLock.objects.filter(street_id=street_id, period=day.replace(day=1)).exists():
        raise ValidationError({"date": _("%(month)s is locked.") % {"month": f"{day:%Y-%m}"}})


@transaction.atomic
def transaction_create(
    *,
    entity: Street | Community | Grid,
    created_by: User,
    date: date,
    description: str,
    legs: Sequence[LegInput],
    reference: str = "",
    voucher_number: str = "",
    post: bool = False,
    reverses: Transaction | None = None,
) -> Transaction:
    """Record a transaction of ``legs`` as a draft, or posted at once with ``post``."""
    books = Transaction(
        date=date,
        description=description,
        reference=reference,
        voucher_number=voucher_number,
        created_by=created_by,
        reverses=reverses,
    )
    books.set_entity(entity)
    legs = [LegInput(leg.account, leg.source, money(leg.amount), leg.memo) for leg in legs]
    _check_legs(legs, books)
    books.period = date.replace(day=1)
    books.full_clean(exclude=["period", "entity_key", "reverses"])
    books.save()
    Leg.objects.bulk_create(
        Leg(
            transaction=books,
            account=leg.account,
            source=leg.source,
            amount=leg.amount,
            memo=leg.memo,
        )
        for leg in legs
    )
    if post:
        return transaction_post(transaction=books, posted_by=created_by)
    return books


class AlreadyPosted(Exception):
    """The transaction was posted already (by this request's first try or by someone
    else): nothing was posted twice."""

    def __init__(self, posted: Transaction) -> None:
        super().__init__(f"transaction {posted.pk} is posted")
        self.posted = posted


@transaction.atomic
def transaction_post(*, transaction: Transaction, posted_by: User) -> Transaction:
    """Post a draft: check it, move it to posted by compare-and-swap and add its legs to
    the balances. Posting an already posted transaction raises ``AlreadyPosted``."""
    books = transaction
    legs = list(books.legs.select_related("account"))
    _check_legs([LegInput(leg.account, leg.source, leg.amount) for leg in legs], books)
    _check_open(books.street_id, books.date)
    now = timezone.now()
    moved = Transaction.objects.filter(pk=books.pk, status=TransactionStatus.DRAFT).update(
        status=TransactionStatus.POSTED, posted_by=posted_by, posted_at=now
    )
    if not moved:
        raise AlreadyPosted(Transaction.objects.get(pk=books.pk))
    balances_add(legs, period=books.period)
    return Transaction.objects.get(pk=books.pk)


def balances_add(legs: Iterable[Leg], *, period: date) -> None:
    """Add legs to their (account, source, month) balance rows. The rows are created if
    missing, then locked in key order: two postings touching the same rows take their
    locks in the same order, so neither waits for the other while holding what it needs."""
    deltas: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for leg in legs:
        deltas[(leg.account_id, leg.source)] += leg.amount
    keys = sorted(deltas)
    AccountBalance.objects.bulk_create(
        [AccountBalance(account_id=a, source=s, period=period) for a, s in keys],
        ignore_conflicts=True,
    )
    wanted = Q()
    for account_id, source in keys:
        wanted |= Q(account_id=account_id, source=source)
    rows = list(
        AccountBalance.objects.select_for_update()
        .filter(wanted, period=period)
        .order_by("account_id", "source", "period")
    )
    for row in rows:
        AccountBalance.objects.filter(pk=row.pk).update(
            balance=F("balance") + deltas[(row.account_id, row.source)]
        )


@transaction.atomic
def transaction_reverse(
    *, transaction: Transaction, reversed_by: User, date: date | None = None, reason: str = ""
) -> Transaction:
    """Correct a posted transaction with its mirror image, posted and linked to it. A
    transaction is reversed at most once."""
    original = transaction
    if original.status != TransactionStatus.POSTED:
        raise ValidationError(_("Only a posted transaction is reversed; edit or drop a draft."))
    if Transaction.objects.filter(reverses=original).exists():
        raise ValidationError(_("This transaction has been reversed already."))
    legs = [
        LegInput(leg.account, leg.source, -leg.amount, leg.memo)
        for leg in original.legs.select_related("account")
    ]
    return transaction_create(
        entity=original.entity,
        created_by=reversed_by,
        date=date or timezone.localdate(),
        description=(
            _("Reversal of %(voucher)s: %(reason)s")
            % {
                "voucher": original.voucher_number or original.pk,
                "reason": reason,
            }
        )[:200],
        reference=str(original.pk),
        legs=legs,
        post=True,
        reverses=original,
    )


@transaction.atomic
def period_lock(*, street: Street, month: date, locked_by: User) -> PeriodLock:
    """Close a month of the street's books; drafts of that month can no longer be posted.
    Only a keeper of the street's books may."""
    if not keeps_books(
        locked_by, district_id=street.district_id, street_id=street.pk, community_id=None
    ):
        raise PermissionDenied(_("You do not keep these books."))
    lock, _created = PeriodLock.objects.get_or_create(
        street=street, period=month.replace(day=1), defaults={"locked_by": locked_by}
    )
    return lock


def account_balance(account: Account, *, source: str | None = None, until: date | None = None):
    """The posted balance of ``account`` (one source, up to a month, or all), to the fen.

    Quantized because SQLite sums decimals as floating point (PostgreSQL's numeric is
    exact); the error is far below a fen."""
    rows = AccountBalance.objects.filter(account=account)
    if source:
        rows = rows.filter(source=source)
    if until:
        rows = rows.filter(period__lte=until.replace(day=1))
    total = rows.aggregate(total=Sum("balance"))["total"] or Decimal("0")
    return Decimal(total).quantize(CENT)
