"""Writing budgets: one per entity and fiscal year, with lines by category and fund source.

Only the keepers of the entity's books (its finance officers, administrators) write them.
A line can be raised at any time, and lowered down to what is already committed on it
(approved and paid requests), never below.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from funding.choices import BudgetCategory, ExpenditureStatus, FundSource
from funding.models import Budget, BudgetLine, ExpenditureRequest
from funding.models.entities import EntityOwned, entity_key
from funding.selectors import keeps_books_of
from funding.services.ledger import CENT, money
from grids.models import Community, Grid, Street
from personnel.models import User

FIRST_YEAR, LAST_YEAR = 2000, 2100
# Requests that hold a line's money: approved ones will be paid, paid ones were.
COMMITTED = (ExpenditureStatus.APPROVED, ExpenditureStatus.PAID)

Amount = Decimal | str | int
LineSpec = tuple[str, str, Amount]


def books_check(*, user: User, row: EntityOwned) -> None:
    """Refuse anyone but a keeper of the books ``row`` belongs to."""
    if not keeps_books_of(user, row):
        raise PermissionDenied(_("Only a finance officer of these books may do this."))


def committed_amount(*, line: BudgetLine) -> Decimal:
    """What approved and paid requests take from ``line``."""
    total = ExpenditureRequest.objects.filter(budget_line=line, status__in=COMMITTED).aggregate(
        total=Sum("amount")
    )["total"]
    # To the fen: SQLite sums decimals as floating point.
    return Decimal(total or 0).quantize(CENT)


def _positive(value: Amount, field: str) -> Decimal:
    try:
        amount = money(value)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None
    if amount <= 0:
        raise ValidationError({field: _("Give an amount above zero.")})
    return amount


def _line_checked(category: str, source: str, amount: Amount, field: str) -> BudgetLine:
    errors = {}
    if category not in BudgetCategory.values:
        errors[f"{field}.category"] = _("Choose a budget category.")
    if source not in FundSource.values:
        errors[f"{field}.source"] = _("Choose a fund source.")
    if errors:
        raise ValidationError(errors)
    return BudgetLine(category=category, source=source, amount=_positive(amount, f"{field}.amount"))


def _lines_checked(lines: Iterable[LineSpec]) -> list[BudgetLine]:
    checked, seen = [], set()
    for index, (category, source, amount) in enumerate(lines):
        line = _line_checked(category, source, amount, f"lines.{index}")
        if (category, source) in seen:
            raise ValidationError(
                {f"lines.{index}": _("This category and fund source have a line already.")}
            )
        seen.add((category, source))
        checked.append(line)
    return checked


@transaction.atomic
def budget_create(
    *,
    entity: Street | Community | Grid,
    fiscal_year: int,
    created_by: User,
    lines: Sequence[LineSpec] = (),
) -> Budget:
    """Open ``entity``'s budget for ``fiscal_year`` with ``lines`` of (category, fund source,
    amount). An entity has one budget a year."""
    budget = Budget(fiscal_year=fiscal_year, created_by=created_by)
    budget.set_entity(entity)
    books_check(user=created_by, row=budget)
    if not FIRST_YEAR <= fiscal_year <= LAST_YEAR:
        raise ValidationError(
            {
                "fiscal_year": _("Give a year from %(first)d to %(last)d.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR}
            }
        )
    checked = _lines_checked(lines)
    if Budget.objects.filter(entity_key=entity_key(entity), fiscal_year=fiscal_year).exists():
        raise ValidationError({"fiscal_year": _("These books have a budget for this year.")})
    try:
        with transaction.atomic():
            budget.save()
    except IntegrityError:  # created by someone else in between
        raise ValidationError(
            {"fiscal_year": _("These books have a budget for this year.")}
        ) from None
    for line in checked:
        line.budget = budget
    BudgetLine.objects.bulk_create(checked)
    return budget


@transaction.atomic
def budget_line_add(
    *, budget: Budget, category: str, source: str, amount: Amount, added_by: User
) -> BudgetLine:
    """Add a line of ``category`` funded by ``source`` to ``budget``."""
    books_check(user=added_by, row=budget)
    line = _line_checked(category, source, amount, "line")
    if BudgetLine.objects.filter(budget=budget, category=category, source=source).exists():
        raise ValidationError({"category": _("This category and fund source have a line already.")})
    line.budget = budget
    try:
        with transaction.atomic():
            line.save()
    except IntegrityError:
        raise ValidationError(
            {"category": _("This category and fund source have a line already.")}
        ) from None
    return line


@transaction.atomic
def budget_line_amount_change(*, line: BudgetLine, amount: Amount, changed_by: User) -> BudgetLine:
    """Set ``line``'s amount: raised freely, lowered no further than what is committed on
    it. The line is locked while it changes, so no approval slips in between."""
    books_check(user=changed_by, row=line.budget)
    new_amount = _positive(amount, "amount")
    line = BudgetLine.objects.select_for_update().select_related("budget").get(pk=line.pk)
    committed = committed_amount(line=line)
    if new_amount < committed:
        raise ValidationError(
            {
                "amount": _("Approved and paid requests already take %(committed)s from it.")
                % {"committed": committed}
            }
        )
    BudgetLine.objects.filter(pk=line.pk).update(amount=new_amount)
    line.amount = new_amount
    return line
