"""The public disclosure of a community's books (财务公开): open without a sign-in, only the
community's own posted books, received by source and spent by category per quarter, and
no individual payee's name."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from funding import reports
from funding.models import Account, Budget, BudgetLine, ExpenditureRequest
from funding.services.ledger import LegInput, chart_ensure, transaction_create
from tests import factories, people

pytestmark = pytest.mark.django_db
D = Decimal
YEAR = 2025


def _url(community_id: int) -> str:
    return f"/funding/disclosure/{community_id}/"


def _post(entity, user, day, debit, credit, source, amount, *, post=True, description="记账"):
    return transaction_create(
        entity=entity,
        created_by=user,
        date=day,
        description=description,
        legs=[LegInput(debit, source, D(amount)), LegInput(credit, source, -D(amount))],
        post=post,
    )


@pytest.fixture
def village():
    """Community C1's own books in 2025 and around them, books that must not show: the
    street's, a sibling community's, a grid's of C1, a draft and another year."""
    c1 = factories.community()
    street = c1.street
    c2 = factories.community(parent=street, number=2)
    grid = factories.grid(parent=c1)
    keeper = people.with_role("finance_officer", street, "keeper")
    chart = chart_ensure(entity=c1)
    odd = Account(code="5101", name="杂项", type="expense")
    odd.set_entity(c1)
    odd.save()
    budget = Budget(fiscal_year=YEAR, created_by=keeper)
    budget.set_entity(c1)
    budget.save()
    activities = BudgetLine.objects.create(
        budget=budget, category="activities", source="street", amount=D("10000.00")
    )
    personnel = BudgetLine.objects.create(
        budget=budget, category="personnel", source="street", amount=D("5000.00")
    )

    def pay(line, payee, kind, amount, day, *, status="paid"):
        books = None
        if status == "paid":
            code = "5004" if line is activities else "5001"
            books = _post(
                c1, keeper, day, chart[code], chart["1001"], "street", amount,
                description=f"支付{payee}",
            )  # fmt: skip
        return ExpenditureRequest.objects.create(
            budget_line=line,
            amount=D(amount),
            payee=payee,
            payee_kind=kind,
            purpose=f"{payee}的报酬",
            status=status,
            requested_by=keeper,
            transaction=books,
            paid_at=timezone.now() if books else None,
        )

    bank = chart["1001"]
    _post(c1, keeper, date(2025, 2, 1), bank, chart["4001"], "street", "30000.00")
    _post(c1, keeper, date(2025, 5, 6), bank, chart["4002"], "donation", "2000.00")
    _post(c1, keeper, date(2025, 8, 9), bank, chart["4002"], "sponsorship", "5000.00")
    _post(c1, keeper, date(2025, 3, 3), bank, chart["4002"], "donation", "99999.00", post=False)
    pay(activities, "阳光社工服务中心", "organisation", "4000.00", date(2025, 6, 1))
    pay(personnel, "张三", "individual", "1500.00", date(2025, 9, 30))
    pay(personnel, "李四", "individual", "500.00", date(2025, 10, 1))
    pay(personnel, "赵六", "individual", "700.00", date(2025, 10, 2), status="approved")
    _post(c1, keeper, date(2025, 12, 20), chart["5006"], bank, "street", "250.00")
    _post(c1, keeper, date(2025, 11, 11), odd, bank, "street", "100.00")
    _post(c1, keeper, date(2024, 6, 6), chart["5006"], bank, "street", "2024.24")

    street_chart = chart_ensure(entity=street)
    _post(street, keeper, date(2025, 1, 1), street_chart["1001"], street_chart["4001"],
          "district", "77777.77")  # fmt: skip
    c2_chart = chart_ensure(entity=c2)
    _post(c2, keeper, date(2025, 4, 4), c2_chart["5002"], c2_chart["1001"], "street", "888.88",
          description="隔壁物业公司")  # fmt: skip
    grid_chart = chart_ensure(entity=grid)
    _post(grid, keeper, date(2025, 4, 4), grid_chart["5001"], grid_chart["1001"], "street",
          "4321.00")  # fmt: skip
    return {"c1": c1, "c2": c2, "street": street, "keeper": keeper}


def test_the_community_books_per_quarter(village):
    books = reports.disclosure(village["c1"], YEAR)

    received = [(row["code"], row["quarters"], row["total"]) for row in books["received"]]
    zero = D("0.00")
    assert received == [
        ("street", [D("30000.00"), zero, zero, zero], D("30000.00")),
        ("sponsorship", [zero, zero, D("5000.00"), zero], D("5000.00")),
        ("donation", [zero, D("2000.00"), zero, zero], D("2000.00")),
    ]
    assert books["received_totals"] == [D("30000.00"), D("2000.00"), D("5000.00"), zero]
    assert books["received_total"] == D("37000.00")
    spent = [(row["code"], row["quarters"], row["total"]) for row in books["spent"]]
    assert spent == [
        ("personnel", [zero, zero, D("1500.00"), D("500.00")], D("2000.00")),
        ("activities", [zero, D("4000.00"), zero, zero], D("4000.00")),
        ("office", [zero, zero, zero, D("250.00")], D("250.00")),
        ("other", [zero, zero, zero, D("100.00")], D("100.00")),
    ]
    assert books["spent_totals"] == [zero, D("4000.00"), D("1500.00"), D("850.00")]
    assert books["spent_total"] == D("6350.00")
    assert [(p["name"], p["payments"], p["total"]) for p in books["payees"]] == [
        ("阳光社工服务中心", 1, D("4000.00")),
        ("Individuals (2 payments)", 2, D("2000.00")),
    ]
    assert not books["empty"]
    assert reports.disclosure(village["c1"], 2024)["spent_total"] == D("2024.24")


def test_the_page_is_public_and_names_no_individual(village):
    response = Client().get(_url(village["c1"].pk), {"year": YEAR})

    assert response.status_code == 200
    html = response.content.decode()
    for shown in ("阳光社工服务中心", "Individuals (2 payments)", "37000.00", "6350.00", "<svg"):
        assert shown in html
    for hidden in ("张三", "李四", "赵六", "报酬", "keeper"):
        assert hidden not in html
    for elsewhere in ("77777.77", "888.88", "隔壁物业公司", "4321.00", "99999", "2024.24"):
        assert elsewhere not in html


def test_the_year_picker_changes_the_year(village):
    client = Client()
    html = client.get(_url(village["c1"].pk), {"year": 2024}).content.decode()
    assert "2024.24" in html and "37000.00" not in html

    fallback = client.get(_url(village["c1"].pk), {"year": "abc"})
    assert fallback.status_code == 200
    assert fallback.context["year"] == timezone.localdate().year


def test_a_community_without_books_shows_an_empty_state(village):
    html = Client().get(_url(village["c2"].pk), {"year": 2024}).content.decode()
    assert "Nothing was received or spent" in html and "<svg" not in html

    quiet = factories.community(parent=village["street"], number=3)
    response = Client().get(_url(quiet.pk))
    assert response.status_code == 200
    assert "Nothing was received or spent" in response.content.decode()
    assert reports.disclosure(quiet, YEAR)["empty"]


def test_an_unknown_community_is_404(db):
    assert Client().get(_url(999999)).status_code == 404
