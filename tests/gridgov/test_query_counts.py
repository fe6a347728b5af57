"""Every list endpoint costs the same number of queries whatever the page size.

A list that issues a query per row (N+1) shows up here as more queries at page size 100
than at 10. New list routes are picked up automatically; each needs more than 10 rows in
``city`` below, or the comparison would prove nothing.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessment.models import MonthlyScore
from assessment.services.scores import score_adjust, score_sign_off, scores_compute_month
from funding.models import Flag
from funding.services.budgets import budget_create
from funding.services.expenditures import expenditure_request
from funding.services.ledger import LegInput, chart_ensure, transaction_create
from grids.models import Grid
from incidents.models import SupervisionOrder, Ticket
from incidents.services import category_create
from incidents.services.tickets import ticket_create
from participation.models import PublicService
from participation.services import household_create, resident_create
from participation.services.community import (
    activity_create,
    activity_signup,
    organisation_create,
    volunteer_create,
)
from participation.services.points import points_adjust, redemption_create, reward_create
from participation.services.proposals import proposal_raise, proposal_support
from participation.services.public_reports import public_report_submit
from participation.services.satisfaction import rating_link_issue, rating_submit
from participation.services.surveys import survey_create
from personnel.models import Course, DeviceToken, Notification, TrainingSession
from personnel.services.patrols import (
    TrackPoint,
    patrol_day_recompute,
    patrol_points_record,
    patrol_session_start,
)
from personnel.services.training import attendance_record
from personnel.services.workers import grid_assignment_create
from tests import factories, people
from tests.api_routes import api_routes, route_url
from tests.incidents.cases import upload

LIST_ROUTES = [route for route in api_routes() if route.is_list]
ROWS = 12

# Extra query strings a list answers with a different shape.
VARIANTS = {"grid-list": [{}, {"format": "geojson"}]}


@pytest.fixture
def city(db, admin_user):
    """ROWS of every listed kind: places and components; departments, workers with their
    grid and role assignments, patrols with coverage, courses, training sessions and
    certificates; tickets with supervision orders, handed to the superuser; each street's
    books; and the superuser's own notifications and device tokens."""
    course = Course.objects.create(code="Q1", title="Basics", hours=2, certificate_months=12)
    rubbish = category_create(
        code="E9901",
        kind="event",
        name="暴露垃圾",
        parent=category_create(code="E99", kind="event", name="市容环境"),
    )
    start = timezone.now() - timedelta(hours=2)
    service = PublicService.objects.create(category=rubbish)
    for number in range(ROWS):
        district = factories.district(code=f"{371500 + number}")
        street = factories.street(parent=district)
        community = factories.community(parent=street)
        grid = factories.grid(parent=community, lng=116.1 + number * 0.01)
        factories.component(in_grid=grid)
        people.department(district=district)
        person = people.user(f"worker-{number}")
        profile = people.worker_profile(person, street=street)
        grid_assignment_create(created_by=admin_user, worker=profile, grid=grid, kind="primary")
        session, _created = patrol_session_start(
            worker=person, client_id=uuid.uuid4(), started_at=start
        )
        lat, lng = grid.centroid_lat, grid.centroid_lng
        patrol_points_record(
            session=session,
            worker=person,
            points=[
                TrackPoint(uuid.uuid4(), start + timedelta(minutes=m), lat, lng) for m in range(3)
            ],
        )
        patrol_day_recompute(worker_id=person.pk, grid_id=grid.pk, day=timezone.localdate(start))
        training = TrainingSession.objects.create(
            course=course, street=street, starts_at=start, ends_at=start + timedelta(hours=1)
        )
        attendance_record(session=training, user=person, score=90)
        Course.objects.create(code=f"Q{number + 2}", title="More", hours=1)
        Notification.objects.create(user=admin_user, title=f"Message {number}")
        DeviceToken.objects.create(user=admin_user, device=f"phone {number}")
        category_create(code=f"E{number + 10:02d}", kind="event", name=f"类别{number}")
        ticket = ticket_create(
            reporter=person,
            source="patrol",
            category=rubbish,
            lat=grid.centroid_lat,
            lng=grid.centroid_lng,
        )
        SupervisionOrder.objects.create(
            ticket=ticket, level="yellow", reason="限期", due_at=start, issued_at=start
        )
        _books(street, admin_user)
        _residents(grid)
        _public_report(grid, service)
        _community_life(grid, admin_user)
    # The superuser's own queue: every ticket handed to them.
    Ticket.objects.update(status="in_handling", assignee=admin_user)
    # Monthly scores of every worker, department and community; the communities' adjusted
    # and signed off.
    scores_compute_month(month=date(2026, 10, 1))
    for score in MonthlyScore.objects.filter(kind="community"):
        score_adjust(score=score, new_value=Decimal(80), reason="核定", by=admin_user)
        score_sign_off(score=score, by=admin_user)
    _voice(rubbish, admin_user)


