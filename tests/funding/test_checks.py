"""Irregular-use checks: each of the five findings on hand-made data, nothing raised twice,
and flags resolved with a note by those who read the books."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from funding.models import ExpenditureRequest, Flag
from funding.services.budgets import budget_create
from funding.services.checks import flag_resolve, funding_checks_run
from funding.services.expenditures import expenditure_approve
from funding.services.ledger import LegInput, chart_ensure, transaction_create
from funding.services.receipts import receipt_add
from gridgov.exceptions import StaleObjectError
from tests import people

pytestmark = pytest.mark.django_db

URL = "/api/v1/funding/flags/"
LOCAL = ZoneInfo("Asia/Shanghai")


def _at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LOCAL)


def _paid_at(request: ExpenditureRequest, moment: datetime) -> None:
    ExpenditureRequest.objects.filter(pk=request.pk).update(paid_at=moment)


def _keys(kind: str) -> set[str]:
    return set(Flag.objects.filter(kind=kind).values_list("key", flat=True))


def test_over_budget_line(books, spend):
    training = books["training"]
    exact = budget_create(
        entity=books["grid"],
        fiscal_year=2026,
        created_by=books["finance1"],
        lines=[("office", "street", "500")],
    ).lines.get()
    spend("500.00", line=exact)  # spent to the fen: not over
    first = spend("5000.00", line=training, until="requested")
    second = spend("5000.00", line=training, until="requested")  # fitted when asked for
    for request in (first, second):
        expenditure_approve(request=request, approver=books["finance2"], expected_version=1)

    counts = funding_checks_run()

    assert counts["over_budget"] == 1
    flag = Flag.objects.get(kind="over_budget")
    assert flag.key == f"over_budget:line:{training.pk}"
    assert "10000.00" in flag.reason and "8000.00" in flag.reason
    assert (flag.entity_key, flag.street_id, flag.status) == (
        f"S{books['street'].pk}",
        books["street"].pk,
        "open",
    )


def test_missing_receipt(books, spend, settings, pdf):
    settings.FUNDING_RECEIPT_DAYS = 30
    now = timezone.now()
    late, with_receipt, recent = spend("100"), spend("200"), spend("300")
    _paid_at(late, now - timedelta(days=30))
    _paid_at(with_receipt, now - timedelta(days=40))
    _paid_at(recent, now - timedelta(days=29, hours=23))
    spend("400", until="approved")  # not paid: nothing to receipt yet
    receipt_add(
        request=with_receipt,
        file=SimpleUploadedFile("r.pdf", pdf),
        uploaded_by=books["finance1"],
    )

    counts = funding_checks_run(now=now)

    assert counts["missing_receipt"] == 1
    flag = Flag.objects.get(kind="missing_receipt")
    assert (flag.key, flag.request_id) == (f"missing_receipt:request:{late.pk}", late.pk)
    assert "30 days" in flag.reason


def test_split_payments(books, spend, settings):
    settings.FUNDING_SECOND_APPROVAL_THRESHOLD = 10000
    line = budget_create(
        entity=books["grid"],
        fiscal_year=2026,
        created_by=books["finance1"],
        lines=[("equipment", "district", "100000")],
    ).lines.get()
    start = _at(2026, 3, 2, 10)
    split = [spend(amount, line=line, payee="甲公司") for amount in ("4000", "4000", "3000")]
    for request, days in zip(split, (0, 10, 25), strict=True):
        _paid_at(request, start + timedelta(days=days))
    apart = [spend("9000", line=line, payee="乙公司") for _ in range(2)]
    _paid_at(apart[0], start)
    _paid_at(apart[1], start + timedelta(days=31))
    for _ in range(2):  # 10,000 together: not above the threshold
        spend("5000", line=line, payee="丙公司")
    spend("9500", line=line, payee="丁公司")  # with one that had two approvals anyway
    spend("10000.01", line=line, payee="丁公司", approvers=(books["finance2"], people.root()))

    counts = funding_checks_run()

    assert counts["split_payment"] == 1
    flag = Flag.objects.get(kind="split_payment")
    assert (flag.key, flag.request_id) == (f"split_payment:request:{split[0].pk}", split[0].pk)
    assert "11000.00" in flag.reason and "甲公司" in flag.reason
    assert flag.entity_key == f"G{books['grid'].pk}"

    # A fourth payment extends the same split: nothing new.
    _paid_at(spend("1000", line=line, payee="甲公司"), start + timedelta(days=26))
    assert funding_checks_run()["split_payment"] == 0


def test_postings_outside_working_days(books, monkeypatch):
    chart = chart_ensure(entity=books["street"])
    moments = {
        "saturday": _at(2026, 3, 7, 10),
        # Saturday in Beijing, still Friday in UTC: the local date counts.
        "saturday_small_hours": _at(2026, 3, 7, 1, 30),
        "swapped_working_saturday": _at(2026, 2, 14, 10),
        "monday": _at(2026, 3, 9, 10),
        "labour_day": _at(2026, 5, 1, 9),
    }
    posted = {}
    for name, moment in moments.items():
        monkeypatch.setattr(timezone, "now", lambda moment=moment: moment)
        posted[name] = transaction_create(
            entity=books["street"],
            created_by=books["finance1"],
            date=moment.date(),
            description="区级拨款",
            legs=[
                LegInput(chart["1001"], "district", Decimal("100")),
                LegInput(chart["4001"], "district", Decimal("-100")),
            ],
            post=True,
        )
    monkeypatch.undo()

    counts = funding_checks_run()

    assert counts["off_day_posting"] == 3
    assert _keys("off_day_posting") == {
        f"off_day_posting:transaction:{posted[name].pk}"
        for name in ("saturday", "saturday_small_hours", "labour_day")
    }
    flag = Flag.objects.get(transaction=posted["saturday"])
    assert "2026-03-07" in flag.reason


def test_year_end_rush(books, spend):
    street_2025 = budget_create(
        entity=books["street"],
        fiscal_year=2025,
        created_by=books["finance1"],
        lines=[("office", "street", "20000")],
    )
    community_2025 = budget_create(
        entity=books["community"],
        fiscal_year=2025,
        created_by=books["finance1"],
        lines=[("office", "street", "20000")],
    )
    rushed = street_2025.lines.get()
    _paid_at(spend("7000", line=rushed), _at(2025, 6, 1, 10))
    _paid_at(spend("3000", line=rushed), _at(2025, 12, 18, 0, 30))  # 30 %: Dec 17 in UTC
    _paid_at(spend("5000", line=rushed), _at(2026, 1, 5, 10))  # another year: not counted
    calm = community_2025.lines.get()
    _paid_at(spend("7100", line=calm), _at(2025, 6, 1, 10))
    _paid_at(spend("2900", line=calm), _at(2025, 12, 31, 23, 59))  # 29 %
    _paid_at(spend("100", line=books["equipment"]), _at(2026, 12, 20, 10))  # all of 2026's

    counts = funding_checks_run()

    assert counts["year_end_rush"] == 2
    assert _keys("year_end_rush") == {
        f"year_end_rush:budget:{street_2025.pk}",
        f"year_end_rush:budget:{books['budget'].pk}",
    }
    flag = Flag.objects.get(key=f"year_end_rush:budget:{street_2025.pk}")
    assert "3000.00" in flag.reason and "10000.00" in flag.reason and "30 %" in flag.reason


def test_running_again_raises_nothing_twice(books, spend, settings):
    settings.FUNDING_RECEIPT_DAYS = 30
    now = timezone.now()
    _paid_at(spend("4000", payee="甲公司"), now - timedelta(days=30))
    _paid_at(spend("7000", payee="甲公司"), now - timedelta(days=1))
    first = funding_checks_run(now=now)
    kept = list(Flag.objects.order_by("pk").values_list("pk", "key"))
    assert first["missing_receipt"] == 1 and first["split_payment"] == 1
    assert len(kept) == sum(first.values())
    flag_resolve(flag=Flag.objects.get(kind="missing_receipt"), by=books["finance1"], note="补")

    again = funding_checks_run(now=now)

    assert again == dict.fromkeys(first, 0)
    assert list(Flag.objects.order_by("pk").values_list("pk", "key")) == kept


def _a_flag(books, spend) -> Flag:
    late = spend("100")
    _paid_at(late, timezone.now() - timedelta(days=settings.FUNDING_RECEIPT_DAYS + 1))
    funding_checks_run()
    return Flag.objects.get(kind="missing_receipt")


def test_resolving_needs_a_note(books, spend, as_user):
    flag = _a_flag(books, spend)
    client = as_user(books["supervisor"])
    url = f"{URL}{flag.pk}/resolve/"

    missing = client.post(url, {})
    blank = client.post(url, {"note": "   "})
    resolved = client.post(url, {"note": "收据已补交，经核对无误"})

    assert missing.status_code == 400 and missing.json()["errors"][0]["attr"] == "note"
    assert blank.status_code == 400
    assert resolved.status_code == 200, resolved.json()
    body = resolved.json()
    assert (body["status"], body["resolved_by"], body["resolution"]) == (
        "resolved",
        books["supervisor"].pk,
        "收据已补交，经核对无误",
    )
    assert body["resolved_at"] is not None
    again = as_user(books["finance1"]).post(url, {"note": "再次"})
    assert again.status_code == 400
    flag.refresh_from_db()
    assert flag.resolved_by == books["supervisor"]


def test_a_stale_copy_of_a_flag_is_resolved_once(books, spend):
    flag = _a_flag(books, spend)
    stale = Flag.objects.get(pk=flag.pk)
    flag_resolve(flag=flag, by=books["finance1"], note="已核实")

    with pytest.raises(StaleObjectError):
        flag_resolve(flag=stale, by=books["finance2"], note="重复处理")
    with pytest.raises(ValidationError):
        flag_resolve(flag=Flag.objects.get(pk=flag.pk), by=books["finance2"], note="重复处理")
    assert Flag.objects.get(pk=flag.pk).resolution == "已核实"


def test_flags_are_seen_by_finance_and_supervisors_only(books, spend, as_user, plain_api):
    flag = _a_flag(books, spend)
    detail = f"{URL}{flag.pk}/"

    for who in ("finance1", "supervisor"):
        listed = as_user(books[who]).get(URL, {"kind": "missing_receipt"}).json()["results"]
        assert [f["id"] for f in listed] == [flag.pk]
        assert as_user(books[who]).get(detail).json()["reason"] == flag.reason
    # The street's books are above a community's finance officer.
    for who in ("community_finance", "worker", "outsider"):
        assert as_user(books[who]).get(URL).json()["results"] == []
        assert as_user(books[who]).get(detail).status_code == 404
    assert plain_api.get(detail).status_code == 404
    assert as_user(books["worker"]).post(f"{detail}resolve/", {"note": "x"}).status_code == 403
    assert as_user(books["outsider"]).post(f"{detail}resolve/", {"note": "x"}).status_code == 404
    assert plain_api.post(f"{detail}resolve/", {"note": "x"}).status_code == 403


def test_checks_run_on_demand_over_the_callers_books(books, spend, as_user, plain_api):
    late = spend("100")
    _paid_at(late, timezone.now() - timedelta(days=settings.FUNDING_RECEIPT_DAYS + 1))
    run = f"{URL}run/"

    elsewhere = as_user(books["outsider"]).post(run)
    assert elsewhere.status_code == 200
    assert elsewhere.json()["missing_receipt"] == 0 and not Flag.objects.exists()
    assert as_user(books["worker"]).post(run).status_code == 403
    assert plain_api.post(run).status_code == 403

    response = as_user(books["supervisor"]).post(run)

    assert response.status_code == 200
    assert set(response.json()) == {
        "over_budget",
        "missing_receipt",
        "split_payment",
        "off_day_posting",
        "year_end_rush",
    }
    assert response.json()["missing_receipt"] == 1
    assert as_user(books["finance1"]).post(run).json()["missing_receipt"] == 0


def test_the_nightly_job_runs_the_checks(books, spend):
    from celery.schedules import crontab

    from funding.tasks import funding_checks_run as nightly

    late = spend("100")
    _paid_at(late, timezone.now() - timedelta(days=settings.FUNDING_RECEIPT_DAYS + 1))

    assert nightly.delay().get()["missing_receipt"] == 1
    entry = settings.CELERY_BEAT_SCHEDULE["run-funding-checks"]
    assert entry["task"] == "funding.tasks.funding_checks_run"
    assert entry["schedule"] == crontab(minute=15, hour=2)
