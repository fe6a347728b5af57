"""Expenditure requests in the browser: the list with a form to ask for money, and a page
per request with its approvals, receipts and flags, where keepers approve, reject and pay
and the requester withdraws. Every step carries the version the page showed, so a second
click or a stale page changes nothing."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from funding import selectors
from funding.choices import ExpenditureStatus
from funding.forms import ExpenditureForm, NoteForm, ReceiptForm
from funding.models import ExpenditureRequest, Receipt
from funding.services.expenditures import (
    OPEN,
    expenditure_approve,
    expenditure_pay,
    expenditure_reject,
    expenditure_request,
    expenditure_withdraw,
)
from funding.services.receipts import MAX_BYTES, ReceiptTooLarge, receipt_add
from funding.views.common import books_page, page_of, submitted
from gridgov.exceptions import StaleObjectError

STEPS: dict[str, Callable[..., ExpenditureRequest]] = {
    "approve": lambda request, user, version, note: expenditure_approve(
        request=request, approver=user, expected_version=version, note=note
    ),
    "reject": lambda request, user, version, note: expenditure_reject(
        request=request, rejected_by=user, expected_version=version, note=note
    ),
    "pay": lambda request, user, version, note: expenditure_pay(
        request=request, paid_by=user, expected_version=version
    ),
    "withdraw": lambda request, user, version, note: expenditure_withdraw(
        request=request, withdrawn_by=user, expected_version=version
    ),
}
DONE = {
    "approve": gettext_lazy("Approval recorded."),
    "reject": gettext_lazy("Request rejected."),
    "pay": gettext_lazy("Paid, and posted to the ledger."),
    "withdraw": gettext_lazy("Request withdrawn."),
}


def _kept_lines(user):
    """Budget lines of this and later years in books the user keeps: where they may ask."""
    kept = selectors.books_scope(user, roles=selectors.KEEPER_ROLES)
    if kept.empty:
        return selectors.budget_line_list(user=user).none()
    return (
        selectors.budget_line_list(user=user)
        .filter(kept.q("budget__"), budget__fiscal_year__gte=timezone.localdate().year)
        .order_by("budget__street__code", "budget__community__code", "category", "source")
    )


@books_page
@require_http_methods(["GET", "HEAD", "POST"])
def requests_page(request: HttpRequest) -> HttpResponse:
    """The requests of the books the user reads, newest first, by status; a POST asks."""
    lines = _kept_lines(request.user)
    form = ExpenditureForm(request.POST or None, lines=lines)
    if request.method == "POST":
        asked = submitted(
            form,
            lambda data: expenditure_request(
                budget_line=data["budget_line"],
                amount=data["amount"],
                payee=data["payee"],
                payee_kind=data["payee_kind"],
                purpose=data["purpose"],
                requested_by=request.user,
            ),
        )
        if asked is not None:
            messages.success(request, _("Request %(id)s sent for approval.") % {"id": asked.pk})
            return redirect("funding:request", asked.pk)
    rows = selectors.expenditure_list(user=request.user).select_related(
        "budget_line__budget__street",
        "budget_line__budget__community",
        "budget_line__budget__grid",
    )
    shown = request.GET.get("status", "")
    if shown in ExpenditureStatus.values:
        rows = rows.filter(status=shown)
    context = {
        "reads_books": not selectors.books_scope(request.user).empty,
        "page": page_of(request, rows.order_by("-pk")),
        "statuses": ExpenditureStatus.choices,
        "shown_status": shown,
        "form": form if lines.exists() else None,
    }
    status = 400 if form.is_bound else 200
    return render(request, "funding/requests.html", context, status=status)


def _offered(request: HttpRequest, expenditure: ExpenditureRequest, keeper: bool) -> list[str]:
    """The steps that make sense for this user now (the services decide in the end)."""
    user = request.user
    own = expenditure.requested_by_id == user.pk
    decided = any(a.approver_id == user.pk for a in expenditure.approvals.all())
    steps = []
    if expenditure.status == ExpenditureStatus.REQUESTED and keeper and not own and not decided:
        steps.append("approve")
    if expenditure.status in OPEN and keeper and not own:
        steps.append("reject")
    if expenditure.status == ExpenditureStatus.APPROVED and keeper:
        steps.append("pay")
    if expenditure.status in OPEN and own:
        steps.append("withdraw")
    return steps


def _request_response(
    request: HttpRequest,
    expenditure: ExpenditureRequest,
    *,
    step_form: tuple[str, NoteForm] | None = None,
    receipt_form: ReceiptForm | None = None,
    status: int = 200,
) -> HttpResponse:
    keeper = selectors.keeps_books_of(request.user, expenditure.budget_line.budget)
    steps = _offered(request, expenditure, keeper)
    forms = {step: NoteForm(initial={"version": expenditure.version}) for step in steps}
    if step_form is not None and step_form[0] in forms:
        forms[step_form[0]] = step_form[1]
    takes_receipts = keeper and expenditure.status not in (
        ExpenditureStatus.REJECTED,
        ExpenditureStatus.WITHDRAWN,
    )
    context = {
        "expenditure": expenditure,
        "budget": expenditure.budget_line.budget,
        "steps": [(step, forms[step]) for step in steps],
        "receipt_form": (receipt_form or ReceiptForm()) if takes_receipts else None,
        "flags": expenditure.flags.order_by("-detected_at"),
    }
    return render(request, "funding/request.html", context, status=status)


def _expenditure(request: HttpRequest, pk: int) -> ExpenditureRequest:
    return get_object_or_404(
        selectors.expenditure_list(user=request.user).select_related(
            "budget_line__budget__street",
            "budget_line__budget__community",
            "budget_line__budget__grid",
            "transaction",
        ),
        pk=pk,
    )


@books_page
@require_safe
def request_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _request_response(request, _expenditure(request, pk))


def _stale(request: HttpRequest, expenditure: ExpenditureRequest) -> HttpResponse:
    messages.error(
        request,
        _("This request was changed meanwhile (or the step was done already): nothing was done."),
    )
    return _request_response(request, expenditure, status=409)


@books_page
@require_POST
def request_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Approve, reject, pay or withdraw; back to the request with what happened."""
    if step not in STEPS:
        raise Http404
    expenditure = _expenditure(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid() and form.cleaned_data["version"] not in (None, expenditure.version):
        # Before anything else: a page that saw an older version (a second click) must
        # hear that the request moved on, not why the step no longer fits its status.
        return _stale(request, expenditure)
    try:
        done = submitted(
            form,
            lambda data: STEPS[step](
                expenditure,
                request.user,
                data["version"] if data["version"] is not None else expenditure.version,
                data["note"],
            ),
        )
    except StaleObjectError:
        return _stale(request, _expenditure(request, pk))
    if done is None:
        return _request_response(request, expenditure, step_form=(step, form), status=400)
    messages.success(request, DONE[step])
    return redirect("funding:request", pk)


@books_page
@require_POST
def receipt_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a receipt (also after payment) to a request of books the user keeps."""
    expenditure = _expenditure(request, pk)
    form = ReceiptForm(request.POST, request.FILES)
    try:
        receipt = submitted(
            form,
            lambda data: receipt_add(
                request=expenditure, file=data["file"], uploaded_by=request.user
            ),
        )
    except ReceiptTooLarge as refusal:
        form.add_error(
            "file",
            _("The file %(name)s is larger than %(limit)d MB.")
            % {"name": refusal.name, "limit": MAX_BYTES // (1024 * 1024)},
        )
        return _request_response(request, expenditure, receipt_form=form, status=413)
    if receipt is None:
        return _request_response(request, expenditure, receipt_form=form, status=400)
    messages.success(request, _("Receipt added."))
    return redirect("funding:request", pk)


@login_required
@require_safe
def receipt_file(request: HttpRequest, pk: int) -> FileResponse:
    """A receipt of a request in the user's books, with its checked content type."""
    receipt = get_object_or_404(
        Receipt.objects.filter(request__in=selectors.expenditure_list(user=request.user)), pk=pk
    )
    try:
        file = receipt.file.open("rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(file, content_type=receipt.content_type)
    response["Content-Disposition"] = f'inline; filename="receipt-{receipt.pk}"'
    patch_cache_control(response, private=True)
    return response
