"""Reports over the books: budget execution, income by fund source, cost per grid and per
resident, and the public disclosure of one community's books (财务公开).

Every amount is a ``Decimal`` with two places (yuan); a division is rounded half up to two
places, and a rate whose divisor is zero is ``None``. The database aggregates (sums grouped
by line, period, source or entity); Python only folds those few grouped rows into the rows
of a table. Only posted transactions count: a draft moves no report. The reports for a user
read through the books scope of ``funding.selectors`` (finance officers, supervisors and
administrators, over their places): outside it there is nothing. Rows are dictionaries
(the views' columns say which keys a table and its exports show).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, ExtractMonth, ExtractQuarter
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from funding.choices import (
    GOVERNMENT_SOURCES,
    AccountType,
    BudgetCategory,
    EntityKind,
    ExpenditureStatus,
    FundSource,
    PayeeKind,
    TransactionStatus,
)
from funding.models import Account, BudgetLine, ExpenditureRequest, Leg
from funding.models.entities import entity_key
from funding.selectors import books_scope
from funding.services.ledger import EXPENSE_CODES
from grids.models import Community
from grids.selectors import grid_list

Row = dict[str, Any]

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
QUARTER, MONTH = "quarter", "month"


def money(value: Decimal | int | None) -> Decimal:
    """``value`` with two places; ``None`` (an empty sum) is zero, and so is minus zero."""
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP) + ZERO


def ratio(part: Decimal, whole: Decimal | int, *, scale: Decimal = Decimal(1)) -> Decimal | None:
    """``part / whole × scale`` with two places, or ``None`` when ``whole`` is not positive."""
    if not whole or whole <= 0:
        return None
    return money(part * scale / Decimal(whole))


def _year_legs(year: int) -> QuerySet[Leg]:
    """The posted legs of transactions dated in ``year``."""
    return Leg.objects.filter(
        transaction__status=TransactionStatus.POSTED,
        transaction__period__gte=date(year, 1, 1),
        transaction__period__lte=date(year, 12, 1),
    ).order_by()


ENTITY_FIELDS = ("entity_key", "entity_kind", "place_id", "entity", "kind")
PLACE_FIELDS = (
    "entity_key",
    *(f"{place}_id" for place in EntityKind.values),
    *(f"{place}__{field}" for place in EntityKind.values for field in ("code", "name")),
)


def _place_fields(prefix: str) -> tuple[str, ...]:
    return tuple(f"{prefix}{name}" for name in PLACE_FIELDS)


def _place_order(prefix: str) -> tuple:
    """Streets by code, each followed by its own books, then its communities and grids."""
    return (
        F(f"{prefix}street__code").asc(),
        F(f"{prefix}community__code").asc(nulls_first=True),
        F(f"{prefix}grid__code").asc(nulls_first=True),
    )


def _entity(values: Row, prefix: str) -> Row:
    """The entity named by a grouped row's place fields: key, kind, label and place id (the
    grid if any, else the community if any, else the street)."""
    kind = next(
        kind
        for kind in (EntityKind.GRID, EntityKind.COMMUNITY, EntityKind.STREET)
        if values[f"{prefix}{kind.value}_id"] is not None
    )
    place = f"{prefix}{kind.value}"
    return {
        "entity_key": values[f"{prefix}entity_key"],
        "entity_kind": kind.value,
        "place_id": values[f"{place}_id"],
        "entity": f"{values[f'{place}__code']} {values[f'{place}__name']}",
        "kind": str(kind.label),
    }


def budget_entities(user, year: int) -> list[tuple[str, str]]:
    """(entity key, label) of each entity with a budget for ``year`` that the user reads."""
    scope = books_scope(user)
    if scope.empty:
        return []
    budgets = (
        BudgetLine.objects.filter(scope.q("budget__"), budget__fiscal_year=year)
        .values(*_place_fields("budget__"))
        .distinct()
        .order_by(*_place_order("budget__"))
    )
    return [(row["budget__entity_key"], _entity(row, "budget__")["entity"]) for row in budgets]


def book_entities(user) -> list[tuple[str, str]]:
    """(entity key, label) of each entity with accounts whose books the user reads."""
    scope = books_scope(user)
    if scope.empty:
        return []
    accounts = (
        Account.objects.filter(scope.q())
        .values(*PLACE_FIELDS)
        .distinct()
        .order_by(*_place_order(""))
    )
    return [(row["entity_key"], _entity(row, "")["entity"]) for row in accounts]


def _execution_row(
    entity: Row,
    budget: Decimal,
    approved: Decimal,
    paid: Decimal,
    category: BudgetCategory | None = None,
    source: FundSource | None = None,
) -> Row:
    """A line's row, or without a category and a source the entity's total row."""
    return {
        **{field: entity[field] for field in ENTITY_FIELDS},
        "is_total": category is None,
        "category": str(category.label) if category else _("All lines"),
        "category_code": category.value if category else "",
        "source": str(source.label) if source else "",
        "source_code": source.value if source else "",
        "budget": budget,
        "approved_unpaid": approved,
        "paid": paid,
        "remaining": budget - approved - paid,
        "execution": ratio(paid, budget, scale=HUNDRED),
    }


def _line_row(line: Row) -> Row:
    amounts = (money(line[name]) for name in ("amount", "approved", "paid"))
    category, source = BudgetCategory(line["category"]), FundSource(line["source"])
    return _execution_row(_entity(line, "budget__"), *amounts, category, source)


def _requested(status: str) -> Coalesce:
    """Σ amount of a line's requests in ``status``."""
    return Coalesce(Sum("requests__amount", filter=Q(requests__status=status)), ZERO)


