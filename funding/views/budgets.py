"""The budgets page: a year's budgets of the books the user reads, each line with what is
approved, paid and left on it; keepers open budgets, add lines and change amounts."""

from __future__ import annotations

from itertools import groupby
from operator import attrgetter

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from funding import selectors
from funding.forms import BudgetForm, BudgetLineForm, LineAmountForm
from funding.services.budgets import budget_create, budget_line_add, budget_line_amount_change
from funding.views.common import books_page, keeper_entities, picked_entity, submitted
from funding.views.reports import YearForm


def _budgets_url(year: int) -> str:
    return f"{reverse('funding:budgets')}?year={year}"


def _budgets_response(
    request: HttpRequest,
    year: int,
    *,
    new_form: BudgetForm | None = None,
    bound: forms.Form | None = None,
    bound_to: tuple[str, int] | None = None,
) -> HttpResponse:
    """The page for ``year``; a refused form comes back ``bound`` to the budget or line
    (``bound_to``) it was for, with its reasons, and the page answers 400."""
    entities = keeper_entities(request.user)
    budgets = list(
        selectors.budget_list(user=request.user)
        .filter(fiscal_year=year)
        .select_related("street", "community", "grid")
        .order_by("street__code", "community__code", "grid__code")
    )
    lines = selectors.budget_line_list(user=request.user).filter(budget__fiscal_year=year)
    by_budget = {
        budget_id: list(group)
        for budget_id, group in groupby(
            lines.order_by("budget_id", "category", "source"), key=attrgetter("budget_id")
        )
    }
    kept = selectors.books_scope(request.user, roles=selectors.KEEPER_ROLES)
    for budget in budgets:
        budget.line_rows = by_budget.get(budget.pk, [])
        budget.keeper = kept.covers(
            district_id=budget.district_id,
            street_id=budget.street_id,
            community_id=budget.community_id,
        )
        budget.line_form = BudgetLineForm(prefix=f"budget-{budget.pk}")
        if bound_to == ("budget", budget.pk):
            budget.line_form = bound
        for line in budget.line_rows:
            line.remaining = line.amount - line.approved_unpaid - line.paid
            line.amount_form = LineAmountForm(prefix=f"line-{line.pk}")
            if bound_to == ("line", line.pk):
                line.amount_form = bound
    failed = new_form is not None or bound is not None
    context = {
        "year": year,
        "year_form": YearForm({"year": year}),
        "budgets": budgets,
        "reads_books": not selectors.books_scope(request.user).empty,
        "new_form": new_form
        or (BudgetForm(entities=entities, initial={"fiscal_year": year}) if entities else None),
    }
    return render(request, "funding/budgets.html", context, status=400 if failed else 200)


@books_page
@require_http_methods(["GET", "HEAD", "POST"])
def budgets_page(request: HttpRequest) -> HttpResponse:
    """A year's budgets; a POST opens a budget (for books the user keeps)."""
    year = YearForm(request.GET).chosen_year()
    if request.method != "POST":
        return _budgets_response(request, year)
    entities = keeper_entities(request.user)
    if not entities:
        raise PermissionDenied(_("You do not keep any books."))
    form = BudgetForm(request.POST, entities=entities)
    budget = submitted(
        form,
        lambda data: budget_create(
            entity=picked_entity(data["entity"]),
            fiscal_year=data["fiscal_year"],
            created_by=request.user,
        ),
    )
    if budget is None:
        return _budgets_response(request, year, new_form=form)
    messages.success(request, _("Budget opened: add its lines."))
    return redirect(_budgets_url(budget.fiscal_year))


@books_page
@require_POST
def budget_line_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a line to a budget of books the user keeps."""
    budget = get_object_or_404(selectors.budget_list(user=request.user), pk=pk)
    form = BudgetLineForm(request.POST, prefix=f"budget-{budget.pk}")
    line = submitted(
        form,
        lambda data: budget_line_add(
            budget=budget,
            category=data["category"],
            source=data["source"],
            amount=data["amount"],
            added_by=request.user,
        ),
    )
    if line is None:
        return _budgets_response(
            request, budget.fiscal_year, bound=form, bound_to=("budget", budget.pk)
        )
    messages.success(request, _("Line added."))
    return redirect(_budgets_url(budget.fiscal_year))


@books_page
@require_POST
def budget_line_amount_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a line's amount (never below what is approved and paid on it)."""
    line = get_object_or_404(
        selectors.budget_line_list(user=request.user).select_related("budget"), pk=pk
    )
    year = line.budget.fiscal_year
    form = LineAmountForm(request.POST, prefix=f"line-{line.pk}")
    changed = submitted(
        form,
        lambda data: budget_line_amount_change(
            line=line, amount=data["amount"], changed_by=request.user
        ),
    )
    if changed is None:
        return _budgets_response(request, year, bound=form, bound_to=("line", line.pk))
    messages.success(request, _("Amount changed."))
    return redirect(_budgets_url(year))