def _voice(category, keeper) -> None:
    """In every grid: a proposal with a supporter, a closed case from the public rated
    through its link (closed by a direct update, as the queue above is made), and a
    survey of each street with a question."""
    for grid in Grid.objects.select_related("community").order_by("pk"):
        proposal = proposal_raise(
            author=people.user(), community=grid.community, kind="need", title="路灯", body="坏了"
        )
        proposal_support(proposal=proposal, user=people.user())
        case = ticket_create(
            reporter=None,
            source="resident",
            category=category,
            lat=grid.centroid_lat,
            lng=grid.centroid_lng,
        )
        Ticket.objects.filter(pk=case.pk).update(status="closed", closed_at=timezone.now())
        case.refresh_from_db()
        rating_submit(token=rating_link_issue(ticket=case)[1], score=3, comment="一般")
        survey_create(
            created_by=keeper,
            street=grid.street,
            title="满意度调查",
            opens_on=date(2026, 1, 5),
            closes_on=date(2026, 2, 5),
            questions=[{"text": "满意吗", "kind": "rating"}],
        )


def _community_life(grid, keeper) -> None:
    """A team of the grid's street with a contact, a volunteer (a user) of its community
    signed up for an activity, with points, a street reward and a redemption of it."""
    team = organisation_create(
        created_by=keeper,
        street=grid.street,
        name="志愿服务队",
        kind="volunteer_team",
        grids_served=[grid],
        contacts=[{"name": "张伟", "phone": "13812345678"}],
    )
    volunteer = volunteer_create(
        created_by=keeper, community=grid.community, user=people.user(), organisation=team
    )
    starts = timezone.now() + timedelta(days=3)
    activity = activity_create(
        created_by=keeper,
        community=grid.community,
        title="清理楼道",
        kind="cleanup",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        place="3号楼",
        capacity=10,
        organiser=team,
        grid=grid,
    )
    activity_signup(activity=activity, volunteer=volunteer, by=keeper)
    points_adjust(volunteer=volunteer, amount=100, reason="期初积分", by=keeper)
    reward = reward_create(created_by=keeper, street=grid.street, name="保温杯", cost=10, stock=5)
    redemption_create(reward=reward, volunteer=volunteer, by=keeper)


def _public_report(grid, service) -> None:
    """An anonymous report of the grid, with a photo, awaiting moderation."""
    public_report_submit(
        channel="web",
        service=service,
        description="楼道堆放杂物",
        lat=grid.centroid_lat,
        lng=grid.centroid_lng,
        anonymous=True,
        photos=[upload()],
    )


def _residents(grid) -> None:
    """A household of the grid with a cared-for resident never visited (on the care list)."""
    household = household_create(grid=grid, building="1", unit="1", room="101")
    resident_create(
        grid=grid,
        name="王秀英",
        building="1",
        phone="13800138000",
        household=household,
        care_tags=["elderly_alone", "low_income"],
    )


def _books(street, keeper) -> None:
    """One street's books: its chart, a posted transaction, a budget with a request, and a
    flag."""
    chart = chart_ensure(entity=street)
    transaction_create(
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
    budget = budget_create(
        entity=street, fiscal_year=2026, created_by=keeper, lines=[("office", "street", 1000)]
    )
    expenditure_request(
        budget_line=budget.lines.get(),
        amount=Decimal("10.00"),
        payee="惠民文具店",
        payee_kind="organisation",
        purpose="纸笔",
        requested_by=keeper,
    )
    flag = Flag(kind="missing_receipt", key=f"counts-{street.pk}", reason="counts")
    flag.set_entity(street)
    flag.save()


def _count(client, url: str, query: dict) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, query)
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    rows = len(body["results"] if "results" in body else body["features"])
    return len(queries), rows


def test_every_list_route_is_checked():
    assert {route.name for route in LIST_ROUTES} >= {"grid-list", "component-list"}


@pytest.mark.parametrize("route", LIST_ROUTES, ids=[route.name for route in LIST_ROUTES])
def test_list_queries_do_not_grow_with_page_size(api, city, route):
    for variant in VARIANTS.get(route.name, [{}]):
        url = route_url(route)
        small_queries, small_rows = _count(api, url, {**variant, "page_size": 10})
        large_queries, large_rows = _count(api, url, {**variant, "page_size": 100})
        assert large_rows >= ROWS, "the fixture must give this list more rows than a small page"
        assert large_queries == small_queries, (
            f"{route.name} {variant}: {small_queries} queries for {small_rows} rows, "
            f"{large_queries} for {large_rows}"
        )