def budget_execution(user, year: int, entity_key: str | None = None) -> list[Row]:
    """Budget execution of ``year``'s budgets (one entity's with ``entity_key``), per line:

    - budget = the line's amount;
    - approved_unpaid = Σ amount of the line's requests in status approved;
    - paid = Σ amount of the line's requests in status paid;
    - remaining = budget − approved_unpaid − paid;
    - execution = paid / budget × 100 (a percentage).

    After each entity's lines comes its total row (``is_total``): the sums of its lines'
    budget, approved_unpaid and paid, with remaining and execution by the same formulas.
    Requested, rejected and withdrawn requests count nowhere.
    """
    scope = books_scope(user)
    if scope.empty:
        return []
    lines = BudgetLine.objects.filter(scope.q("budget__"), budget__fiscal_year=year)
    if entity_key:
        lines = lines.filter(budget__entity_key=entity_key)
    grouped = (
        lines.values("pk", "category", "source", "amount", *_place_fields("budget__"))
        .annotate(
            approved=_requested(ExpenditureStatus.APPROVED), paid=_requested(ExpenditureStatus.PAID)
        )
        .order_by(*_place_order("budget__"), "category", "source")
    )
    rows: list[Row] = []
    for _key, lines_of_entity in groupby(map(_line_row, grouped), key=itemgetter("entity_key")):
        line_rows = list(lines_of_entity)
        rows += line_rows
        totals = (
            sum((r[k] for r in line_rows), ZERO) for k in ("budget", "approved_unpaid", "paid")
        )
        rows.append(_execution_row(line_rows[0], *totals))
    return rows


def _income_row(period: str, period_key: str, by_source: dict[str, Decimal]) -> Row:
    government = sum((by_source[s] for s in FundSource.values if s in GOVERNMENT_SOURCES), ZERO)
    total = sum(by_source.values(), ZERO)
    return {
        "period": period,
        "period_key": period_key,
        "is_total": period_key == "total",
        **{f"source_{source}": amount for source, amount in by_source.items()},
        "total": total,
        "government": government,
        "non_government": total - government,
        "non_government_share": ratio(total - government, total, scale=HUNDRED),
    }


