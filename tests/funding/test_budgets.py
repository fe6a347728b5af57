"""Budgets per entity and fiscal year, with lines by category and fund source: only the
keepers of the books write them, a line is never lowered below what is committed on it,
and only the readers of the books see them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from funding.models import Budget
from funding.services.budgets import (
    budget_create,
    budget_line_add,
    budget_line_amount_change,
    committed_amount,
)
from tests import people

pytestmark = pytest.mark.django_db

URL = "/api/v1/funding/budgets/"


def _body(books, **overrides):
    body = {
        "entity_kind": "community",
        "entity": books["community"].pk,
        "fiscal_year": 2026,
        "lines": [
            {"category": "activities", "source": "sponsorship", "amount": "12000.50"},
            {"category": "office", "source": "street", "amount": "3000"},
        ],
    }
    return {**body, **overrides}


def test_a_finance_officer_opens_a_budget_with_its_lines(books, as_user):
    response = as_user(books["finance1"]).post(URL, _body(books), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["entity_key"] == f"C{books['community'].pk}"
    assert body["entity_kind"] == "community"
    assert (body["street"], body["community"], body["grid"]) == (
        books["street"].pk,
        books["community"].pk,
        None,
    )
    assert [(line["category"], line["source"], line["amount"]) for line in body["lines"]] == [
        ("activities", "sponsorship", "12000.50"),
        ("office", "street", "3000.00"),
    ]


def test_one_budget_per_entity_and_year(books, as_user):
    client = as_user(books["finance1"])
    assert client.post(URL, _body(books), format="json").status_code == 201

    again = client.post(URL, _body(books, lines=[]), format="json")

    assert again.status_code == 400
    assert again.json()["errors"][0]["attr"] == "fiscal_year"
    assert client.post(URL, _body(books, fiscal_year=2027), format="json").status_code == 201


@pytest.mark.parametrize(
    ("line", "attr"),
    [
        ({"category": "yachts", "source": "street", "amount": "1"}, "lines.0.category"),
        ({"category": "office", "source": "lottery", "amount": "1"}, "lines.0.source"),
        ({"category": "office", "source": "street", "amount": "0"}, "lines.0.amount"),
        ({"category": "office", "source": "street", "amount": "1.005"}, "lines.0.amount"),
    ],
)
def test_bad_lines_are_400_on_the_line(books, as_user, line, attr):
    response = as_user(books["finance1"]).post(URL, _body(books, lines=[line]), format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == attr
    assert not Budget.objects.filter(entity_key=f"C{books['community'].pk}").exists()


def test_the_same_category_and_source_twice_is_refused(books):
    with pytest.raises(ValidationError) as refusal:
        budget_create(
            entity=books["grid"],
            fiscal_year=2026,
            created_by=books["finance1"],
            lines=[("office", "street", "10"), ("office", "street", "20")],
        )
    assert "lines.1" in refusal.value.message_dict


@pytest.mark.parametrize("who", ["community_finance", "supervisor", "worker", "outsider"])
def test_only_keepers_of_the_books_open_a_budget(books, who):
    with pytest.raises(PermissionDenied):
        budget_create(entity=books["street"], fiscal_year=2027, created_by=books[who])


def test_a_community_finance_officer_keeps_the_community_books_only(books, as_user):
    client = as_user(books["community_finance"])

    assert client.post(URL, _body(books), format="json").status_code == 201
    street_budget = client.post(
        URL, _body(books, entity_kind="street", entity=books["street"].pk), format="json"
    )
    assert street_budget.status_code == 403


@pytest.mark.parametrize("who", ["supervisor", "worker"])
def test_readers_and_others_cannot_write_through_the_api(books, as_user, who):
    assert as_user(books[who]).post(URL, _body(books), format="json").status_code == 403


def test_plain_user_is_refused(books, plain_api):
    assert plain_api.post(URL, _body(books), format="json").status_code == 403
    assert plain_api.get(URL).json()["results"] == []
    assert plain_api.get(f"{URL}{books['budget'].pk}/").status_code == 404


def test_supervisors_read_budgets_grid_workers_and_outsiders_do_not(books, as_user):
    detail = f"{URL}{books['budget'].pk}/"

    seen = as_user(books["supervisor"]).get(URL).json()["results"]
    assert [budget["id"] for budget in seen] == [books["budget"].pk]
    assert as_user(books["supervisor"]).get(detail).status_code == 200
    for who in ("worker", "outsider"):
        assert as_user(books[who]).get(URL).json()["results"] == []
        assert as_user(books[who]).get(detail).status_code == 404


def test_lines_are_added_and_raised(books, as_user):
    client = as_user(books["finance2"])
    url = f"{URL}{books['budget'].pk}/lines/"

    added = client.post(url, {"category": "office", "source": "street", "amount": "900"})
    raised = client.post(url, {"category": "equipment", "source": "district", "amount": "60000"})

    assert added.status_code == 200 and raised.status_code == 200, raised.json()
    lines = {(line["category"], line["source"]): line["amount"] for line in raised.json()["lines"]}
    assert lines == {
        ("equipment", "district"): "60000.00",
        ("office", "street"): "900.00",
        ("training", "donation"): "8000.00",
    }


def test_a_line_is_lowered_to_what_is_committed_and_no_further(books, spend):
    spend("30000.00", approvers=(books["finance2"], people.root()))
    spend("5000.00", until="approved")
    spend("9000.00", until="requested")  # asked for only: not committed
    line = books["equipment"]
    assert committed_amount(line=line) == Decimal("35000.00")

    with pytest.raises(ValidationError) as refusal:
        budget_line_amount_change(line=line, amount="34999.99", changed_by=books["finance1"])
    assert "amount" in refusal.value.message_dict

    lowered = budget_line_amount_change(line=line, amount="35000", changed_by=books["finance1"])
    assert lowered.amount == Decimal("35000.00")
    line.refresh_from_db()
    assert line.amount == Decimal("35000.00")


def test_lowering_below_commitments_is_400_on_amount(books, spend, as_user):
    spend("30000.00", approvers=(books["finance2"], people.root()))
    response = as_user(books["finance1"]).post(
        f"{URL}{books['budget'].pk}/lines/",
        {"category": "equipment", "source": "district", "amount": "100"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "amount"


def test_only_keepers_change_lines(books):
    with pytest.raises(PermissionDenied):
        budget_line_add(
            budget=books["budget"],
            category="office",
            source="street",
            amount="10",
            added_by=books["community_finance"],
        )
    with pytest.raises(PermissionDenied):
        budget_line_amount_change(
            line=books["equipment"], amount="1", changed_by=books["supervisor"]
        )


def test_supervisor_cannot_set_lines_and_outsider_does_not_see_the_budget(books, as_user):
    url = f"{URL}{books['budget'].pk}/lines/"
    body = {"category": "office", "source": "street", "amount": "10"}

    assert as_user(books["supervisor"]).post(url, body).status_code == 403
    assert as_user(books["outsider"]).post(url, body).status_code == 404
