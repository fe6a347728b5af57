"""The funding app's part of ``manage.py seed_demo``: two fiscal years of books for street 1
and its first communities, through the same services the finance officers use.

Mostly government allocations, with a few sponsorships and donations; budgets per entity
and year; expenditure requests in every state (finance1 requests, finance2 approves, the
administrator adds the second approval above the threshold); and a few planted
irregularities that the nightly check finds (a payment without a receipt, payments split
under the threshold, a booking dated on a Sunday, a year-end rush). Idempotent: when the
street's books hold demo transactions, the step leaves them as they are.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from funding.choices import BudgetCategory as C
from funding.choices import ExpenditureStatus, PayeeKind
from funding.models import BudgetLine, Transaction
from funding.services import budgets, expenditures
from funding.services.checks import funding_checks_run
from funding.services.ledger import LegInput, chart_ensure, transaction_create
from funding.services.receipts import receipt_add
from gridgov.demo import DemoContext, register
from gridgov.workdays import is_working_day
from grids.models import Community, Street

DEMO_REFERENCE = "demo-books"
COMMUNITIES = 3
RECEIPT = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# Budget lines of an entity per year: category, source, amount for a street (communities
# get a quarter).
LINES = (
    (C.PERSONNEL, "district", 360_000),
    (C.EQUIPMENT, "district", 80_000),
    (C.TRAINING, "district", 30_000),
    (C.ACTIVITIES, "street", 40_000),
    (C.ACTIVITIES, "sponsorship", 20_000),
    (C.PLATFORM, "district", 60_000),
    (C.OFFICE, "street", 24_000),
)
PAYEES = {
    C.PERSONNEL: ("网格员补贴发放", PayeeKind.INDIVIDUAL),
    C.EQUIPMENT: ("城关办公设备有限公司", PayeeKind.ORGANISATION),
    C.TRAINING: ("县社会治理培训中心", PayeeKind.ORGANISATION),
    C.ACTIVITIES: ("惠民社会工作服务社", PayeeKind.ORGANISATION),
    C.PLATFORM: ("智慧网格信息科技有限公司", PayeeKind.ORGANISATION),
    C.OFFICE: ("惠民文具店", PayeeKind.ORGANISATION),
}
# Of every ten requests, how they end: mostly paid, the rest spread over the other states.
ENDINGS = (["paid"] * 6) + ["approved", "requested", "rejected", "withdrawn"]


def _workday(day: date) -> date:
    """The first working day from ``day`` on: offices book on working days."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def _income(ctx, entity, keeper, day: date, source: str, amount: int, text: str) -> None:
    """Book ``amount`` received from ``source`` on ``day`` (as given: planted irregularities
    need their odd days)."""
    chart = chart_ensure(entity=entity)
    income = {"sponsorship": "4002", "donation": "4002", "social_org": "4002"}.get(source)
    income = income or ("4003" if source == "service_income" else "4001")
    value = Decimal(amount)
    transaction_create(
        entity=entity,
        created_by=keeper,
        date=day,
        description=text,
        reference=DEMO_REFERENCE,
        voucher_number=f"收-{day:%Y%m%d}",
        legs=[
            LegInput(chart["1001"], source, value),
            LegInput(chart[income], source, -value),
        ],
        post=True,
    )
    ctx.count(_("demo ledger transactions"), "created")


