"""Expenditure requests: requested → approved → paid, or rejected or withdrawn.

Every change of a request is a compare-and-swap on its status and version, so that two
clicks on "pay" (or a pay racing a withdrawal) change it once: the loser gets
``StaleObjectError``. The requester never approves their own request; a request above
``FUNDING_SECOND_APPROVAL_THRESHOLD`` needs two approvals, one of them from a keeper of the
street's books (a street- or district-level finance officer, or an administrator).
Payment posts the ledger transaction in the same database transaction.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from funding.choices import ExpenditureStatus
from funding.models import Approval, Budget, BudgetLine, ExpenditureRequest
from funding.selectors import KEEPER_ROLES, books_scope
from funding.services.budgets import Amount, books_check, committed_amount
from funding.services.ledger import (
    BANK,
    EXPENSE_CODES,
    LegInput,
    chart_ensure,
    money,
    transaction_create,
)
from gridgov.exceptions import StaleObjectError
from personnel.models import User

NOTE_MAX = 300
OPEN = (ExpenditureStatus.REQUESTED, ExpenditureStatus.APPROVED)


def second_approval_threshold() -> Decimal:
    return Decimal(settings.FUNDING_SECOND_APPROVAL_THRESHOLD)


def approves_at_street_level(user: User, budget: Budget) -> bool:
    """Whether ``user`` keeps the books of ``budget``'s whole street (an assignment at the
    street or its district, or an administrator everywhere), not only a community's."""
    scope = books_scope(user, roles=KEEPER_ROLES)
    return (
        scope.is_global
        or budget.street_id in scope.street_ids
        or budget.district_id in scope.district_ids
    )


def _note(note: str, *, required: bool) -> str:
    note = (note or "").strip()
    if required and not note:
        raise ValidationError({"note": _("Say why.")})
    if len(note) > NOTE_MAX:
        raise ValidationError(
            {"note": _("Keep the note within %(count)d characters.") % {"count": NOTE_MAX}}
        )
    return note


def _require_status(request: ExpenditureRequest, allowed: tuple[str, ...]) -> None:
    if request.status not in allowed:
        raise ValidationError(
            {
                "status": _("Not possible while the request is %(status)s.")
                % {"status": ExpenditureStatus(request.status).label}
            }
        )


def _swap(request: ExpenditureRequest, *, expected_version: int, **changes) -> ExpenditureRequest:
    """Compare-and-swap: change the request only if it still has the status and version
    the caller saw; bump its version."""
    moved = ExpenditureRequest.objects.filter(
        pk=request.pk, version=expected_version, status=request.status
    ).update(version=F("version") + 1, updated_at=timezone.now(), **changes)
    if not moved:
        raise StaleObjectError(
            f"ExpenditureRequest {request.pk} changed since version {expected_version}"
        )
    return ExpenditureRequest.objects.select_related("budget_line__budget").get(pk=request.pk)


def _decide(request: ExpenditureRequest, *, approver: User, approved: bool, note: str) -> None:
    if Approval.objects.filter(request=request, approver=approver).exists():
        raise ValidationError({"approver": _("You have decided on this request already.")})
    Approval.objects.create(request=request, approver=approver, approved=approved, note=note)


def approvals_complete(request: ExpenditureRequest) -> bool:
    """One approval; two above the threshold, one of them at street level."""
    approvers = [
        a.approver for a in request.approvals.filter(approved=True).select_related("approver")
    ]
    if request.amount <= second_approval_threshold():
        return len(approvers) >= 1
    budget = request.budget_line.budget
    return len(approvers) >= 2 and any(approves_at_street_level(a, budget) for a in approvers)


@transaction.atomic
def expenditure_request(
    *,
    budget_line: BudgetLine,
    amount: Amount,
    payee: str,
    payee_kind: str,
    purpose: str,
    requested_by: User,
) -> ExpenditureRequest:
    """Ask to spend ``amount`` from ``budget_line`` for ``purpose``, paid to ``payee``. The
    amount must fit in what the line has left (its amount less approved and paid requests);
    the line is locked while that is checked."""
    books_check(user=requested_by, row=budget_line.budget)
    amount = money(amount)
    if amount <= 0:
        raise ValidationError({"amount": _("Give an amount above zero.")})
    line = BudgetLine.objects.select_for_update().select_related("budget").get(pk=budget_line.pk)
    remaining = line.amount - committed_amount(line=line)
    if amount > remaining:
        raise ValidationError(
            {"amount": _("Only %(remaining)s remains on this line.") % {"remaining": remaining}}
        )
    request = ExpenditureRequest(
        budget_line=line,
        amount=amount,
        payee=payee.strip(),
        payee_kind=payee_kind,
        purpose=purpose.strip(),
        requested_by=requested_by,
    )
    request.full_clean(exclude=["transaction", "paid_by", "paid_at", "status"])
    request.save()
    return request


