"""Reads of the books, always for a user. Only finance officers (their entity's books and
those below it), supervisors (every book in their scope, read-only) and administrators
read them; every other role sees nothing, whatever its place scope."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import DecimalField, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from funding.choices import ExpenditureStatus
from funding.models import (
    Account,
    Budget,
    BudgetLine,
    ExpenditureRequest,
    Flag,
    Leg,
    Transaction,
)
from personnel.choices import Role
from personnel.scope import PlacesHeld, places_held

BOOK_ROLES = (Role.ADMIN, Role.FINANCE_OFFICER, Role.SUPERVISOR)
KEEPER_ROLES = (Role.ADMIN, Role.FINANCE_OFFICER)


def books_scope(user, *, roles: tuple[str, ...] = BOOK_ROLES) -> PlacesHeld:
    """The user's reach over the books through ``roles`` held in force (one query)."""
    return places_held(user, roles=roles)


def keeps_books(user, *, district_id: int, street_id: int, community_id: int | None) -> bool:
    """Whether the user may write the books of that place (a finance officer or an
    administrator over it)."""
    return books_scope(user, roles=KEEPER_ROLES).covers(
        district_id=district_id, street_id=street_id, community_id=community_id
    )


def keeps_books_of(user, row) -> bool:
    """Whether the user may write the books ``row`` (an entity-owned row) belongs to."""
    return keeps_books(
        user,
        district_id=row.district_id,
        street_id=row.street_id,
        community_id=row.community_id,
    )


def account_list(*, user) -> QuerySet[Account]:
    """Accounts of the books the user reads, each with ``posted_balance`` (all sources)."""
    scope = books_scope(user)
    if scope.empty:
        return Account.objects.none()
    return Account.objects.filter(scope.q()).annotate(posted_balance=Sum("balances__balance"))


def transaction_list(*, user) -> QuerySet[Transaction]:
    """Transactions of the books the user reads, legs prefetched."""
    scope = books_scope(user)
    if scope.empty:
        return Transaction.objects.none()
    legs = Leg.objects.select_related("account").order_by("pk")
    return (
        Transaction.objects.filter(scope.q())
        .select_related("created_by", "posted_by")
        .prefetch_related(Prefetch("legs", queryset=legs))
    )


def budget_list(*, user) -> QuerySet[Budget]:
    scope = books_scope(user)
    if scope.empty:
        return Budget.objects.none()
    lines = BudgetLine.objects.order_by("category", "source")
    return Budget.objects.filter(scope.q()).prefetch_related(Prefetch("lines", queryset=lines))


def budget_line_list(*, user) -> QuerySet[BudgetLine]:
    """Lines of the budgets the user reads, each with ``approved_unpaid`` and ``paid`` (the
    sums of its requests in those states) and its budget's places loaded."""
    scope = books_scope(user)
    if scope.empty:
        return BudgetLine.objects.none()
    zero = Value(Decimal("0.00"), output_field=DecimalField(max_digits=14, decimal_places=2))
    return (
        BudgetLine.objects.filter(scope.q("budget__"))
        .select_related("budget__street", "budget__community", "budget__grid")
        .annotate(
            approved_unpaid=Coalesce(
                Sum("requests__amount", filter=Q(requests__status=ExpenditureStatus.APPROVED)),
                zero,
            ),
            paid=Coalesce(
                Sum("requests__amount", filter=Q(requests__status=ExpenditureStatus.PAID)), zero
            ),
        )
    )


def expenditure_list(*, user) -> QuerySet[ExpenditureRequest]:
    scope = books_scope(user)
    if scope.empty:
        return ExpenditureRequest.objects.none()
    return (
        ExpenditureRequest.objects.filter(scope.q("budget_line__budget__"))
        .select_related("budget_line__budget", "requested_by", "paid_by")
        .prefetch_related("approvals", "receipts")
    )


def flag_list(*, user) -> QuerySet[Flag]:
    scope = books_scope(user)
    if scope.empty:
        return Flag.objects.none()
    return Flag.objects.filter(scope.q()).select_related("resolved_by")
