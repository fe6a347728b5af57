"""The ledger API as a finance officer, a supervisor and everyone else meet it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from funding.models import Transaction
from funding.services.ledger import chart_ensure
from tests import factories, people

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def ledger():
    grid = factories.grid()
    street = grid.street
    return {
        "street": street,
        "chart": chart_ensure(entity=street),
        "keeper": people.with_role("finance_officer", street),
        "supervisor": people.with_role("supervisor", street.district),
        "worker": people.with_role("grid_worker", grid),
        "staff": people.with_role("street_staff", street),
    }


def _body(ledger, amount="1200.50", post=False):
    chart = ledger["chart"]
    return {
        "street": ledger["street"].pk,
        "date": "2026-05-06",
        "description": "企业赞助网格活动",
        "voucher_number": "记-0506",
        "legs": [
            {"account": chart["1001"].pk, "source": "sponsorship", "amount": amount},
            {"account": chart["4002"].pk, "source": "sponsorship", "amount": f"-{amount}"},
        ],
        "post": post,
    }


def test_a_finance_officer_records_posts_and_reverses(ledger):
    keeper = client_for(ledger["keeper"])
    created = keeper.post("/api/v1/funding/transactions/", _body(ledger), format="json")
    assert created.status_code == 201, created.content
    draft = created.json()
    assert draft["status"] == "draft" and len(draft["legs"]) == 2

    posted = keeper.post(f"/api/v1/funding/transactions/{draft['id']}/post/")
    assert posted.status_code == 200 and posted.json()["status"] == "posted"
    again = keeper.post(f"/api/v1/funding/transactions/{draft['id']}/post/")
    assert again.status_code == 409

    accounts = {a["code"]: a for a in keeper.get("/api/v1/funding/accounts/").json()["results"]}
    assert accounts["1001"]["balance"] == "1200.50"

    reversal = keeper.post(
        f"/api/v1/funding/transactions/{draft['id']}/reverse/", {"reason": "重复入账"}
    )
    assert reversal.status_code == 201, reversal.content
    assert reversal.json()["reverses"] == draft["id"]
    accounts = {a["code"]: a for a in keeper.get("/api/v1/funding/accounts/").json()["results"]}
    assert Decimal(accounts["1001"]["balance"]) == 0


def test_unbalanced_legs_answer_400_with_the_field_and_write_nothing(ledger):
    body = _body(ledger)
    body["legs"][1]["amount"] = "-1000.00"
    response = client_for(ledger["keeper"]).post(
        "/api/v1/funding/transactions/", body, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "legs"
    assert not Transaction.objects.exists()


def test_a_retried_post_with_the_same_idempotency_key_posts_once(ledger):
    keeper = client_for(ledger["keeper"])
    first = keeper.post(
        "/api/v1/funding/transactions/",
        _body(ledger, post=True),
        format="json",
        HTTP_IDEMPOTENCY_KEY="voucher-0506",
    )
    retry = keeper.post(
        "/api/v1/funding/transactions/",
        _body(ledger, post=True),
        format="json",
        HTTP_IDEMPOTENCY_KEY="voucher-0506",
    )
    assert first.status_code == retry.status_code == 201
    assert first.json()["id"] == retry.json()["id"]
    assert Transaction.objects.count() == 1


def test_supervisors_read_but_do_not_write_and_nobody_else_reads(ledger):
    client_for(ledger["keeper"]).post(
        "/api/v1/funding/transactions/", _body(ledger, post=True), format="json"
    )
    supervisor = client_for(ledger["supervisor"])
    assert len(supervisor.get("/api/v1/funding/transactions/").json()["results"]) == 1
    refused = supervisor.post("/api/v1/funding/transactions/", _body(ledger), format="json")
    assert refused.status_code == 403
    for outsider in ("worker", "staff"):
        client = client_for(ledger[outsider])
        assert client.get("/api/v1/funding/transactions/").json()["results"] == []
        assert client.get("/api/v1/funding/accounts/").json()["results"] == []
    books = Transaction.objects.get()
    assert (
        client_for(ledger["worker"]).get(f"/api/v1/funding/transactions/{books.pk}/").status_code
        == 404
    )


def test_sources_say_which_are_government_money(ledger):
    sources = {
        s["code"]: s for s in client_for(ledger["worker"]).get("/api/v1/funding/sources/").json()
    }
    assert sources["district"]["government"] is True
    assert sources["donation"]["government"] is False
