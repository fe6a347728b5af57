"""The ledger page as finance officers and supervisors use it: accounts with their posted
balances, transactions recorded from the form (drafts or posted at once, refused when
unbalanced or one-legged), drafts posted once, posted ones reversed once; read-only for
supervisors, empty for everyone else, absent for other streets' officers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext

from funding.models import Leg, Transaction
from funding.models.entities import entity_key
from funding.services.ledger import account_balance, period_lock
from tests import factories
from tests.funding.pages import (
    DAY,
    LEDGER,
    chart,
    client_for,
    html,
    ledger_url,
    legs_body,
    move,
    shown_messages,
)

pytestmark = pytest.mark.django_db


def _row(page: str, pk: int) -> str:
    """The HTML of transaction ``pk``'s row."""
    start = page.index(f'data-transaction="{pk}"')
    return page[start : page.index("</tr>", start)]


def _reason(books: Transaction, reason: str) -> dict:
    """The body of a transaction's reverse form (its fields are prefixed by its id)."""
    return {f"reverse-{books.pk}-reason": reason, f"reverse-{books.pk}-date": ""}


def test_the_keeper_sees_accounts_with_posted_balances_and_the_transactions(books):
    street = books["street"]
    posted = move(street, books["finance1"], "1500.00")
    draft = move(street, books["finance1"], "99.00", post=False)

    response = client_for(books["finance1"]).get(LEDGER, {"entity": entity_key(street)})

    assert response.status_code == 200
    page = html(response)
    assert "1001" in page and "银行存款" in page
    assert ">1500.00<" in page and ">-1500.00<" in page  # bank and income, drafts left out
    assert "99.00" in _row(page, draft.pk) and "Post" in _row(page, draft.pk)
    assert "Reverse" in _row(page, posted.pk)
    assert f'name="reverse-{posted.pk}-reason"' in _row(page, posted.pk)
    assert 'id="new-transaction"' in page
    assert f'<option value="{entity_key(street)}" selected>' in page


def test_the_status_filter_shows_only_drafts(books):
    posted = move(books["street"], books["finance1"], "1500.00")
    draft = move(books["street"], books["finance1"], "99.00", post=False)

    response = client_for(books["finance1"]).get(
        LEDGER, {"entity": entity_key(books["street"]), "status": "draft"}
    )

    assert [t.pk for t in response.context["page"]] == [draft.pk]
    assert f'data-transaction="{posted.pk}"' not in html(response)


def test_the_entity_picker_switches_to_the_community_books(books):
    move(books["street"], books["finance1"], "1500.00")
    move(books["community"], books["finance1"], "321.00")
    client = client_for(books["finance1"])

    community = client.get(ledger_url(books["community"]))

    assert community.status_code == 200
    assert "321.00" in html(community) and "1500.00" not in html(community)
    assert community.context["entity"] == books["community"]