def _months(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _spend(ctx, line: BudgetLine, day: date, amount: Decimal, ending: str, people, rng) -> None:
    """One request against ``line`` taken to ``ending`` on ``day``."""
    requester, approver, admin = people
    payee, kind = PAYEES[line.category]
    request = expenditures.expenditure_request(
        budget_line=line,
        amount=amount,
        payee=payee,
        payee_kind=kind,
        purpose=_("%(category)s, %(month)s")
        % {
            "category": line.get_category_display(),
            "month": f"{day:%Y-%m}",
        },
        requested_by=requester,
    )
    if ending == "withdrawn":
        expenditures.expenditure_withdraw(
            request=request, withdrawn_by=requester, expected_version=request.version
        )
    elif ending == "rejected":
        expenditures.expenditure_reject(
            request=request, rejected_by=approver, expected_version=request.version, note="超出标准"
        )
    elif ending != "requested":
        request = expenditures.expenditure_approve(
            request=request, approver=approver, expected_version=request.version
        )
        if request.status != ExpenditureStatus.APPROVED:
            request = expenditures.expenditure_approve(
                request=request, approver=admin, expected_version=request.version
            )
        if ending == "paid":
            request = expenditures.expenditure_pay(
                request=request, paid_by=approver, expected_version=request.version, at=_aware(day)
            )
            if rng.random() < 0.95:
                receipt_add(
                    request=request,
                    file=SimpleUploadedFile("receipt.pdf", RECEIPT, "application/pdf"),
                    uploaded_by=requester,
                )
    ctx.count(_("demo expenditure requests"), "created")


@register("funding: demo books", order=40)
def seed_books(ctx: DemoContext) -> None:
    """Street 1's books and those of its first communities, two fiscal years."""
    label = _("demo ledger transactions")
    street = Street.objects.filter(district=ctx.data["district"]).order_by("code").first()
    if Transaction.objects.filter(street=street, reference=DEMO_REFERENCE).exists():
        ctx.count(label, "unchanged")
        return
    users = get_user_model().objects.in_bulk(
        ["finance1", "finance2", "admin"], field_name="username"
    )
    people = (users["finance1"], users["finance2"], users["admin"])
    communities = list(Community.objects.filter(street=street).order_by("code")[:COMMUNITIES])
    entities = [street, *communities]
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    today = timezone.localdate()
    years = (today.year - 1, today.year)
    plan = [(entity, year) for year in years for entity in entities]
    for done, (entity, year) in enumerate(plan, 1):
        _year_of_books(ctx, entity, year, today, people, rng)
        ctx.progress(_("demo books"), done, len(plan))
    _planted(ctx, street, years[0], today, people)
    found = funding_checks_run()
    ctx.say(_("Irregularity check: %(n)d flags raised.") % {"n": sum(found.values())})


def _year_of_books(ctx, entity, year: int, today: date, people, rng) -> None:
    scale = 1 if isinstance(entity, Street) else 4
    keeper = people[1]
    last = min(today, date(year, 12, 31))
    for month in _months(date(year, 1, 1), last):
        if isinstance(entity, Street):
            _income(
                ctx,
                entity,
                keeper,
                _workday(month.replace(day=5)),
                "district",
                60_000,
                "区级网格化经费拨款",
            )
        elif month.month in (1, 4, 7, 10):
            _income(
                ctx,
                entity,
                keeper,
                _workday(month.replace(day=10)),
                "street",
                18_000,
                "街道工作经费拨付",
            )
    for source, amount, text in (
        ("sponsorship", 12_000 // scale, "企业赞助社区活动"),
        ("donation", 5_000 // scale, "社会捐赠"),
        ("service_income", 3_000 // scale, "便民服务收入"),
    ):
        day = _workday(date(year, rng.randint(2, 11), 15))
        if day <= last:
            _income(ctx, entity, keeper, day, source, amount, text)
    budget = budgets.budget_create(
        entity=entity,
        fiscal_year=year,
        created_by=keeper,
        lines=[(category, source, amount // scale) for category, source, amount in LINES],
    )
    ctx.count(_("demo budgets"), "created")
    lines = list(budget.lines.all())
    for month in _months(date(year, 1, 1), last):
        line = rng.choice(lines)
        amount = Decimal(rng.randint(8, 60) * 100 // scale)
        day = _workday(month.replace(day=rng.randint(6, 25)))
        if day < today:  # a payment is never recorded ahead of time
            _spend(ctx, line, day, amount, rng.choice(ENDINGS), people, rng)


def _planted(ctx, street: Street, year: int, today: date, people) -> None:
    """Irregularities for the nightly check to find in the street's books."""
    requester, approver, _admin = people
    line = BudgetLine.objects.filter(
        budget__entity_key=f"S{street.pk}", budget__fiscal_year=today.year, category=C.OFFICE
    ).first()
    threshold = expenditures.second_approval_threshold()
    split = (threshold * Decimal("0.4")).quantize(Decimal("1"))
    for offset in (40, 33, 26):  # three payments to one payee within 30 days, each under
        day = _workday(today - timedelta(days=offset))
        request = expenditures.expenditure_request(
            budget_line=line,
            amount=split,
            payee="城关装修工程队",
            payee_kind=PayeeKind.ORGANISATION,
            purpose="办公室维修",
            requested_by=requester,
        )
        request = expenditures.expenditure_approve(
            request=request, approver=approver, expected_version=request.version
        )
        expenditures.expenditure_pay(
            request=request, paid_by=approver, expected_version=request.version, at=_aware(day)
        )  # and no receipt: the oldest is also past the receipt deadline
    sunday = today - timedelta(days=(today.weekday() + 1) % 7 or 7)
    _income(ctx, street, approver, sunday, "donation", 2_000, "周日入账的捐赠")
    rush = BudgetLine.objects.filter(
        budget__entity_key=f"S{street.pk}", budget__fiscal_year=year, category=C.EQUIPMENT
    ).first()
    remaining = rush.amount - budgets.committed_amount(line=rush)
    if remaining > 0:
        _spend(ctx, rush, date(year, 12, 22), remaining, "paid", people, random.Random(1))  # noqa: S311
