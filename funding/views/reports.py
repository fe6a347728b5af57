"""Browser pages of the funding app: the reports for those who read the books, with CSV and
XLSX exports of exactly the rows the page shows, and the public disclosure of one
community's books (财务公开), which needs no sign-in and shows no personal data."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from funding import reports
from funding.choices import FundSource
from funding.selectors import books_scope
from gridgov import exports
from grids.models import Community

YEAR_MIN, YEAR_MAX = 2000, 2100
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CHART = {"height": 200, "base": 170, "top": 20, "group": 100, "left": 40, "bar": 30}

# The keys of the report rows that a table and its exports show, in order, with their labels.
EXECUTION_COLUMNS: exports.Columns = (
    ("entity", gettext_lazy("Entity")),
    ("category", gettext_lazy("Budget category")),
    ("source", gettext_lazy("Fund source")),
    ("budget", gettext_lazy("Budget")),
    ("approved_unpaid", gettext_lazy("Approved, not paid")),
    ("paid", gettext_lazy("Paid")),
    ("remaining", gettext_lazy("Remaining")),
    ("execution", gettext_lazy("Execution %")),
)
INCOME_COLUMNS: exports.Columns = (
    ("period", gettext_lazy("Period")),
    *((f"source_{code}", label) for code, label in FundSource.choices),
    ("total", gettext_lazy("Total income")),
    ("government", gettext_lazy("Government sources")),
    ("non_government", gettext_lazy("Non-government sources")),
    ("non_government_share", gettext_lazy("Non-government share %")),
)
COST_COLUMNS: exports.Columns = (
    ("entity", gettext_lazy("Entity")),
    ("kind", gettext_lazy("Kind")),
    ("expense", gettext_lazy("Posted expense")),
    ("grids", gettext_lazy("Grids")),
    ("population", gettext_lazy("Residents")),
    ("cost_per_grid", gettext_lazy("Cost per grid")),
    ("cost_per_resident", gettext_lazy("Cost per resident")),
)


class YearForm(forms.Form):
    """The year picker; a year that does not validate falls back to this year."""

    year = forms.IntegerField(
        label=gettext_lazy("Year"), min_value=YEAR_MIN, max_value=YEAR_MAX, required=False
    )

    def chosen_year(self) -> int:
        self.is_valid()
        return self.cleaned_data.get("year") or timezone.localdate().year


class ReportForm(YearForm):
    entity = forms.RegexField(
        label=gettext_lazy("Entity"), regex=r"^[SCG][0-9]{1,10}$", required=False
    )
    by = forms.ChoiceField(
        label=gettext_lazy("Income by"),
        choices=[
            (reports.QUARTER, gettext_lazy("per quarter")),
            (reports.MONTH, gettext_lazy("per month")),
        ],
        required=False,
    )

    def chosen(self, name: str, default: str | None = None) -> str | None:
        self.is_valid()
        return self.cleaned_data.get(name) or default


def _width(value: Decimal | None, most: Decimal | None) -> str:
    """A bar's width in percent of ``most``, as CSS wants it (never localised)."""
    if not value or not most or value <= 0 or most <= 0:
        return "0"
    return f"{min(value / most * 100, Decimal(100)):.1f}"


def _table(rows: list[dict], columns, bars: Callable[[dict], list[dict]]) -> dict[str, Any]:
    """What a report's table shows: the column labels, and per row its cells as the export
    writes them (``text``) and its bars."""
    return {
        "columns": [str(label) for _key, label in columns],
        "rows": [
            {
                "total": row.get("is_total", False),
                "cells": [
                    {
                        "text": exports.cell_text(row.get(key)),
                        "num": isinstance(row.get(key), Decimal | int),
                    }
                    for key, _label in columns
                ],
                "bars": bars(row),
            }
            for row in rows
        ],
    }


def _execution_bars(row: dict) -> list[dict]:
    return [{"kind": "paid", "width": _width(row["execution"], Decimal(100))}]


def _income_bars(rows: list[dict]) -> Callable[[dict], list[dict]]:
    most = max((row["total"] for row in rows if not row["is_total"]), default=None)

    def bars(row: dict) -> list[dict]:
        if row["is_total"]:
            return []
        return [
            {"kind": "government", "width": _width(row["government"], most)},
            {"kind": "non-government", "width": _width(row["non_government"], most)},
        ]

    return bars


