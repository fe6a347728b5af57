"""The budgets page: a year's budgets with what is approved, paid and left on each line;
keepers open budgets (one per books and year), add lines and change amounts (never below
what is committed); supervisors read, and cannot write."""

from __future__ import annotations

from decimal import Decimal

import pytest

from funding.models import Budget, BudgetLine
from funding.models.entities import entity_key
from tests.funding.pages import (
    BUDGETS,
    approved,
    ask,
    client_for,
    html,
    paid,
    shown_messages,
)

pytestmark = pytest.mark.django_db


def _line_row(page: str, line: BudgetLine) -> str:
    start = page.index(f'data-line="{line.pk}"')
    return page[start : page.index("</tr>", start)]


def _cells(row: str) -> list[str]:
    """The numeric cells of a line's row as shown: budget, approved not paid, paid,
    remaining."""
    cells = row.split('<td class="num">')[1:]
    return [cell.split("</td>")[0] for cell in cells]


def _numbers(row: str) -> list[Decimal]:
    return [Decimal(cell) for cell in _cells(row)]


def _money(*amounts: str) -> list[Decimal]:
    return [Decimal(amount) for amount in amounts]


def _year(books) -> int:
    return books["budget"].fiscal_year


def test_the_keeper_sees_the_years_budgets_with_their_lines(books):
    response = client_for(books["finance1"]).get(BUDGETS, {"year": _year(books)})

    assert response.status_code == 200
    page = html(response)
    assert f'id="budget-{books["budget"].pk}"' in page
    assert _numbers(_line_row(page, books["equipment"])) == _money("50000", "0", "0", "50000")
    assert "Change the amount" in page and "Add a line" in page and 'id="new-budget"' in page
    other_year = client_for(books["finance1"]).get(BUDGETS, {"year": _year(books) - 1})
    assert "No budgets for this year." in html(other_year)


def test_approved_paid_and_remaining_follow_the_requests(books):
    line = books["equipment"]
    approved(ask(line, books["finance1"], "2000.00"), books["finance2"])
    paid(approved(ask(line, books["finance1"], "3000.00"), books["finance2"]), books["finance2"])
    ask(line, books["finance1"], "700.00")  # only requested: takes nothing yet

    response = client_for(books["supervisor"]).get(BUDGETS, {"year": _year(books)})

    assert response.status_code == 200
    page = html(response)
    assert _numbers(_line_row(page, line)) == _money("50000", "2000", "3000", "45000")
    assert _numbers(_line_row(page, books["training"])) == _money("8000", "0", "0", "8000")


def test_every_amount_of_a_line_is_shown_to_the_fen(books):
    """Money columns read alike: 2000.00, not 2000 next to 50000.00."""
    line = books["equipment"]
    approved(ask(line, books["finance1"], "2000.00"), books["finance2"])
    paid(approved(ask(line, books["finance1"], "3000.00"), books["finance2"]), books["finance2"])

    page = html(client_for(books["finance1"]).get(BUDGETS, {"year": _year(books)}))

    assert _cells(_line_row(page, line)) == ["50000.00", "2000.00", "3000.00", "45000.00"]
    assert _cells(_line_row(page, books["training"])) == ["8000.00", "0.00", "0.00", "8000.00"]


def test_a_keeper_opens_a_budget_for_their_community_once(books):
    community = books["community"]
    client = client_for(books["community_finance"])
    body = {"entity": entity_key(community), "fiscal_year": "2027"}

    response = client.post(f"{BUDGETS}?year=2027", body, follow=True)

    assert response.redirect_chain == [(f"{BUDGETS}?year=2027", 302)]
    assert shown_messages(response) == ["Budget opened: add its lines."]
    budget = Budget.objects.get(entity_key=entity_key(community), fiscal_year=2027)
    assert budget.created_by == books["community_finance"]
    assert f'id="budget-{budget.pk}"' in html(response) and "No lines yet." in html(response)

    again = client.post(f"{BUDGETS}?year=2027", body)

    assert again.status_code == 400
    assert "These books have a budget for this year." in html(again)
    assert Budget.objects.filter(entity_key=entity_key(community)).count() == 1


def test_the_community_officer_is_offered_only_their_community(books):
    response = client_for(books["community_finance"]).get(BUDGETS, {"year": 2027})

    choices = response.context["new_form"].fields["entity"].choices
    assert [key for key, _label in choices] == [entity_key(books["community"])]

    street = {"entity": entity_key(books["street"]), "fiscal_year": "2027"}
    refused = client_for(books["community_finance"]).post(f"{BUDGETS}?year=2027", street)
    assert refused.status_code == 400
    assert "Select a valid choice" in html(refused)
    assert not Budget.objects.filter(fiscal_year=2027).exists()