def income_by_source(user, year: int, *, by: str = QUARTER) -> list[Row]:
    """Income of ``year`` per quarter (``by="quarter"``) or per month (``by="month"``), then
    the year's total row, over posted legs on income accounts the user reads:

    - income of a source in a period = −Σ amount of those legs (credits are negative; a
      debit such as a reversal lowers it);
    - total = Σ over the sources; government = Σ over the government sources (municipal,
      district, street, higher-level special funds); non_government = total − government;
    - non_government_share = non_government / total × 100 (``None`` when total ≤ 0).

    Every period of the year has a row, with zeros where nothing came in.
    """
    scope = books_scope(user)
    if scope.empty:
        return []
    part = ExtractQuarter if by == QUARTER else ExtractMonth
    grouped = (
        _year_legs(year)
        .filter(scope.q("account__"), account__type=AccountType.INCOME)
        .annotate(part=part("transaction__period"))
        .values("part", "source")
        .annotate(total=Sum("amount"))
    )
    income = {(row["part"], row["source"]): ZERO - money(row["total"]) for row in grouped}
    periods = range(1, 5) if by == QUARTER else range(1, 13)
    rows = []
    for number in periods:
        if by == QUARTER:
            label, key = (
                _("%(year)s Q%(quarter)s") % {"year": year, "quarter": number},
                f"Q{number}",
            )
        else:
            label, key = f"{year}-{number:02d}", f"M{number:02d}"
        amounts = {source: income.get((number, source), ZERO) for source in FundSource.values}
        rows.append(_income_row(label, key, amounts))
    year_amounts = {
        source: sum((row[f"source_{source}"] for row in rows), ZERO) for source in FundSource.values
    }
    rows.append(_income_row(_("%(year)s total") % {"year": year}, "total", year_amounts))
    return rows


def _grid_counts(user, entities: list[Row]) -> dict[str, tuple[int, int]]:
    """Entity key → (number of active grids, their population), over the user's grids: a
    grid counts as one with its own population, a community or a street as its grids."""
    grids = grid_list(user=user).order_by()
    ids = {k: [e["place_id"] for e in entities if e["entity_kind"] == k] for k in EntityKind.values}
    counts = {
        f"G{pk}": (1, population)
        for pk, population in grids.filter(pk__in=ids["grid"]).values_list("pk", "population")
    }
    for kind, prefix in (("community", "C"), ("street", "S")):
        field = f"{kind}_id"
        for row in (
            grids.filter(active=True, **{f"{field}__in": ids[kind]})
            .values(field)
            .annotate(count=Count("pk"), population=Sum("population"))
        ):
            counts[f"{prefix}{row[field]}"] = (row["count"], row["population"] or 0)
    return counts


def cost_per_grid_and_resident(user, year: int) -> list[Row]:
    """Cost of each entity (street, community, grid) whose books the user reads and that
    posted expense in ``year``:

    - expense = Σ amount of posted legs on the entity's own expense accounts (debits
      positive; the books of the communities and grids below a street are their own rows);
    - grids = 1 for a grid, the number of active grids of a community or a street;
    - population = the grid's population, or the sum of the population of those grids;
    - cost_per_grid = expense / grids; cost_per_resident = expense / population (``None``
      when the divisor is zero).
    """
    scope = books_scope(user)
    if scope.empty:
        return []
    grouped = (
        _year_legs(year)
        .filter(scope.q("account__"), account__type=AccountType.EXPENSE)
        .values(*_place_fields("account__"))
        .annotate(expense=Sum("amount"))
        .order_by(*_place_order("account__"))
    )
    rows = [{**_entity(row, "account__"), "expense": money(row["expense"])} for row in grouped]
    counts = _grid_counts(user, rows)
    for row in rows:
        grids, population = counts.get(row["entity_key"], (0, 0))
        row.update(
            grids=grids,
            population=population,
            cost_per_grid=ratio(row["expense"], grids),
            cost_per_resident=ratio(row["expense"], population),
        )
    return rows


