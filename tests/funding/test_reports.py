"""Funding reports: budget execution, income by source with the non-government share, cost
per grid and per resident; only posted books count, only for those who read the books, and
the CSV and XLSX exports carry exactly the rows the page shows."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from funding import reports
from funding.models import Budget, BudgetLine, ExpenditureRequest
from funding.models.entities import entity_key
from funding.services.ledger import LegInput, chart_ensure, transaction_create, transaction_reverse
from tests import factories, people

pytestmark = pytest.mark.django_db
D = Decimal
YEAR = 2025
URL = "/funding/reports/"


def _move(entity, user, day, debit, credit, source, amount, *, post=True):
    """A transaction of ``entity``'s books: ``amount`` debited to ``debit`` and credited
    to ``credit`` (account codes of its standard chart), from ``source``."""
    chart = chart_ensure(entity=entity)
    return transaction_create(
        entity=entity,
        created_by=user,
        date=day,
        description="测试",
        legs=[
            LegInput(chart[debit], source, D(amount)),
            LegInput(chart[credit], source, -D(amount)),
        ],
        post=post,
    )


def _income(entity, user, day, code, source, amount, **kwargs):
    return _move(entity, user, day, "1001", code, source, amount, **kwargs)


def _expense(entity, user, day, code, source, amount, **kwargs):
    return _move(entity, user, day, code, "1001", source, amount, **kwargs)


def _budget(entity, user, year, lines):
    """A budget of ``lines`` of (category, source, amount, [(status, amount), ...])."""
    budget = Budget(fiscal_year=year, created_by=user)
    budget.set_entity(entity)
    budget.save()
    for category, source, amount, requests in lines:
        line = BudgetLine.objects.create(
            budget=budget, category=category, source=source, amount=D(amount)
        )
        for status, spent in requests:
            ExpenditureRequest.objects.create(
                budget_line=line,
                amount=D(spent),
                payee="五金建材店",
                payee_kind="organisation",
                purpose="采购",
                status=status,
                requested_by=user,
            )
    return budget


@pytest.fixture
def city():
    """Street 1 (grids G1 1,200 and G2 800 residents in community C1; G3 500 and an
    inactive G4 300 in C2) with books at each level; street 2 of the same district with its
    own books. The amounts below are the ones the formulas are checked against."""
    c1 = factories.community()
    street = c1.street
    c2 = factories.community(parent=street, number=2)
    g1 = factories.grid(parent=c1, number=1, population=1200)
    factories.grid(parent=c1, number=2, population=800)
    factories.grid(parent=c2, number=1, population=500)
    factories.grid(parent=c2, number=2, population=300, active=False)
    other = factories.street(number=2)
    other_grid = factories.grid(parent=factories.community(parent=other), population=100)
    keeper = people.with_role("finance_officer", street, "keeper")
    outsider = people.with_role("finance_officer", other, "outsider")

    _income(street, keeper, date(2025, 1, 15), "4001", "district", "100000.00")
    _income(street, keeper, date(2025, 2, 10), "4002", "sponsorship", "20000.00")
    gift = _income(street, keeper, date(2025, 2, 20), "4002", "donation", "800.00")
    transaction_reverse(transaction=gift, reversed_by=keeper, date=date(2025, 3, 1))
    _income(street, keeper, date(2025, 3, 3), "4002", "donation", "99999.00", post=False)
    _income(street, keeper, date(2025, 5, 20), "4002", "donation", "5000.00")
    _income(street, keeper, date(2025, 7, 1), "4001", "municipal", "30000.00")
    _income(street, keeper, date(2025, 11, 30), "4003", "service_income", "2500.00")
    _income(street, keeper, date(2024, 12, 31), "4001", "district", "7777.00")
    _expense(street, keeper, date(2025, 3, 15), "5002", "district", "12000.00")
    _expense(street, keeper, date(2025, 8, 8), "5003", "donation", "3000.55")
    _expense(street, keeper, date(2025, 9, 9), "5004", "district", "50000.00", post=False)
    _income(c1, keeper, date(2025, 4, 2), "4001", "street", "40000.00")
    _expense(c1, keeper, date(2025, 6, 18), "5004", "street", "7000.50")
    _income(c2, keeper, date(2025, 10, 10), "4001", "street", "1000.00")
    _expense(c2, keeper, date(2025, 10, 12), "5006", "street", "1000.00")
    _expense(g1, keeper, date(2025, 12, 1), "5001", "street", "600.00")
    _income(other, outsider, date(2025, 1, 5), "4001", "district", "55555.55")
    _expense(other, outsider, date(2025, 1, 6), "5002", "district", "1111.11")
    _expense(other_grid, outsider, date(2025, 1, 7), "5001", "district", "222.22")

    _budget(
        street,
        keeper,
        2025,
        [
            (
                "equipment",
                "district",
                "50000.00",
                [
                    ("paid", "12000.00"),
                    ("approved", "8000.00"),
                    ("requested", "5000.00"),
                    ("rejected", "1000.00"),
                    ("withdrawn", "900.00"),
                ],
            ),
            ("training", "donation", "7000.00", [("paid", "3000.55")]),
        ],
    )
    _budget(street, keeper, 2024, [("personnel", "district", "1000.00", [("paid", "999.00")])])
    _budget(c1, keeper, 2025, [("activities", "street", "10000.00", [("paid", "7000.50")])])
    _budget(other, outsider, 2025, [("equipment", "district", "9000.00", [("paid", "1.00")])])
    return {
        "street": street,
        "c1": c1,
        "c2": c2,
        "g1": g1,
        "other": other,
        "keeper": keeper,
        "outsider": outsider,
        "c1_keeper": people.with_role("finance_officer", c1, "c1-keeper"),
        "supervisor": people.with_role("supervisor", street.district, "supervisor"),
        "worker": people.with_role("grid_worker", g1, "worker"),
        "staff": people.with_role("street_staff", street, "staff"),
    }


def _pick(rows, *keys):
    return [tuple(row[key] for key in keys) for row in rows]


EXECUTION_KEYS = ("category_code", "budget", "approved_unpaid", "paid", "remaining", "execution")


def test_budget_execution_per_line_and_entity(city):
    rows = reports.budget_execution(city["keeper"], YEAR)

    street, c1 = entity_key(city["street"]), entity_key(city["c1"])
    assert [row["entity_key"] for row in rows] == [street, street, street, c1, c1]
    assert _pick(rows, *EXECUTION_KEYS) == [
        ("equipment", D("50000.00"), D("8000.00"), D("12000.00"), D("30000.00"), D("24.00")),
        ("training", D("7000.00"), D("0.00"), D("3000.55"), D("3999.45"), D("42.87")),
        ("", D("57000.00"), D("8000.00"), D("15000.55"), D("33999.45"), D("26.32")),
        ("activities", D("10000.00"), D("0.00"), D("7000.50"), D("2999.50"), D("70.01")),
        ("", D("10000.00"), D("0.00"), D("7000.50"), D("2999.50"), D("70.01")),
    ]
    assert [row["is_total"] for row in rows] == [False, False, True, False, True]
    assert rows[0]["entity"] == str(city["street"]) and rows[0]["source_code"] == "district"

    only_c1 = reports.budget_execution(city["keeper"], YEAR, entity_key=c1)
    assert _pick(only_c1, *EXECUTION_KEYS) == _pick(rows[3:], *EXECUTION_KEYS)
    assert reports.budget_execution(city["keeper"], 2024)[0]["paid"] == D("999.00")


QUARTERS = [
    # period, district, street, municipal, sponsorship, donation, service, total, gov, share
    ("Q1", "100000.00", "0.00", "0.00", "20000.00", "0.00", "0.00", "120000.00", "100000.00",
     "16.67"),
    ("Q2", "0.00", "40000.00", "0.00", "0.00", "5000.00", "0.00", "45000.00", "40000.00",
     "11.11"),
    ("Q3", "0.00", "0.00", "30000.00", "0.00", "0.00", "0.00", "30000.00", "30000.00", "0.00"),
    ("Q4", "0.00", "1000.00", "0.00", "0.00", "0.00", "2500.00", "3500.00", "1000.00",
     "71.43"),
    ("total", "100000.00", "41000.00", "30000.00", "20000.00", "5000.00", "2500.00",
     "198500.00", "171000.00", "13.85"),
]  # fmt: skip
INCOME_KEYS = (
    "period_key",
    "source_district",
    "source_street",
    "source_municipal",
    "source_sponsorship",
    "source_donation",
    "source_service_income",
    "total",
    "government",
    "non_government_share",
)


def test_income_by_source_per_quarter_with_the_non_government_share(city):
    rows = reports.income_by_source(city["keeper"], YEAR)

    expected = [(q[0], *(D(v) for v in q[1:])) for q in QUARTERS]
    assert _pick(rows, *INCOME_KEYS) == expected
    for row in rows:
        assert row["non_government"] == row["total"] - row["government"]
        assert row["source_special"] == row["source_social_org"] == row["source_other"] == 0
    assert rows[0]["period"] == "2025 Q1"


def test_income_per_month_nets_a_reversal_and_has_no_share_without_income(city):
    rows = reports.income_by_source(city["keeper"], YEAR, by="month")

    assert len(rows) == 13 and rows[-1]["is_total"]
    february, march, june = rows[1], rows[2], rows[5]
    assert (february["period"], february["source_donation"], february["total"]) == (
        "2025-02",
        D("800.00"),
        D("20800.00"),
    )
    assert (march["source_donation"], march["total"], march["non_government_share"]) == (
        D("-800.00"),
        D("-800.00"),
        None,
    )
    assert (june["total"], june["non_government_share"]) == (D("0.00"), None)
    assert rows[-1]["total"] == D("198500.00")  # the draft of 99,999 and 2024 count nowhere


COST_KEYS = ("entity_key", "expense", "grids", "population", "cost_per_grid", "cost_per_resident")


def test_cost_per_grid_and_per_resident(city):
    rows = reports.cost_per_grid_and_resident(city["keeper"], YEAR)

    s, c1, c2, g1 = (entity_key(city[name]) for name in ("street", "c1", "c2", "g1"))
    assert _pick(rows, *COST_KEYS) == [
        (s, D("15000.55"), 3, 2500, D("5000.18"), D("6.00")),
        (c1, D("7000.50"), 2, 2000, D("3500.25"), D("3.50")),
        (g1, D("600.00"), 1, 1200, D("600.00"), D("0.50")),
        (c2, D("1000.00"), 1, 500, D("1000.00"), D("2.00")),
    ]
    assert [row["entity_kind"] for row in rows] == ["street", "community", "grid", "community"]


def test_a_community_without_residents_has_no_cost_per_resident(city):
    empty = factories.community(parent=city["street"], number=3)
    _expense(empty, city["keeper"], date(2025, 5, 5), "5006", "street", "300.00")

    row = next(
        row
        for row in reports.cost_per_grid_and_resident(city["keeper"], YEAR)
        if row["entity_key"] == entity_key(empty)
    )

    assert (row["grids"], row["cost_per_grid"], row["cost_per_resident"]) == (0, None, None)


def test_reports_read_only_the_books_in_scope(city):
    c1_keeper = city["c1_keeper"]
    assert [r["entity_key"] for r in reports.budget_execution(c1_keeper, YEAR)] == [
        entity_key(city["c1"])
    ] * 2
    income = reports.income_by_source(c1_keeper, YEAR)
    assert [row["total"] for row in income] == [0, D("40000.00"), 0, 0, D("40000.00")]
    assert [r["entity_key"] for r in reports.cost_per_grid_and_resident(c1_keeper, YEAR)] == [
        entity_key(city["c1"]),
        entity_key(city["g1"]),
    ]
    outsider = reports.cost_per_grid_and_resident(city["outsider"], YEAR)
    assert _pick(outsider, "expense") == [(D("1111.11"),), (D("222.22"),)]
    supervised = reports.cost_per_grid_and_resident(city["supervisor"], YEAR)
    assert len(supervised) == 6  # both streets of the district


@pytest.mark.parametrize("who", ["worker", "staff"])
def test_grid_workers_and_street_staff_get_nothing(city, who):
    user = city[who]
    assert reports.budget_execution(user, YEAR) == []
    assert reports.income_by_source(user, YEAR) == []
    assert reports.cost_per_grid_and_resident(user, YEAR) == []
    assert reports.budget_entities(user, YEAR) == []


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_needs_a_sign_in():
    response = Client().get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_user_without_book_roles_sees_an_empty_state(city, plain_user):
    for user in (plain_user, city["worker"]):
        response = _client(user).get(URL, {"year": YEAR})
        assert response.status_code == 200
        assert "You do not read any books" in response.content.decode()
        assert "100000.00" not in response.content.decode()


def test_the_page_shows_the_rows_with_bars_and_an_export_link(city):
    response = _client(city["keeper"]).get(URL, {"year": YEAR})

    assert response.status_code == 200
    html = response.content.decode()
    for value in ("26.32", "42.87", "13.85", "71.43", "5000.18", "6.00", "198500.00"):
        assert value in html
    assert "99999" not in html and "55555.55" not in html
    assert "?year=2025&amp;format=csv&amp;report=execution" in html
    assert 'class="bar bar-paid" style="--bar: 24.0%"' in html
    assert reverse("funding:ledger") in _client(city["keeper"]).get("/").content.decode()


def _page_rows(user, report, **params):
    response = _client(user).get(URL, {"year": YEAR, **params})
    table = response.context["tables"][report]
    return table["columns"], [[cell["text"] for cell in row["cells"]] for row in table["rows"]]


@pytest.mark.parametrize(
    ("report", "params"),
    [("execution", {}), ("income", {}), ("income", {"by": "month"}), ("cost", {})],
)
def test_csv_export_equals_the_page(city, report, params):
    columns, shown = _page_rows(city["keeper"], report, **params)

    response = _client(city["keeper"]).get(
        URL, {"year": YEAR, **params, "format": "csv", "report": report}
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"funding-{report}-2025.csv" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0] == columns
    assert lines[1:] == shown
    assert len(shown) == {"execution": 5, "income": 5 if not params else 13, "cost": 4}[report]


@pytest.mark.parametrize("report", ["execution", "income", "cost"])
def test_xlsx_export_equals_the_page(city, report):
    columns, shown = _page_rows(city["keeper"], report)

    response = _client(city["keeper"]).get(URL, {"year": YEAR, "format": "xlsx", "report": report})

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert [str(v) for v in values[0]] == columns
    assert len(values) - 1 == len(shown)
    for cells, page in zip(sheet.iter_rows(min_row=2), shown, strict=True):
        for cell, text in zip(cells, page, strict=True):
            if cell.value is None:
                assert text == ""
            elif isinstance(cell.value, int | float):
                assert D(str(cell.value)) == D(text), (cell.value, text)
                assert cell.number_format == ("0.00" if "." in text else "General")
            else:
                assert cell.value == text


def test_exports_of_a_user_without_books_are_empty_and_a_bad_export_is_400(city):
    worker = _client(city["worker"])
    response = worker.get(URL, {"year": YEAR, "format": "csv", "report": "cost"})
    assert response.status_code == 200
    assert len(list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))) == 1

    keeper = _client(city["keeper"])
    assert keeper.get(URL, {"format": "pdf", "report": "cost"}).status_code == 400
    assert keeper.get(URL, {"format": "csv", "report": "nope"}).status_code == 400


def test_the_entity_picker_narrows_the_execution_report(city):
    c1 = entity_key(city["c1"])
    _columns, shown = _page_rows(city["keeper"], "execution", entity=c1)

    assert len(shown) == 2 and shown[0][-1] == "70.01"
    html = _client(city["keeper"]).get(URL, {"year": YEAR, "entity": c1}).content.decode()
    assert f'<option value="{c1}" selected>' in html