def _cost_bars(rows: list[dict]) -> Callable[[dict], list[dict]]:
    most = max((row["cost_per_resident"] or 0 for row in rows), default=None)
    return lambda row: [{"kind": "cost", "width": _width(row["cost_per_resident"], most)}]


def _report_rows(name: str, user, form: ReportForm, year: int) -> list[dict]:
    if name == "execution":
        return reports.budget_execution(user, year, form.chosen("entity"))
    if name == "income":
        return reports.income_by_source(user, year, by=form.chosen("by", reports.QUARTER))
    return reports.cost_per_grid_and_resident(user, year)


REPORTS = {
    "execution": (gettext_lazy("Budget execution"), EXECUTION_COLUMNS),
    "income": (gettext_lazy("Income by source"), INCOME_COLUMNS),
    "cost": (gettext_lazy("Cost per grid and resident"), COST_COLUMNS),
}


def _export(name: str, kind: str, rows: list[dict], year: int) -> HttpResponse:
    title, columns = REPORTS[name]
    if kind == "csv":
        body = exports.as_csv(rows, columns)
    else:
        body = exports.as_xlsx(rows, columns, title=str(title))
    response = HttpResponse(body, content_type=FORMATS[kind])
    response["Content-Disposition"] = f'attachment; filename="funding-{name}-{year}.{kind}"'
    return response


@login_required
@require_safe
def report_page(request: HttpRequest) -> HttpResponse:
    """The three reports of a year over the books the user reads; with ``format`` and
    ``report`` in the query, that report's rows as a CSV or XLSX file instead."""
    form = ReportForm(request.GET)
    year = form.chosen_year()
    kind = request.GET.get("format")
    if kind is not None:
        name = request.GET.get("report")
        if kind not in FORMATS or name not in REPORTS:
            return HttpResponseBadRequest(_("Unknown export: choose a report and csv or xlsx."))
        return _export(name, kind, _report_rows(name, request.user, form, year), year)
    context: dict[str, Any] = {"form": form, "year": year, "reads_books": False}
    if not books_scope(request.user).empty:
        rows = {name: _report_rows(name, request.user, form, year) for name in REPORTS}
        context.update(
            reads_books=True,
            entities=reports.budget_entities(request.user, year),
            entity=form.chosen("entity", ""),
            by=form.chosen("by", reports.QUARTER),
            tables={
                "execution": _table(rows["execution"], EXECUTION_COLUMNS, _execution_bars),
                "income": _table(rows["income"], INCOME_COLUMNS, _income_bars(rows["income"])),
                "cost": _table(rows["cost"], COST_COLUMNS, _cost_bars(rows["cost"])),
            },
        )
    return render(request, "funding/reports.html", context)


def _quarter_chart(received: list[Decimal], spent: list[Decimal]) -> list[dict]:
    """Bars of an SVG chart: per quarter, what was received and what was spent, scaled to
    the largest of them (a net negative quarter draws no bar)."""
    most = max([*received, *spent, Decimal(0)])
    room = CHART["base"] - CHART["top"]
    quarters = []
    for index, (got, used) in enumerate(zip(received, spent, strict=True)):
        left = CHART["left"] + index * CHART["group"]
        bars = []
        for offset, kind, amount in ((0, "received", got), (CHART["bar"] + 4, "spent", used)):
            height = int(amount / most * room) if most and amount > 0 else 0
            bars.append(
                {
                    "kind": kind,
                    "x": left + offset,
                    "y": CHART["base"] - height,
                    "height": height,
                    "amount": exports.cell_text(amount),
                }
            )
        label = _("Q%(quarter)s") % {"quarter": index + 1}
        quarters.append({"label": label, "x": left + CHART["bar"] + 2, "bars": bars})
    return quarters


@require_safe
def disclosure_page(request: HttpRequest, community_id: int) -> HttpResponse:
    """A community's public disclosure of a year: received by source and spent by budget
    category per quarter, and whom it paid (individuals only as a count and a total)."""
    community = get_object_or_404(Community.objects.select_related("street"), pk=community_id)
    form = YearForm(request.GET)
    year = form.chosen_year()
    books = reports.disclosure(community, year)
    return render(
        request,
        "funding/disclosure.html",
        {
            "form": form,
            "year": year,
            "books": books,
            "chart": _quarter_chart(books["received_totals"], books["spent_totals"]),
            "chart_size": CHART,
        },
    )