@transaction.atomic
def expenditure_approve(
    *, request: ExpenditureRequest, approver: User, expected_version: int, note: str = ""
) -> ExpenditureRequest:
    """Record ``approver``'s approval; the request is approved once the approvals it needs
    are in (see :func:`approvals_complete`)."""
    books_check(user=approver, row=request.budget_line.budget)
    if approver.pk == request.requested_by_id:
        raise PermissionDenied(_("Nobody approves their own request."))
    _require_status(request, (ExpenditureStatus.REQUESTED,))
    note = _note(note, required=False)
    request = _swap(request, expected_version=expected_version)
    _decide(request, approver=approver, approved=True, note=note)
    if approvals_complete(request):
        # The line is locked so that a lowering of its amount waits for this approval.
        BudgetLine.objects.select_for_update().get(pk=request.budget_line_id)
        ExpenditureRequest.objects.filter(pk=request.pk).update(status=ExpenditureStatus.APPROVED)
        request.status = ExpenditureStatus.APPROVED
    return request


@transaction.atomic
def expenditure_reject(
    *, request: ExpenditureRequest, rejected_by: User, expected_version: int, note: str
) -> ExpenditureRequest:
    """Refuse the request (before payment), saying why."""
    books_check(user=rejected_by, row=request.budget_line.budget)
    if rejected_by.pk == request.requested_by_id:
        raise PermissionDenied(_("Withdraw your own request instead of rejecting it."))
    _require_status(request, OPEN)
    note = _note(note, required=True)
    request = _swap(request, expected_version=expected_version, status=ExpenditureStatus.REJECTED)
    _decide(request, approver=rejected_by, approved=False, note=note)
    return request


@transaction.atomic
def expenditure_withdraw(
    *, request: ExpenditureRequest, withdrawn_by: User, expected_version: int
) -> ExpenditureRequest:
    """The requester takes the request back (before payment)."""
    if withdrawn_by.pk != request.requested_by_id:
        raise PermissionDenied(_("Only the requester may withdraw a request."))
    _require_status(request, OPEN)
    return _swap(request, expected_version=expected_version, status=ExpenditureStatus.WITHDRAWN)


@transaction.atomic
def expenditure_pay(
    *,
    request: ExpenditureRequest,
    paid_by: User,
    expected_version: int,
    at: datetime | None = None,
) -> ExpenditureRequest:
    """Pay an approved request: mark it paid and post its ledger transaction (debit the
    expense account of the line's category, credit the bank account, both from the line's
    fund source), all or nothing. A second pay of the same version changes nothing.

    ``at`` records a payment made earlier (its local date is the transaction's date, which
    a locked month refuses); by default the payment is made now."""
    budget = request.budget_line.budget
    books_check(user=paid_by, row=budget)
    _require_status(request, (ExpenditureStatus.APPROVED,))
    now = timezone.now()
    if at is not None and at > now:
        raise ValidationError({"at": _("A payment cannot be recorded in the future.")})
    paid_at = at or now
    request = _swap(
        request,
        expected_version=expected_version,
        status=ExpenditureStatus.PAID,
        paid_at=paid_at,
        paid_by=paid_by,
    )
    line = request.budget_line
    chart = chart_ensure(entity=budget.entity)
    memo = request.payee[:200]
    posted = transaction_create(
        entity=budget.entity,
        created_by=paid_by,
        date=timezone.localdate(paid_at),
        description=(_("Payment: %(purpose)s") % {"purpose": request.purpose})[:200],
        reference=f"expenditure:{request.pk}",
        legs=[
            LegInput(chart[EXPENSE_CODES[line.category]], line.source, request.amount, memo),
            LegInput(chart[BANK], line.source, -request.amount, memo),
        ],
        post=True,
    )
    ExpenditureRequest.objects.filter(pk=request.pk).update(transaction=posted)
    request.transaction = posted
    return request
