"""Reads of the case catalogue and the calendar overrides, always for a user.

Categories, SLA policies and calendar overrides are city-wide reference data: every signed-in
user sees all of them (a grid worker picks a category when reporting, a department reads the
limits it is held to); anonymous callers see none.
"""

from __future__ import annotations

import functools
import math
from datetime import datetime, timedelta

from django.db import DEFAULT_DB_ALIAS
from django.db.models import (
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from gridgov.prepared import query_instances, query_rows
from incidents.choices import FINAL_STATUSES, Priority, Stage, Status, SupervisionStatus
from incidents.models import (
    Attachment,
    CalendarOverride,
    Category,
    LinkageTask,
    SlaPolicy,
    SupervisionOrder,
    Ticket,
    TicketEvent,
)
from personnel.choices import AssignmentState, Role, ScopeType
from personnel.models import Department, GridAssignment, RoleAssignment
from personnel.scope import scope_for


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _rank(field: str, values: list[str]) -> Case:
    """Order by the declared order of a choice set rather than alphabetically."""
    return Case(
        *(When(**{field: value}, then=Value(index)) for index, value in enumerate(values)),
        default=Value(len(values)),
        output_field=IntegerField(),
    )


def sla_policy_order() -> tuple[Case, Case]:
    """Policies from emergency to normal, each in the order of the case's stages."""
    return _rank("priority", Priority.values), _rank("stage", Stage.values)


def category_list(*, user, with_policies: bool = False) -> QuerySet[Category]:
    """Every category for a signed-in user; ``with_policies`` prefetches each category's
    SLA policies, in priority and stage order, in one query for the whole page."""
    if not _signed_in(user):
        return Category.objects.none()
    categories = Category.objects.select_related("parent", "lead_department")
    if with_policies:
        policies = SlaPolicy.objects.order_by(*sla_policy_order())
        categories = categories.prefetch_related(Prefetch("policies", queryset=policies))
    return categories


def catalogue_stamp() -> str:
    """A string that changes with every write to what the catalogue's API shows: the count
    and latest change of categories, of limits and of departments (a category shows its lead
    department's name). A new or edited row moves a latest change (every one of these
    models stamps its saves); a deleted row lowers a count."""
    parts = []
    for model in (Category, SlaPolicy, Department):
        seen = model.objects.order_by().aggregate(rows=Count("pk"), last=Max("updated_at"))
        last = seen["last"].isoformat() if seen["last"] else "-"
        parts.append(f"{model._meta.label}:{seen['rows']}@{last}")
    return " ".join(parts)


def sla_policy_list(*, user) -> QuerySet[SlaPolicy]:
    if not _signed_in(user):
        return SlaPolicy.objects.none()
    return SlaPolicy.objects.select_related("category")


def calendar_override_list(*, user) -> QuerySet[CalendarOverride]:
    if not _signed_in(user):
        return CalendarOverride.objects.none()
    return CalendarOverride.objects.all()


def ticket_list(*, user, tickets: QuerySet[Ticket] | None = None) -> QuerySet[Ticket]:
    """Tickets in the user's area (by their scope foreign keys), those led by a department
    the user works for or on which it holds a cooperating task, and those the user
    reported. ``tickets`` is what gets narrowed (by default every ticket, its category,
    grid, lead department and assignee joined): the API list passes its rows as values."""
    if tickets is None:
        tickets = Ticket.objects.select_related("category", "grid", "lead_department", "assignee")
    if not _signed_in(user):
        return tickets.none()
    scope = scope_for(user)
    if scope.is_global:
        return tickets
    visible = scope.area_q() | Q(reporter=user)
    if scope.department_ids:
        tasks = LinkageTask.objects.filter(department_id__in=scope.department_ids)
        visible |= Q(lead_department_id__in=scope.department_ids) | Q(
            pk__in=tasks.values("ticket_id")
        )
    return tickets.filter(visible)


def ticket_in_scope(*, user, pk: int) -> Ticket | None:
    """The ticket ``pk`` if ``ticket_list`` shows it to the user (its category, grid, lead
    department and assignee loaded), else None: what every call on one ticket reads first.
    Its SQL, four joins and ninety columns, took the ORM longer to write than the database
    to run, so it is written once per scope (``gridgov.prepared.query_instances``)."""
    if not _signed_in(user):
        return None
    found = query_instances(
        "ticket_in_scope",
        lambda pk: ticket_list(user=user).filter(pk=pk),
        shape=(user.pk, scope_for(user)),
        pk=pk,
    )
    return found[0] if found else None


def _visible(user, ticket: Ticket) -> Q:
    return Q(ticket=ticket, ticket__in=ticket_list(user=user).values("pk"))


def ticket_event_list(*, user, ticket: Ticket) -> QuerySet[TicketEvent]:
    """The history of a ticket the user may see, oldest first (empty if they may not)."""
    return (
        TicketEvent.objects.filter(_visible(user, ticket))
        .select_related("actor")
        .order_by("at", "pk")
    )


DUPLICATE_RADIUS_M = 50
DUPLICATE_WINDOW = timedelta(hours=24)
_METRES_PER_DEGREE = 111_320


def duplicate_suggestions(*, user, ticket: Ticket, limit: int = 5) -> list[tuple[Ticket, float]]:
    """Open tickets of the same category within 50 m and 24 h of ``ticket`` that the user
    may see, nearest first, with their distance in metres (each ticket with its number,
    title, status and place loaded).

    Every report runs this search, and the ORM took longer to build it than the database
    to run it: its SQL is written once per scope (``gridgov.prepared.query_rows``)."""
    if not _signed_in(user):
        return []
    lat_span = DUPLICATE_RADIUS_M / _METRES_PER_DEGREE
    lng_scale = max(math.cos(math.radians(ticket.lat)), 0.01)
    lng_span = lat_span / lng_scale
    rows = query_rows(
        "duplicate_suggestions",
        functools.partial(_nearby, user=user, limit=limit),
        shape=(user.pk, scope_for(user), limit),
        category_id=ticket.category_id,
        pk=ticket.pk,
        since=ticket.created_at - DUPLICATE_WINDOW,
        until=ticket.created_at + DUPLICATE_WINDOW,
        south=ticket.lat - lat_span,
        north=ticket.lat + lat_span,
        west=ticket.lng - lng_span,
        east=ticket.lng + lng_span,
        lat=ticket.lat,
        lng=ticket.lng,
        lng_weight=lng_scale * lng_scale,
    )
    found = [
        (other, distance_m(ticket.lat, ticket.lng, other.lat, other.lng))
        for other in (Ticket.from_db(DEFAULT_DB_ALIAS, _NEARBY_FIELDS, row) for row in rows)
    ]
    return [(other, metres) for other, metres in found if metres <= DUPLICATE_RADIUS_M]


# In the model's order, as ``Model.from_db`` takes a subset of the fields.
_NEARBY_FIELDS = tuple(
    field.attname
    for field in Ticket._meta.concrete_fields
    if field.attname in {"id", "number", "title", "status", "lat", "lng"}
)


def _nearby(
    *,
    user,
    limit: int,
    category_id: int,
    pk: int,
    since: datetime,
    until: datetime,
    south: float,
    north: float,
    west: float,
    east: float,
    lat: float,
    lng: float,
    lng_weight: float,
) -> QuerySet[Ticket]:
    """The search of ``duplicate_suggestions``: nearest first in the database (a flat
    approximation, in the same order as the great-circle distance at this scale), so that
    a busy corner reads ``limit`` rows, not all."""
    dlat, dlng = F("lat") - lat, F("lng") - lng
    squared = ExpressionWrapper(dlat * dlat + dlng * dlng * lng_weight, output_field=FloatField())
    return (
        ticket_list(user=user)
        .select_related(None)
        .filter(
            category_id=category_id,
            created_at__gte=since,
            created_at__lte=until,
            lat__range=(south, north),
            lng__range=(west, east),
            duplicate_of__isnull=True,
        )
        .exclude(pk=pk)
        .exclude(status__in=FINAL_STATUSES)
        .alias(squared=squared)
        .order_by("squared", "pk")
        .values_list(*_NEARBY_FIELDS)[:limit]
    )


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine; ample for 50 m comparisons)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def attachment_list(*, user, ticket: Ticket) -> QuerySet[Attachment]:
    """The photos of a ticket the user may see (none if they may not)."""
    return Attachment.objects.filter(_visible(user, ticket)).order_by("uploaded_at", "pk")