def test_a_line_is_added_and_a_duplicate_refused(books):
    budget = books["budget"]
    client = client_for(books["finance2"])
    url = f"/funding/budgets/{budget.pk}/lines/"
    prefix = f"budget-{budget.pk}"
    body = {
        f"{prefix}-category": "office",
        f"{prefix}-source": "street",
        f"{prefix}-amount": "1200",
    }

    response = client.post(url, body, follow=True)

    assert response.redirect_chain == [(f"{BUDGETS}?year={budget.fiscal_year}", 302)]
    assert shown_messages(response) == ["Line added."]
    line = budget.lines.get(category="office")
    assert (line.source, line.amount) == ("street", Decimal("1200.00"))
    assert _cells(_line_row(html(response), line))[0] == "1200.00"

    again = client.post(url, body)

    assert again.status_code == 400
    assert "This category and fund source have a line already." in html(again)
    assert budget.lines.filter(category="office").count() == 1


def test_a_line_amount_is_raised_and_lowered_but_never_below_what_is_committed(books):
    line = books["training"]
    approved(ask(line, books["finance1"], "2500.00"), books["finance2"])
    paid(approved(ask(line, books["finance1"], "1500.00"), books["finance2"]), books["finance2"])
    client = client_for(books["finance1"])
    url = f"/funding/budget-lines/{line.pk}/amount/"
    field = f"line-{line.pk}-amount"

    raised = client.post(url, {field: "9000.00"}, follow=True)

    assert shown_messages(raised) == ["Amount changed."]
    line.refresh_from_db()
    assert line.amount == Decimal("9000.00")

    lowered = client.post(url, {field: "4000.00"})

    assert lowered.status_code == 302
    line.refresh_from_db()
    assert line.amount == Decimal("4000.00")

    refused = client.post(url, {field: "3999.99"})

    assert refused.status_code == 400
    assert "Approved and paid requests already take 4000.00 from it." in html(refused)
    assert "<details open>" in html(refused)
    line.refresh_from_db()
    assert line.amount == Decimal("4000.00")


def test_the_supervisor_reads_the_budgets_without_forms(books):
    response = client_for(books["supervisor"]).get(BUDGETS, {"year": _year(books)})

    assert response.status_code == 200
    page = html(response)
    assert "50000.00" in page
    assert "Change the amount" not in page and "Add a line" not in page
    assert 'id="new-budget"' not in page


def test_the_supervisor_gets_403_on_the_budget_posts(books):
    budget, line = books["budget"], books["equipment"]
    client = client_for(books["supervisor"])

    opened = client.post(
        f"{BUDGETS}?year=2027", {"entity": entity_key(books["street"]), "fiscal_year": "2027"}
    )
    prefix = f"budget-{budget.pk}"
    added = client.post(
        f"/funding/budgets/{budget.pk}/lines/",
        {f"{prefix}-category": "office", f"{prefix}-source": "street", f"{prefix}-amount": "1"},
    )
    changed = client.post(
        f"/funding/budget-lines/{line.pk}/amount/", {f"line-{line.pk}-amount": "1.00"}
    )

    assert not Budget.objects.filter(fiscal_year=2027).exists()
    assert not budget.lines.filter(category="office").exists()
    line.refresh_from_db()
    assert line.amount == Decimal("50000.00")
    assert [opened.status_code, added.status_code, changed.status_code] == [403, 403, 403]


def test_users_without_books_see_the_empty_state_and_others_books_are_404(books, plain_user):
    for user in (plain_user, books["worker"]):
        response = client_for(user).get(BUDGETS, {"year": _year(books)})
        assert response.status_code == 200
        assert "You do not read any books" in html(response)
        assert "50000.00" not in html(response)

    outsider = client_for(books["outsider"])
    assert "50000.00" not in html(outsider.get(BUDGETS, {"year": _year(books)}))
    line = books["equipment"]
    assert (
        outsider.post(
            f"/funding/budget-lines/{line.pk}/amount/", {f"line-{line.pk}-amount": "1.00"}
        ).status_code
        == 404
    )
    assert outsider.post(f"/funding/budgets/{books['budget'].pk}/lines/", {}).status_code == 404
    line.refresh_from_db()
    assert line.amount == Decimal("50000.00")