@pytest.mark.parametrize("post", [False, True])
def test_a_balanced_transaction_is_recorded_from_the_form(books, post):
    accounts = chart(books["street"])
    body = legs_body(
        (accounts["1001"], "district", "2000.00"),
        (accounts["4001"], "district", "-2000.00"),
        voucher_number="记-0001",
        **({"post": "on"} if post else {}),
    )

    response = client_for(books["finance1"]).post(ledger_url(books["street"]), body, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [(ledger_url(books["street"]), 302)]
    recorded = Transaction.objects.get()
    assert shown_messages(response) == [f"Transaction {recorded.pk} recorded."]
    assert recorded.status == ("posted" if post else "draft")
    assert (recorded.voucher_number, recorded.date, recorded.created_by) == (
        "记-0001",
        DAY,
        books["finance1"],
    )
    assert sorted(recorded.legs.values_list("amount", flat=True)) == [
        Decimal("-2000.00"),
        Decimal("2000.00"),
    ]
    expected = Decimal("2000.00") if post else Decimal("0.00")
    assert account_balance(accounts["1001"]) == expected
    assert "记-0001" in html(response)


def test_an_unbalanced_transaction_is_400_with_the_reason_and_writes_nothing(books):
    accounts = chart(books["street"])
    body = legs_body(
        (accounts["1001"], "district", "2000.00"),
        (accounts["4001"], "district", "-1999.00"),
        post="on",
    )

    response = client_for(books["finance1"]).post(ledger_url(books["street"]), body)

    assert response.status_code == 400
    assert "The legs must sum to zero; they sum to 1.00." in html(response)
    assert "<details open>" in html(response)  # the form stays open with what was typed
    assert 'value="区拨款到账"' in html(response)
    assert not Transaction.objects.exists() and not Leg.objects.exists()
    assert account_balance(accounts["1001"]) == 0


def test_a_single_leg_is_400_and_writes_nothing(books):
    accounts = chart(books["street"])
    body = legs_body((accounts["1001"], "district", "2000.00"))

    response = client_for(books["finance1"]).post(ledger_url(books["street"]), body)

    assert response.status_code == 400
    assert "A transaction has at least two legs." in html(response)
    assert not Transaction.objects.exists()


def test_an_account_of_other_books_is_not_offered_and_is_refused(books):
    own = chart(books["street"])
    other = chart(books["community"])  # same street, other books: not offered
    body = legs_body(
        (own["1001"], "district", "10.00"), (other["4001"], "district", "-10.00"), post="on"
    )

    response = client_for(books["finance1"]).post(ledger_url(books["street"]), body)

    assert response.status_code == 400
    assert "Select a valid choice" in html(response)
    assert not Transaction.objects.exists()


def test_posting_a_draft_and_posting_it_again(books):
    draft = move(books["street"], books["finance1"], "700.00", post=False)
    bank = chart(books["street"])["1001"]
    client = client_for(books["finance2"])
    url = f"/funding/transactions/{draft.pk}/post/"

    first = client.post(url, follow=True)

    assert first.redirect_chain == [(ledger_url(books["street"]), 302)]
    assert shown_messages(first) == [f"Transaction {draft.pk} posted."]
    draft.refresh_from_db()
    assert (draft.status, draft.posted_by) == ("posted", books["finance2"])
    assert account_balance(bank) == Decimal("700.00")

    second = client.post(url, follow=True)

    assert second.status_code == 200
    assert shown_messages(second) == [f"Transaction {draft.pk} was posted already."]
    assert account_balance(bank) == Decimal("700.00")
    assert ">700.00<" in html(second) and ">1400.00<" not in html(second)


def test_posting_a_draft_of_a_locked_month_says_why_and_keeps_the_draft(books):
    draft = move(books["street"], books["finance1"], "700.00", post=False)
    period_lock(street=books["street"], month=DAY, locked_by=books["finance1"])

    client = client_for(books["finance1"])
    client.raise_request_exception = False  # answer as the browser would see it

    response = client.post(f"/funding/transactions/{draft.pk}/post/", follow=True)

    # The service refuses (ValidationError on "date"); the page must say so, not fail.
    assert response.status_code != 500
    assert response.status_code in (200, 400)
    assert "2026-11 is locked." in html(response)
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_posted_transaction_is_reversed_once(books):
    original = move(books["street"], books["finance1"], "1500.00")
    bank = chart(books["street"])["1001"]
    client = client_for(books["finance2"])
    url = f"/funding/transactions/{original.pk}/reverse/"

    first = client.post(url, _reason(original, "重复入账"), follow=True)

    reversal = Transaction.objects.get(reverses=original)
    assert first.redirect_chain == [(ledger_url(books["street"]), 302)]
    assert shown_messages(first) == [
        f"Transaction {original.pk} reversed by transaction {reversal.pk}."
    ]
    assert reversal.status == "posted" and "重复入账" in reversal.description
    assert account_balance(bank) == 0
    assert f"reverses {original.pk}" in html(first)

    second = client.post(url, _reason(original, "再冲一次"), follow=True)

    assert second.status_code == 200
    assert shown_messages(second) == [
        "Nothing was reversed: This transaction has been reversed already."
    ]
    assert Transaction.objects.filter(reverses=original).count() == 1
    assert Transaction.objects.count() == 2
    assert account_balance(bank) == 0


def test_a_reversal_needs_a_reason(books):
    original = move(books["street"], books["finance1"], "1500.00")

    response = client_for(books["finance1"]).post(
        f"/funding/transactions/{original.pk}/reverse/", _reason(original, ""), follow=True
    )

    assert shown_messages(response) == ["Nothing was reversed: This field is required."]
    assert Transaction.objects.count() == 1


def test_a_draft_cannot_be_reversed(books):
    draft = move(books["street"], books["finance1"], "700.00", post=False)

    response = client_for(books["finance1"]).post(
        f"/funding/transactions/{draft.pk}/reverse/", _reason(draft, "错账"), follow=True
    )

    assert shown_messages(response) == [
        "Nothing was reversed: Only a posted transaction is reversed; edit or drop a draft."
    ]
    assert Transaction.objects.count() == 1


def test_the_supervisor_reads_the_ledger_without_a_form_and_cannot_write(books):
    draft = move(books["street"], books["finance1"], "700.00", post=False)
    posted = move(books["street"], books["finance1"], "300.00")
    accounts = chart(books["street"])
    client = client_for(books["supervisor"])

    page = client.get(ledger_url(books["street"]))

    assert page.status_code == 200
    assert ">300.00<" in html(page) and f'data-transaction="{draft.pk}"' in html(page)
    assert 'id="new-transaction"' not in html(page)
    assert "/funding/transactions/" not in html(page)  # neither post nor reverse buttons
    body = legs_body(
        (accounts["1001"], "district", "5.00"), (accounts["4001"], "district", "-5.00")
    )
    assert client.post(ledger_url(books["street"]), body).status_code == 403
    assert client.post(f"/funding/transactions/{draft.pk}/post/").status_code == 403
    reverse = client.post(f"/funding/transactions/{posted.pk}/reverse/", _reason(posted, "x"))
    assert reverse.status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert Transaction.objects.count() == 2


@pytest.mark.parametrize("who", ["worker", "plain"])
def test_users_without_books_see_the_empty_state(books, who, plain_user):
    move(books["street"], books["finance1"], "1500.00")
    user = plain_user if who == "plain" else books[who]
    client = client_for(user)

    for params in ({}, {"entity": entity_key(books["street"])}):
        response = client.get(LEDGER, params)
        assert response.status_code == 200
        assert "You do not read any books" in html(response)
        assert "1500.00" not in html(response) and "银行存款" not in html(response)
    assert client.post(ledger_url(books["street"]), {}).status_code in (200, 403)
    assert Transaction.objects.count() == 1


def test_books_one_does_not_read_are_404(books):
    move(books["street"], books["finance1"], "1500.00")
    chart(factories.street(number=2))  # the outsider's own street
    outsider = client_for(books["outsider"])

    assert outsider.get(LEDGER).status_code == 200  # their own street's books
    assert outsider.get(ledger_url(books["street"])).status_code == 404
    assert outsider.get(LEDGER, {"entity": "S999999"}).status_code == 404
    assert outsider.get(LEDGER, {"entity": "nonsense"}).status_code == 404
    community_officer = client_for(books["community_finance"])
    chart(books["community"])
    assert community_officer.get(ledger_url(books["street"])).status_code == 404


def test_the_outsider_cannot_post_or_reverse_the_streets_transactions(books):
    draft = move(books["street"], books["finance1"], "700.00", post=False)
    posted = move(books["street"], books["finance1"], "300.00")
    outsider = client_for(books["outsider"])

    assert outsider.post(f"/funding/transactions/{draft.pk}/post/").status_code == 404
    response = outsider.post(f"/funding/transactions/{posted.pk}/reverse/", _reason(posted, "x"))
    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert not Transaction.objects.filter(reverses=posted).exists()


def test_the_page_needs_a_sign_in_and_the_steps_a_post(books):
    from django.test import Client

    draft = move(books["street"], books["finance1"], "700.00", post=False)

    response = Client().get(LEDGER)
    assert response.status_code == 302 and "login" in response["Location"]
    finance = client_for(books["finance1"])
    assert finance.get(f"/funding/transactions/{draft.pk}/post/").status_code == 405
    assert finance.get(f"/funding/transactions/{draft.pk}/reverse/").status_code == 405


def test_the_ledger_page_speaks_chinese(books):
    move(books["street"], books["finance1"], "1500.00")
    client = client_for(books["finance1"])
    client.cookies["django_language"] = "zh-hans"
    headings = ("Ledger", "Accounts", "Transactions", "Posted balance", "Record a transaction")
    with translation.override("zh-hans"):
        chinese = [gettext(heading) for heading in headings]
    assert all(ours != theirs for ours, theirs in zip(chinese, headings, strict=True)), chinese

    page = html(client.get(ledger_url(books["street"])))

    assert 'lang="zh-hans"' in page
    for heading in chinese:
        assert heading in page
    assert "<h2>Accounts</h2>" not in page and "Record a transaction" not in page
    english = html(client_for(books["finance1"]).get(ledger_url(books["street"])))
    assert "<h2>Accounts</h2>" in english