def attachment_get(*, user, pk: int) -> Attachment | None:
    """One photo, if its ticket is in the user's scope."""
    return (
        Attachment.objects.filter(pk=pk, ticket__in=ticket_list(user=user).values("pk"))
        .select_related("ticket")
        .first()
    )


def linkage_task_list(*, user, ticket: Ticket | None = None) -> QuerySet[LinkageTask]:
    """Linked department tasks on tickets the user may see; with ``ticket``, that one's."""
    tasks = LinkageTask.objects.select_related("department", "ticket")
    if ticket is not None:
        return tasks.filter(_visible(user, ticket))
    return tasks.filter(ticket__in=ticket_list(user=user).values("pk"))


def department_inbox(*, user) -> QuerySet[LinkageTask]:
    """The tasks of the departments the user handles, most urgent first: what a
    department's inbox shows (lead and cooperating alike)."""
    if not _signed_in(user):
        return LinkageTask.objects.none()
    return (
        LinkageTask.objects.filter(department_id__in=scope_for(user).department_ids)
        .select_related("department", "ticket", "ticket__category")
        .order_by(F("due_at").asc(nulls_last=True), "pk")
    )


def supervision_order_list(*, user) -> QuerySet[SupervisionOrder]:
    """Supervision orders on tickets the user may see, open ones first."""
    return (
        SupervisionOrder.objects.filter(ticket__in=ticket_list(user=user).values("pk"))
        .select_related("ticket", "issued_by", "answered_by", "closed_by")
        .order_by(_rank("status", SupervisionStatus.values), "due_at", "pk")
    )


