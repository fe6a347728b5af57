"""The ledger page: one entity's accounts with their posted balances and its transactions,
and for the books' keepers a form to record a transaction, post drafts and reverse posted
ones (nothing posted is ever edited)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from funding import selectors
from funding.choices import TransactionStatus
from funding.forms import ReverseForm, TransactionForm, leg_formset
from funding.models import Transaction
from funding.reports import book_entities
from funding.services.ledger import (
    AlreadyPosted,
    LegInput,
    transaction_create,
    transaction_post,
    transaction_reverse,
)
from funding.views.common import books_page, keeps, page_of, picked_entity, submitted


def _ledger_url(entity_key: str) -> str:
    return f"{reverse('funding:ledger')}?entity={entity_key}"


def _record(request: HttpRequest, entity, form: TransactionForm, legs) -> Transaction | None:
    """Record the form's transaction; None with the reasons on the forms when refused."""
    if not legs.is_valid():
        form.is_valid()
        return None

    def create(data: dict) -> Transaction:
        return transaction_create(
            entity=entity,
            created_by=request.user,
            date=data["date"],
            description=data["description"],
            reference=data["reference"],
            voucher_number=data["voucher_number"],
            legs=[
                LegInput(leg["account"], leg["source"], leg["amount"], leg["memo"])
                for leg in legs.cleaned_data
                if leg
            ],
            post=data["post"],
        )

    return submitted(form, create)


@books_page
@require_http_methods(["GET", "HEAD", "POST"])
def ledger_page(request: HttpRequest) -> HttpResponse:
    """Accounts and transactions of one entity's books (the first the user reads unless
    ``entity`` names another); a POST records a transaction in them."""
    entities = book_entities(request.user)
    if not entities:
        return render(request, "funding/ledger.html", {"entities": []})
    keys = {key for key, _label in entities}
    key = request.GET.get("entity") or entities[0][0]
    if key not in keys:  # books the user does not read are as absent as no books
        raise Http404
    entity = picked_entity(key)
    keeper = keeps(request.user, entity)
    accounts = selectors.account_list(user=request.user).filter(entity_key=key).order_by("code")
    form = legs = None
    status = 200
    if keeper:
        active = accounts.filter(active=True)
        form = TransactionForm(request.POST or None)
        legs = leg_formset(active, request.POST or None)
        if request.method == "POST":
            recorded = _record(request, entity, form, legs)
            if recorded is not None:
                messages.success(request, _("Transaction %(id)s recorded.") % {"id": recorded.pk})
                return redirect(_ledger_url(key))
            status = 400
    elif request.method == "POST":
        raise PermissionDenied(_("You do not keep these books."))
    transactions = selectors.transaction_list(user=request.user).filter(entity_key=key)
    shown_status = request.GET.get("status", "")
    if shown_status in TransactionStatus.values:
        transactions = transactions.filter(status=shown_status)
    page = page_of(request, transactions.order_by("-date", "-pk"))
    for books in page:
        books.reverse_form = ReverseForm(prefix=f"reverse-{books.pk}")
    context = {
        "entities": entities,
        "entity_key": key,
        "entity": entity,
        "keeper": keeper,
        "accounts": accounts,
        "page": page,
        "statuses": TransactionStatus.choices,
        "shown_status": shown_status,
        "form": form,
        "legs": legs,
    }
    return render(request, "funding/ledger.html", context, status=status)


def _kept_transaction(request: HttpRequest, pk: int) -> Transaction:
    books = get_object_or_404(selectors.transaction_list(user=request.user), pk=pk)
    if not selectors.keeps_books_of(request.user, books):
        raise PermissionDenied(_("You do not keep these books."))
    return books


@books_page
@require_POST
def transaction_post_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Post a draft (a second click finds it posted and says so)."""
    books = _kept_transaction(request, pk)
    try:
        transaction_post(transaction=books, posted_by=request.user)
    except AlreadyPosted:
        messages.warning(request, _("Transaction %(id)s was posted already.") % {"id": pk})
    except ValidationError as refusal:
        messages.error(
            request,
            _("Transaction %(id)s was not posted: %(reasons)s")
            % {"id": pk, "reasons": " ".join(refusal.messages)},
        )
    else:
        messages.success(request, _("Transaction %(id)s posted.") % {"id": pk})
    return redirect(_ledger_url(books.entity_key))


@books_page
@require_POST
def transaction_reverse_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Reverse a posted transaction with a reason: a new, linked mirror transaction."""
    books = _kept_transaction(request, pk)
    form = ReverseForm(request.POST, prefix=f"reverse-{books.pk}")
    reversal = submitted(
        form,
        lambda data: transaction_reverse(
            transaction=books, reversed_by=request.user, date=data["date"], reason=data["reason"]
        ),
    )
    if reversal is None:
        reasons = " ".join(message for errors in form.errors.values() for message in errors)
        messages.error(request, _("Nothing was reversed: %(reasons)s") % {"reasons": reasons})
    else:
        messages.success(
            request,
            _("Transaction %(id)s reversed by transaction %(reversal)s.")
            % {"id": pk, "reversal": reversal.pk},
        )
    return redirect(_ledger_url(books.entity_key))