def _category_of_account() -> Case:
    """An expense account's budget category, by its code in the standard chart."""
    return Case(
        *(When(account__code=code, then=Value(str(cat))) for cat, code in EXPENSE_CODES.items()),
        default=Value(str(BudgetCategory.OTHER)),
        output_field=CharField(),
    )


def _by_quarter(grouped, key: str, labels: dict[str, Any], sign: int) -> list[Row]:
    """Rows per ``key`` value (in ``labels`` order, those with any leg) of the quarter
    amounts ``sign × Σ amount`` and their total."""
    amounts: dict[str, list[Decimal]] = {}
    for row in grouped:
        quarters = amounts.setdefault(row[key], [ZERO] * 4)
        quarters[row["quarter"] - 1] = money(sign * row["total"])
    return [
        {
            "code": code,
            "label": str(label),
            "quarters": amounts[code],
            "total": sum(amounts[code], ZERO),
        }
        for code, label in labels.items()
        if code in amounts
    ]


def _column_totals(rows: list[Row]) -> list[Decimal]:
    return [sum((row["quarters"][q] for row in rows), ZERO) for q in range(4)]


def disclosure(community: Community, year: int) -> dict[str, Any]:
    """What ``community``'s own books received and spent in ``year``, per quarter, for the
    public (no user, no personal data), over posted legs on the community's accounts:

    - received of a source in a quarter = −Σ amount of its legs on income accounts;
    - spent of a budget category in a quarter = Σ amount of legs on the expense account of
      that category in the standard chart (other expense accounts count as "other");
    - payees of the year's paid requests of posted transactions: an organisation by name
      with its number of payments and total; individuals only as one count and total.

    ``empty`` is true when the year has nothing to show.
    """
    key = entity_key(community)
    legs = _year_legs(year).filter(account__entity_key=key)
    legs = legs.annotate(quarter=ExtractQuarter("transaction__period"))
    received = _by_quarter(
        legs.filter(account__type=AccountType.INCOME)
        .values("quarter", "source")
        .annotate(total=Sum("amount")),
        "source",
        dict(FundSource.choices),
        -1,
    )
    spent = _by_quarter(
        legs.filter(account__type=AccountType.EXPENSE)
        .annotate(category=_category_of_account())
        .values("quarter", "category")
        .annotate(total=Sum("amount")),
        "category",
        dict(BudgetCategory.choices),
        1,
    )
    paid = ExpenditureRequest.objects.filter(
        budget_line__budget__entity_key=key,
        status=ExpenditureStatus.PAID,
        transaction__status=TransactionStatus.POSTED,
        transaction__period__gte=date(year, 1, 1),
        transaction__period__lte=date(year, 12, 1),
    ).order_by()
    payees = [
        {"name": row["payee"], "payments": row["payments"], "total": money(row["total"])}
        for row in paid.filter(payee_kind=PayeeKind.ORGANISATION)
        .values("payee")
        .annotate(payments=Count("pk"), total=Sum("amount"))
        .order_by("-total", "payee")
    ]
    individuals = paid.filter(payee_kind=PayeeKind.INDIVIDUAL).aggregate(
        payments=Count("pk"), total=Sum("amount")
    )
    if count := individuals["payments"]:
        name = ngettext(
            "Individuals (%(count)s payment)", "Individuals (%(count)s payments)", count
        )
        total = money(individuals["total"])
        payees.append({"name": name % {"count": count}, "payments": count, "total": total})
    received_totals, spent_totals = _column_totals(received), _column_totals(spent)
    return {
        "community": community,
        "year": year,
        "received": received,
        "received_totals": received_totals,
        "received_total": sum(received_totals, ZERO),
        "spent": spent,
        "spent_totals": spent_totals,
        "spent_total": sum(spent_totals, ZERO),
        "payees": payees,
        "empty": not (received or spent or payees),
    }