def ticket_status_counts(tickets: QuerySet[Ticket]) -> dict[str, int]:
    """How many of ``tickets`` are in each status (one grouped query)."""
    counts = dict(
        tickets.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return {status: counts.get(status, 0) for status in Status.values}


FIELD_ROLES = (Role.GRID_WORKER, Role.GRID_CHIEF)
TO_VERIFY = (Status.VERIFYING,)
TO_CHECK = (Status.HANDLED, Status.CHECKING)
TO_HANDLE = (Status.DISPATCHED, Status.IN_HANDLING, Status.REWORK)


def _field_area_q(user) -> Q | None:
    """The grids (and, for grid chiefs, communities) where ``user`` works in the field."""
    areas = RoleAssignment.objects.filter(
        user=user, role__in=FIELD_ROLES, state=AssignmentState.ACTIVE
    ).values_list("scope_type", "grid_id", "community_id")
    grids = {grid for kind, grid, _c in areas if kind == ScopeType.GRID}
    communities = {community for kind, _g, community in areas if kind == ScopeType.COMMUNITY}
    if not grids and not communities:
        return None
    return Q(grid_id__in=grids) | Q(community_id__in=communities)


def my_task_list(*, user) -> QuerySet[Ticket]:
    """A field worker's or a handler's queue: tickets to verify or check in their grids,
    and tickets to handle (assigned to them, dispatched to their grid, or led by their
    department), each annotated with ``task`` (verify, check, handle), soonest due first."""
    if not _signed_in(user):
        return Ticket.objects.none()
    to_handle = Q(status__in=TO_HANDLE) & (
        Q(assignee=user) | Q(lead_department_id__in=scope_for(user).department_ids)
    )
    area = _field_area_q(user)
    if area is not None:
        to_handle |= area & Q(
            status__in=TO_HANDLE, lead_department__isnull=True, assignee__isnull=True
        )
        queue = to_handle | (area & Q(status__in=TO_VERIFY + TO_CHECK))
    else:
        queue = to_handle
    task = Case(
        When(status__in=TO_VERIFY, then=Value("verify")),
        When(status__in=TO_CHECK, then=Value("check")),
        default=Value("handle"),
        output_field=CharField(),
    )
    return (
        ticket_list(user=user)
        .filter(queue)
        .annotate(task=task)
        .order_by(F("stage_due_at").asc(nulls_last=True), "pk")
    )


def open_tasks_per_worker() -> Subquery:
    """Open tasks of a grid worker (OuterRef ``user_id``): open cases assigned to them,
    plus those waiting in their open grids for a field step (verifying, checking) or
    handled in the grid with nobody on them yet."""
    grids = GridAssignment.objects.filter(
        worker__user_id=OuterRef(OuterRef("user_id")), until__isnull=True
    ).values("grid_id")
    waiting = Q(grid_id__in=grids) & (
        Q(status__in=TO_VERIFY + TO_CHECK)
        | Q(status__in=TO_HANDLE, lead_department__isnull=True, assignee__isnull=True)
    )
    tasks = (
        Ticket.objects.filter(waiting | Q(assignee_id=OuterRef("user_id")))
        .exclude(status__in=FINAL_STATUSES)
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")
    )
    return Subquery(tasks, output_field=IntegerField())


def open_tasks_per_grid() -> Subquery:
    """Open cases in a grid (OuterRef ``pk``)."""
    tasks = (
        Ticket.objects.filter(grid_id=OuterRef("pk"))
        .exclude(status__in=FINAL_STATUSES)
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")
    )
    return Subquery(tasks, output_field=IntegerField())
