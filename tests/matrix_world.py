"""The world both authorization matrices (API and browser) ask their callers about: grids G
and G2 of one community, a worker on each, staff of G's street, a supervisor of the
district, a department handler, and one object of every kind the detail routes need, all
belonging to G or its worker. Built through the services like real callers do.

``build_world()`` needs database access; the API matrix builds it per test, the browser
matrix once per module inside a transaction it rolls back.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from assessment.models import MonthlyScore
from assessment.services.scores import scores_compute_month
from funding.models import Flag
from funding.services.budgets import budget_create
from funding.services.expenditures import expenditure_request
from funding.services.ledger import LegInput, chart_ensure, transaction_create
from incidents.models import Category, Ticket
from incidents.photos import Photo
from incidents.services import category_create
from incidents.services.tickets import ticket_create
from incidents.workflow import ticket_act
from participation.models import PublicService
from participation.services import household_create, resident_create
from participation.services.community import (
    activity_create,
    organisation_create,
    volunteer_create,
)
from participation.services.points import points_adjust, redemption_create, reward_create
from participation.services.proposals import proposal_raise
from participation.services.public_reports import public_report_submit
from participation.services.satisfaction import rating_link_issue, rating_submit
from participation.services.surveys import survey_create
from personnel.models import Course, DeviceToken, Notification, TrainingSession, User
from personnel.services.patrols import patrol_session_start
from personnel.services.training import certificate_issue
from personnel.services.workers import grid_assignment_create
from tests import factories, people
from tests.incidents.cases import act, upload


def build_world() -> dict:
    """Grids G and G2 of one community, a worker on each, street staff, and one object of
    every kind the detail routes need, all belonging to G or its worker."""
    grid, grid2 = factories.grids(2)
    root = people.root()
    callers = {"plain": people.user("matrix-plain"), "admin": root}
    for name, target in (("worker", grid), ("outsider", grid2)):
        person = people.user(f"matrix-{name}")
        profile = people.worker_profile(person, street=grid.street)
        assignment = grid_assignment_create(
            created_by=root, worker=profile, grid=target, kind="primary"
        )
        callers[name] = person
        if name == "worker":
            mine = {"profile": profile, "assignment": assignment}
    callers["staff"] = people.with_role("street_staff", grid.street, "matrix-staff")
    callers["supervisor"] = people.with_role("supervisor", grid.district, "matrix-supervisor")
    department = people.department(district=grid.district)
    callers["department"] = people.with_role("dept_handler", department, "matrix-department")
    worker = callers["worker"]
    session, _created = patrol_session_start(
        worker=worker,
        client_id="00000000-0000-4000-8000-000000000001",
        started_at=timezone.now() - timedelta(minutes=5),
    )
    course = Course.objects.create(code="C1", title="Patrol basics", hours=4, certificate_months=24)
    training = TrainingSession.objects.create(
        course=course,
        street=grid.street,
        starts_at=timezone.now() - timedelta(days=3),
        ends_at=timezone.now() - timedelta(days=3) + timedelta(hours=4),
    )
    token, _plain_token = DeviceToken.objects.create(user=worker, device="matrix phone")
    major = category_create(code="E01", kind="event", name="市容环境")
    ids = {
        "district": grid.district.pk,
        "street": grid.street.pk,
        "community": grid.community.pk,
        "grid": grid.pk,
        "component": factories.component(in_grid=grid).pk,
        "department": department.pk,
        "worker": mine["profile"].pk,
        "grid-assignment": mine["assignment"].pk,
        "role-assignment": mine["assignment"].role_assignment_id,
        "patrol": session.pk,
        "course": course.pk,
        "training-session": training.pk,
        "certificate": certificate_issue(user=worker, course=course, issued_on=date(2026, 1, 5)).pk,
        "notification": Notification.objects.create(user=worker, title="For the worker").pk,
        "auth-token": token.digest[:16],
        "category": major.pk,
    }
    ticket = ticket_create(
        reporter=worker,
        source="patrol",
        category=category_create(code="E0101", kind="event", name="暴露垃圾", parent=major),
        lat=grid.centroid_lat,
        lng=grid.centroid_lng,
        photos=[Photo(upload(), "before")],
    )
    ticket = ticket_act(
        ticket=ticket,
        actor=callers["supervisor"],
        action="supervise",
        expected_version=ticket.version,
        note="限期整改",
        data={"level": "yellow", "due_at": timezone.now() + timedelta(days=1)},
    )
    ids["ticket"] = ticket.pk
    books, keeper = _books(grid.street)
    ids |= books
    scores_compute_month(month=date(2026, 10, 1))
    ids["assessment-score"] = MonthlyScore.objects.get(worker=worker).pk
    ids["supervision-order"] = ticket.supervision_orders.get().pk
    ids |= _residents(grid)
    public_ids, public_extra = _public(grid, ticket)
    ids |= public_ids
    voice, case, rating_token = _voice(grid, callers)
    ids |= voice
    ids |= _community_life(grid)
    extra = {"attachment_id": ticket.attachments.get().pk, **public_extra}
    # Not callers of the API matrix (it names its columns), nor ids (route names pick those
    # by prefix): what the browser matrix needs on top.
    refs = {"finance": keeper, "grid": grid, "case": case, "rating_token": rating_token}
    return {"callers": callers, "ids": ids, "extra": extra, "refs": refs}


def _community_life(grid) -> dict[str, int]:
    """A volunteer team of G's street serving G, a volunteer (a user) of G's community
    with 100 points, an upcoming activity there, a reward of the street and a redemption."""
    root = people.root()
    team = organisation_create(
        created_by=root,
        street=grid.street,
        name="红马甲志愿服务队",
        kind="volunteer_team",
        grids_served=[grid],
        contacts=[{"name": "张伟", "phone": "13812345678"}],
    )
    volunteer = volunteer_create(
        created_by=root, community=grid.community, user=people.user("matrix-volunteer")
    )
    starts = timezone.now() + timedelta(days=3)
    activity = activity_create(
        created_by=root,
        community=grid.community,
        title="清理楼道",
        kind="cleanup",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        place="3号楼",
        capacity=10,
        organiser=team,
    )
    entry = points_adjust(volunteer=volunteer, amount=100, reason="期初积分", by=root)
    reward = reward_create(created_by=root, street=grid.street, name="保温杯", cost=10, stock=5)
    redemption = redemption_create(reward=reward, volunteer=volunteer, by=root)
    return {
        "organisation": team.pk,
        "volunteer": volunteer.pk,
        "activity": activity.pk,
        "points-entry": entry.pk,
        "reward": reward.pk,
        "redemption": redemption.pk,
    }


def _voice(grid, callers: dict) -> tuple[dict[str, int], Ticket, str]:
    """An open proposal of G's community by a resident, a closed case from the public in G
    rated through its link (returned with the link's token, used now), and a draft survey
    of G's street."""
    proposal = proposal_raise(
        author=people.user("matrix-resident"),
        community=grid.community,
        kind="need",
        title="楼道照明",
        body="楼道灯坏了",
    )
    case = ticket_create(
        reporter=None,
        source="resident",
        category=Category.objects.get(code="E0101"),
        lat=grid.centroid_lat,
        lng=grid.centroid_lng,
    )
    for who, action, data in (
        ("staff", "accept", {}),
        ("staff", "file", {}),
        ("staff", "dispatch", {"to_grid": True}),
        ("worker", "take", {}),
        ("worker", "submit", {}),
        ("worker", "start_check", {}),
        ("worker", "close", {}),
    ):
        case = act(case, callers[who], action, data=data)
    _invitation, token = rating_link_issue(ticket=case)
    rating = rating_submit(token=token, score=4)
    survey = survey_create(
        created_by=people.root(),
        street=grid.street,
        title="满意度调查",
        opens_on=date(2026, 1, 5),
        closes_on=date(2099, 1, 5),
        questions=[{"text": "满意吗", "kind": "rating"}],
    )
    return {"proposal": proposal.pk, "rating": rating.pk, "survey": survey.pk}, case, token


def _public(grid, ticket) -> tuple[dict, dict]:
    """The ticket's category offered to the public (so Open311 reads the ticket), and an
    anonymous report of G awaiting moderation, with its token."""
    service = PublicService.objects.create(category=ticket.category)
    report, token = public_report_submit(
        channel="web",
        service=service,
        description="楼道堆放杂物",
        lat=grid.centroid_lat,
        lng=grid.centroid_lng,
        anonymous=True,
    )
    ids = {"public-report": report.pk, "open311": ticket.number}
    return ids, {"service_code": ticket.category.code, "token": token, "format": "json"}


def _residents(grid) -> dict[str, int]:
    """A household of G with one cared-for resident."""
    household = household_create(grid=grid, building="1", unit="1", room="101")
    resident = resident_create(
        grid=grid, name="王秀英", building="1", household=household, care_tags=["disabled"]
    )
    return {"resident": resident.pk, "household": household.pk}


def _books(street) -> tuple[dict[str, int], User]:
    """The street's books, kept by a finance officer (returned with the ids: not a caller of
    the API matrix): a posted transaction, a budget with a requested expenditure, and a
    flag."""
    keeper = people.with_role("finance_officer", street, "matrix-finance")
    chart = chart_ensure(entity=street)
    books = transaction_create(
        entity=street,
        created_by=keeper,
        date=date(2026, 3, 2),
        description="区级拨款",
        legs=[
            LegInput(chart["1001"], "district", Decimal("100.00")),
            LegInput(chart["4001"], "district", Decimal("-100.00")),
        ],
        post=True,
    )
    # This year's budget: the budget and request pages show the current fiscal year.
    budget = budget_create(
        entity=street,
        fiscal_year=timezone.localdate().year,
        created_by=keeper,
        lines=[("office", "street", 1000)],
    )
    request = expenditure_request(
        budget_line=budget.lines.get(),
        amount=Decimal("10.00"),
        payee="惠民文具店",
        payee_kind="organisation",
        purpose="纸笔",
        requested_by=keeper,
    )
    flag = Flag(kind="missing_receipt", key="matrix", reason="matrix")
    flag.set_entity(street)
    flag.save()
    return {
        "funding-account": chart["1001"].pk,
        "funding-transaction": books.pk,
        "funding-budget": budget.pk,
        "funding-expenditure": request.pk,
        "funding-flag": flag.pk,
    }, keeper
