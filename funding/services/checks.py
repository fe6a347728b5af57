"""Irregular-use checks over the books, run nightly and on demand, and the resolution of
what they find.

Each finding becomes a :class:`~funding.models.Flag` with a deterministic ``key`` (its kind
and what it is about), so that running the checks again raises nothing twice. Flags are
never deleted; a finance officer or supervisor resolves one with a note.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import groupby

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from funding.choices import (
    BudgetCategory,
    ExpenditureStatus,
    FlagKind,
    FlagStatus,
    FundSource,
    TransactionStatus,
)
from funding.models import Budget, BudgetLine, ExpenditureRequest, Flag, Receipt, Transaction
from funding.models.entities import EntityOwned
from funding.selectors import books_scope
from funding.services.budgets import COMMITTED
from funding.services.expenditures import second_approval_threshold
from funding.services.ledger import CENT
from gridgov.exceptions import StaleObjectError
from gridgov.workdays import working_day_test
from personnel.models import User
from personnel.scope import PlacesHeld

# Payments to one payee within this span, each small enough for one approval, whose sum
# needed two: a split.
SPLIT_WINDOW = timedelta(days=30)
# A budget spending this share of its year's payments or more from December 18 to 31.
YEAR_END_SHARE = Decimal("0.30")
YEAR_END_FIRST_DAY = 18
RESOLUTION_MAX = 2000
# The part of the books a run covers: a Q over rows carrying the place chain (at a prefix).
Within = Callable[..., Q]
KEYS_PER_QUERY = 500


def _fen(total: Decimal | float | None) -> Decimal:
    """A sum of amounts to the fen (SQLite sums decimals as floating point)."""
    return Decimal(total or 0).quantize(CENT)


def _flag(kind: str, key: str, reason: str, owner: EntityOwned, **about) -> Flag:
    """An unsaved flag owned by the entity that owns ``owner`` (a row of the books)."""
    return Flag(
        kind=kind,
        key=key,
        reason=reason,
        entity_key=owner.entity_key,
        district_id=owner.district_id,
        street_id=owner.street_id,
        community_id=owner.community_id,
        grid_id=owner.grid_id,
        **about,
    )


def _over_budget(q: Within) -> Iterator[Flag]:
    """Lines whose approved and paid requests come to more than their amount (a line is
    flagged once: its flag says so until it is resolved, and stays as history after)."""
    lines = (
        BudgetLine.objects.filter(q("budget__"))
        .annotate(committed=Sum("requests__amount", filter=Q(requests__status__in=COMMITTED)))
        .filter(committed__gt=F("amount"))
        .select_related("budget")
    )
    for line in lines.iterator():
        committed = _fen(line.committed)
        if committed <= line.amount:
            continue
        reason = _(
            "Approved and paid requests on the line “%(category)s” (%(source)s) of the "
            "%(year)d budget come to %(committed)s, above its %(amount)s."
        ) % {
            "category": BudgetCategory(line.category).label,
            "source": FundSource(line.source).label,
            "year": line.budget.fiscal_year,
            "committed": committed,
            "amount": line.amount,
        }
        yield _flag(FlagKind.OVER_BUDGET, f"over_budget:line:{line.pk}", reason, line.budget)


def _missing_receipts(q: Within, now: datetime) -> Iterator[Flag]:
    """Requests paid FUNDING_RECEIPT_DAYS days ago or more that still have no receipt."""
    days = settings.FUNDING_RECEIPT_DAYS
    requests = (
        ExpenditureRequest.objects.filter(
            q("budget_line__budget__"),
            status=ExpenditureStatus.PAID,
            paid_at__lte=now - timedelta(days=days),
        )
        .filter(~Exists(Receipt.objects.filter(request=OuterRef("pk"))))
        .exclude(flags__kind=FlagKind.MISSING_RECEIPT)
        .select_related("budget_line__budget")
    )
    for request in requests.iterator():
        reason = _(
            "%(amount)s was paid to %(payee)s on %(day)s and no receipt has come in %(days)d days."
        ) % {
            "amount": request.amount,
            "payee": request.payee,
            "day": timezone.localdate(request.paid_at).isoformat(),
            "days": days,
        }
        key = f"missing_receipt:request:{request.pk}"
        yield _flag(
            FlagKind.MISSING_RECEIPT, key, reason, request.budget_line.budget, request=request
        )


def _split_payments(q: Within) -> Iterator[Flag]:
    """Payments of one entity's books to one payee, within SPLIT_WINDOW of each other, each
    small enough for one approval, together above the threshold. A split is named by its
    first payment, so a later payment that extends it raises nothing new."""
    threshold = second_approval_threshold()
    paid = (
        ExpenditureRequest.objects.filter(
            q("budget_line__budget__"), status=ExpenditureStatus.PAID, amount__lte=threshold
        )
        .select_related("budget_line__budget")
        .order_by("budget_line__budget__entity_key", "payee", "paid_at", "pk")
    )
    seen: set[str] = set()
    for _group, rows in groupby(
        paid.iterator(), key=lambda r: (r.budget_line.budget.entity_key, r.payee)
    ):
        window: list[ExpenditureRequest] = []
        for request in rows:
            window = [r for r in window if request.paid_at - r.paid_at <= SPLIT_WINDOW]
            window.append(request)
            total = sum((r.amount for r in window), Decimal("0"))
            first = window[0]
            key = f"split_payment:request:{first.pk}"
            if len(window) < 2 or total <= threshold or key in seen:
                continue
            seen.add(key)
            reason = _(
                "%(count)d payments to %(payee)s within %(days)d days (requests %(ids)s), each "
                "within the single-approval limit of %(threshold)s, come to %(total)s."
            ) % {
                "count": len(window),
                "payee": first.payee,
                "days": SPLIT_WINDOW.days,
                "ids": ", ".join(str(r.pk) for r in window),
                "threshold": threshold,
                "total": total,
            }
            yield _flag(
                FlagKind.SPLIT_PAYMENT, key, reason, first.budget_line.budget, request=first
            )


def _off_day_postings(q: Within) -> Iterator[Flag]:
    """Posted transactions booked on a day that is not a working day (the voucher's date,
    the day the books show; official calendar with its local overrides)."""
    posted = (
        Transaction.objects.filter(q(), status=TransactionStatus.POSTED)
        .exclude(flags__kind=FlagKind.OFF_DAY_POSTING)
        .annotate(posted_on=F("date"))
    )
    days = sorted(set(posted.order_by().values_list("posted_on", flat=True).distinct()))
    if not days:
        return
    is_working = working_day_test(days[0], days[-1])
    off_days = [day for day in days if not is_working(day)]
    for books in posted.filter(posted_on__in=off_days).iterator():
        reason = _("Transaction %(voucher)s was posted on %(day)s, which is not a working day.") % {
            "voucher": books.voucher_number or books.pk,
            "day": books.posted_on.isoformat(),
        }
        key = f"off_day_posting:transaction:{books.pk}"
        yield _flag(FlagKind.OFF_DAY_POSTING, key, reason, books, transaction=books)


def _year_end_rushes(q: Within) -> Iterator[Flag]:
    """Budgets that paid YEAR_END_SHARE or more of their year's payments in its last two
    weeks (December 18 to 31, local time)."""
    in_year = Q(
        lines__requests__status=ExpenditureStatus.PAID,
        lines__requests__paid_at__year=F("fiscal_year"),
    )
    late = in_year & Q(
        lines__requests__paid_at__month=12, lines__requests__paid_at__day__gte=YEAR_END_FIRST_DAY
    )
    budgets = (
        Budget.objects.filter(q())
        .annotate(
            spent=Sum("lines__requests__amount", filter=in_year),
            late=Sum("lines__requests__amount", filter=late),
        )
        .filter(late__gt=0)
    )
    for budget in budgets.iterator():
        spent, late = _fen(budget.spent), _fen(budget.late)
        if late < spent * YEAR_END_SHARE:
            continue
        reason = _(
            "%(late)s of the %(spent)s paid from the %(year)d budget (%(share)d %%) was paid "
            "from December %(first)d to 31."
        ) % {
            "late": late,
            "spent": spent,
            "year": budget.fiscal_year,
            "share": round(late * 100 / spent),
            "first": YEAR_END_FIRST_DAY,
        }
        yield _flag(FlagKind.YEAR_END_RUSH, f"year_end_rush:budget:{budget.pk}", reason, budget)


def _raise(found: Iterable[Flag]) -> dict[str, int]:
    """Store the flags whose key is new; count them by kind."""
    counts = dict.fromkeys(FlagKind.values, 0)
    batch: dict[str, Flag] = {}

    def store() -> None:
        known = set(Flag.objects.filter(key__in=batch).values_list("key", flat=True))
        new = [flag for key, flag in batch.items() if key not in known]
        # A check running at the same time may store a key first: it is then skipped.
        Flag.objects.bulk_create(new, ignore_conflicts=True)
        for flag in new:
            counts[flag.kind] += 1
        batch.clear()

    for flag in found:
        batch[flag.key] = flag
        if len(batch) >= KEYS_PER_QUERY:
            store()
    if batch:
        store()
    return counts


def funding_checks_run(*, now: datetime | None = None, by: User | None = None) -> dict[str, int]:
    """Run every check and flag what is new: over the whole city (the nightly job), or over
    the books ``by`` reads (on demand; only those who read books may ask). Returns how many
    new flags each kind got."""
    now = now or timezone.now()
    scope = PlacesHeld(is_global=True) if by is None else books_scope(by)
    if scope.empty:
        raise PermissionDenied(_("Only finance officers and supervisors run the checks."))
    q = scope.q
    # Every finding is collected before any is stored: nothing is written to the flags
    # while a query that reads them is still being iterated.
    found = [
        *_over_budget(q),
        *_missing_receipts(q, now),
        *_split_payments(q),
        *_off_day_postings(q),
        *_year_end_rushes(q),
    ]
    with transaction.atomic():
        return _raise(found)


@transaction.atomic
def flag_resolve(*, flag: Flag, by: User, note: str) -> Flag:
    """Close ``flag`` with ``note`` saying what was found or done. Anyone who reads the
    flag's books may resolve it; a flag is resolved once (compare-and-swap on its status)."""
    if not books_scope(by).covers(
        district_id=flag.district_id, street_id=flag.street_id, community_id=flag.community_id
    ):
        raise PermissionDenied(_("Only finance officers and supervisors resolve flags."))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say how the flag was resolved.")})
    if len(note) > RESOLUTION_MAX:
        raise ValidationError(
            {"note": _("Keep the note within %(count)d characters.") % {"count": RESOLUTION_MAX}}
        )
    if flag.status != FlagStatus.OPEN:
        raise ValidationError({"status": _("This flag is resolved already.")})
    now = timezone.now()
    resolved = Flag.objects.filter(pk=flag.pk, status=FlagStatus.OPEN).update(
        status=FlagStatus.RESOLVED, resolved_by=by, resolved_at=now, resolution=note
    )
    if not resolved:
        raise StaleObjectError(f"Flag {flag.pk} was resolved by someone else")
    return Flag.objects.select_related("resolved_by").get(pk=flag.pk)
