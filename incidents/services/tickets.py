"""Creating tickets. Every later change of a ticket's state goes through
``incidents.workflow.ticket_act``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.exceptions import StaleObjectError
from gridgov.prepared import query_instances
from grids.locate import locate_grid_id
from grids.models import Component, Grid
from incidents.choices import Action, PhotoPhase, Source, Status
from incidents.clock import stage_fields
from incidents.handling import report_recipients, tell
from incidents.models import Category, Ticket, TicketCounter, TicketEvent
from incidents.photos import Photo, photos_check, photos_store
from incidents.workflow import REPORTER, actor_roles
from personnel.choices import Role
from personnel.models import User


def ticket_number_next(*, day) -> str:
    """The next human number of ``day`` (GD-YYYYMMDD-NNNNNN), unique under concurrency.

    One upsert: the day's counter row is created or incremented, and locked until the
    transaction ends, in a single statement (PostgreSQL and SQLite both have
    ``ON CONFLICT ... RETURNING``; the ORM's ``update_or_create`` would take four)."""
    table = connection.ops.quote_name(TicketCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, last) VALUES (%s, 1) "  # noqa: S608 (a model's table)
            f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [connection.ops.adapt_datefield_value(day)],
        )
        (last,) = cursor.fetchone()
    return f"GD-{day:%Y%m%d}-{last:06d}"


_RELATED_JUST_READ = (
    "category",
    "reporter",
    "grid",
    "community",
    "street",
    "district",
    "component",
)


def _grid_by_key(pk: int):
    return Grid.objects.filter(pk=pk)


def ticket_create(
    *,
    reporter: User | None,
    source: str,
    category: Category,
    lat: float,
    lng: float,
    description: str = "",
    title: str = "",
    priority: str = "",
    address: str = "",
    component: Component | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    photos: Sequence[Photo] = (),
) -> Ticket:
    """Record a new case at (lat, lng): the grid is located and its scope copied, the number
    given, the first stage's clock started, the photos stored and the ``report`` event
    written; the command centre of the street is told.

    A self-handled case (a grid worker fixed it on the spot) starts at checking and needs
    a photo taken after handling.

    The number is drawn before the case's own transaction, so the day's counter is locked
    for one statement rather than while photos are stored and the centre is told: every
    report of the city passes through that row. A report the database then fails skips
    its number (as a sequence would); called inside a transaction, the number is part of
    it and nothing is skipped.
    """
    if not category.active or category.parent_id is None:
        raise ValidationError({"category": _("Choose an active minor class.")})
    checked = photos_check(list(photos))
    if source == Source.SELF_HANDLED and not any(p.phase == PhotoPhase.AFTER for p in checked):
        raise ValidationError(
            {"photos": _("A self-handled case needs a photo taken after handling.")}
        )
    grid_id = locate_grid_id(lat, lng)
    if grid_id is None:
        raise ValidationError({"lat": _("This location lies in no grid.")})
    [grid] = query_instances("gridgov_grid_by_key", _grid_by_key, pk=grid_id)
    now = timezone.now()
    status = Status.CHECKING if source == Source.SELF_HANDLED else Status.REPORTED
    ticket = Ticket(
        number="",
        source=source,
        category=category,
        priority=priority or category.default_priority,
        title=title or category.name,
        description=description,
        reporter=reporter,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        lat=lat,
        lng=lng,
        address=address,
        grid=grid,
        community_id=grid.community_id,
        street_id=grid.street_id,
        district_id=grid.district_id,
        component=component,
        status=status,
    )
    # The related rows were just read (or located), and the database keeps its foreign
    # keys: checking each one again would cost a query apiece on every report. The check
    # constraints (level, satisfaction) hold no reporter's input and the database enforces
    # them; validating them here cost a savepoint and a query each.
    ticket.full_clean(exclude=["number", *_RELATED_JUST_READ], validate_constraints=False)
    for name, value in stage_fields(ticket, status, now).items():
        setattr(ticket, name, value)
    ticket.number = ticket_number_next(day=timezone.localdate(now))
    with transaction.atomic():
        ticket.save()
        stored = photos_store(ticket=ticket, photos=checked, uploaded_by=reporter, now=now)
        TicketEvent.objects.create(
            ticket=ticket,
            action=Action.REPORT,
            from_status="",
            to_status=status,
            actor=reporter,
            at=now,
            data={"source": source} | ({"photos": [a.pk for a in stored]} if stored else {}),
        )
        recipients = report_recipients(ticket) - {getattr(reporter, "pk", None)}
        tell(recipients, ticket, _("was reported"))
    return ticket


EDITABLE_WHILE_REPORTED = frozenset({Status.REPORTED})


@transaction.atomic
def ticket_update(
    *,
    ticket: Ticket,
    actor: User,
    expected_version: int,
    **changes: Any,
) -> Ticket:
    """Correct a ticket's description, address, location or category.

    Street staff over the ticket may do so at any time; the reporter only while it awaits
    acceptance. A new location is located again (grid and scope); the ``edit`` event keeps
    what changed. The status and clocks are untouched: they belong to the workflow.
    """
    roles = actor_roles(actor, ticket)
    may_edit = Role.STREET_STAFF in roles or (
        REPORTER in roles and ticket.status in EDITABLE_WHILE_REPORTED
    )
    if not may_edit:
        raise PermissionDenied(
            _("Only the command centre, or the reporter before acceptance, may edit.")
        )
    unknown = set(changes) - {"description", "address", "lat", "lng", "category"}
    if unknown:
        raise ValidationError({name: _("This field cannot be edited.") for name in unknown})
    category = changes.get("category")
    if category is not None and (not category.active or category.parent_id is None):
        raise ValidationError({"category": _("Choose an active minor class.")})
    values = {name: value for name, value in changes.items() if name != "category"}
    if category is not None:
        values["category_id"] = category.pk
    if "lat" in changes or "lng" in changes:
        lat, lng = changes.get("lat", ticket.lat), changes.get("lng", ticket.lng)
        grid_id = locate_grid_id(lat, lng)
        if grid_id is None:
            raise ValidationError({"lat": _("This location lies in no grid.")})
        grid = Grid.objects.get(pk=grid_id)
        values |= {
            "grid_id": grid.pk,
            "community_id": grid.community_id,
            "street_id": grid.street_id,
            "district_id": grid.district_id,
        }
    now = timezone.now()
    updated = Ticket.objects.filter(pk=ticket.pk, version=expected_version).update(
        version=F("version") + 1, updated_at=now, **values
    )
    if not updated:
        raise StaleObjectError(f"ticket {ticket.pk} changed since version {expected_version}")
    TicketEvent.objects.create(
        ticket=ticket,
        action=Action.EDIT,
        from_status=ticket.status,
        to_status=ticket.status,
        actor=actor,
        at=now,
        data={
            name: (value.pk if hasattr(value, "pk") else value) for name, value in changes.items()
        },
    )
    return Ticket.objects.get(pk=ticket.pk)
