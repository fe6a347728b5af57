"""Creating tickets. Every later change of a ticket's state goes through
``incidents.workflow.ticket_act``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.locate import locate_grid_id
from grids.models import Component, Grid
from incidents.choices import Action, Source, Status
from incidents.models import Category, Ticket, TicketCounter, TicketEvent
from incidents.workflow import stage_fields
from personnel.models import User


def ticket_number_next(*, day) -> str:
    """The next human number of ``day`` (GD-YYYYMMDD-NNNNNN), unique under concurrency:
    the day's counter row is locked while it is incremented."""
    try:
        with transaction.atomic():
            TicketCounter.objects.get_or_create(day=day)
    except IntegrityError:
        pass  # another request created the day's row first
    TicketCounter.objects.select_for_update().filter(day=day).update(last=F("last") + 1)
    last = TicketCounter.objects.get(day=day).last
    return f"GD-{day:%Y%m%d}-{last:06d}"


@transaction.atomic
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
) -> Ticket:
    """Record a new case at (lat, lng): the grid is located and its scope copied, the number
    given, the first stage's clock started and the ``report`` event written.

    A self-handled case (a grid worker fixed it on the spot) starts at checking.
    """
    if not category.active or category.parent_id is None:
        raise ValidationError({"category": _("Choose an active minor class.")})
    grid_id = locate_grid_id(lat, lng)
    if grid_id is None:
        raise ValidationError({"lat": _("This location lies in no grid.")})
    grid = Grid.objects.get(pk=grid_id)
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
    ticket.full_clean(exclude=["number"])
    for name, value in stage_fields(ticket, status, now).items():
        setattr(ticket, name, value)
    ticket.number = ticket_number_next(day=timezone.localdate(now))
    ticket.save()
    TicketEvent.objects.create(
        ticket=ticket,
        action=Action.REPORT,
        from_status="",
        to_status=status,
        actor=reporter,
        at=now,
        data={"source": source},
    )
    return ticket
