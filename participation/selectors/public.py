"""Reads of what the public reaches: the public service catalogue, a report followed by its
reference and token, its public history, and the cases Open311 clients may read; and the
command centre's moderation queue.

Public reads take no user: they return only what anyone may see (no names, phones, notes,
actors or departments' internals). The moderation queue is read by street staff and
administrators over the report's street.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import F, Prefetch, QuerySet, Value
from django.db.models.functions import Length
from django.db.models.lookups import Contains
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids.models import Community, Grid
from incidents.choices import FINAL_STATUSES, Action, Status
from incidents.models import Ticket, TicketEvent
from participation.choices import ReportStatus
from participation.models import PublicReport, PublicService, ServiceAttribute
from participation.tokens import token_digest
from personnel.choices import Role
from personnel.scope import PlacesHeld, places_held

MODERATOR_ROLES = (Role.ADMIN, Role.STREET_STAFF)

# A case's status as the public reads it (several internal steps read the same).
PUBLIC_STATUS = {
    Status.REPORTED: _("received, awaiting acceptance"),
    Status.ACCEPTED: _("accepted"),
    Status.VERIFYING: _("accepted"),
    Status.FILED: _("filed, awaiting dispatch"),
    Status.DISPATCHED: _("being handled"),
    Status.IN_HANDLING: _("being handled"),
    Status.REWORK: _("being handled"),
    Status.HANDLED: _("handled, being checked"),
    Status.CHECKING: _("handled, being checked"),
    Status.CLOSED: _("closed"),
    Status.EVALUATED: _("closed and evaluated"),
    Status.REJECTED: _("not accepted"),
    Status.VOIDED: _("closed without handling"),
}
# The steps of a case the public sees, in its words; every other step (comments, tasks,
# extensions, parking, orders, escalations) is the offices' internal work.
PUBLIC_STEPS = {
    Action.REPORT: _("reported"),
    Action.ACCEPT: _("accepted"),
    Action.REJECT: _("not accepted"),
    Action.MERGE: _("merged with an earlier report of the same problem"),
    Action.FILE: _("filed for handling"),
    Action.VOID: _("closed without handling"),
    Action.DISPATCH: _("sent to the team that handles it"),
    Action.SUBMIT: _("handled"),
    Action.CLOSE: _("closed"),
    Action.RATE: _("rated"),
    Action.REOPEN: _("reopened"),
}
UNRATED = _("evaluated without a rating")
OPEN311_DEFAULT_DAYS = 90
OPEN311_MAX_REQUESTS = 1000


@dataclass(frozen=True)
class PublicStep:
    """One step of a followed report: what happened and when, nothing else."""

    at: datetime
    label: str


# Moderation -----------------------------------------------------------------------------


def moderation_places(user) -> PlacesHeld:
    """Where ``user`` moderates public reports (street staff and administrators)."""
    if user is None or not user.has_perm("participation.change_publicreport"):
        return PlacesHeld()
    return places_held(user, roles=MODERATOR_ROLES)


def public_report_list(*, user) -> QuerySet[PublicReport]:
    """The public reports of the streets ``user`` moderates, newest first (none for anyone
    else: contact details are shown to moderators only)."""
    places = moderation_places(user)
    if places.empty:
        return PublicReport.objects.none()
    return (
        PublicReport.objects.filter(places.q())
        .select_related("service__category", "grid", "community", "street", "ticket")
        .prefetch_related("photos", "service__attributes")
        .order_by("-created_at", "-pk")
    )


def report_photo_get(*, user, pk: int):
    """A photo of a report ``user`` moderates, or None."""
    from participation.models import PublicReportPhoto

    places = moderation_places(user)
    if places.empty:
        return None
    return PublicReportPhoto.objects.filter(places.q("report__"), pk=pk).first()


# The catalogue ---------------------------------------------------------------------------


def public_service_list() -> QuerySet[PublicService]:
    """The services offered to the public, with their category, major class and questions."""
    return (
        PublicService.objects.filter(active=True, category__active=True)
        .select_related("category__parent")
        .prefetch_related(Prefetch("attributes", ServiceAttribute.objects.order_by("order", "pk")))
        .order_by("category__parent__code", "order", "category__code")
    )


def public_services_by_group() -> list[tuple[str, list[PublicService]]]:
    """The offered services grouped by major class, in catalogue order."""
    groups: OrderedDict[str, list[PublicService]] = OrderedDict()
    for service in public_service_list():
        major = service.category.parent
        groups.setdefault(major.local_name if major else "", []).append(service)
    return list(groups.items())


def geocode_address(address: str) -> tuple[float, float] | None:
    """A point for an address typed without one, found against what GridGov knows: the
    community whose name the address contains (the longest such name, if only one
    community bears it), then the grid of that community named in the address, else its
    first grid; the point is that grid's centre. None when no single community matches."""
    address = address.strip()
    if not address:
        return None
    named = list(
        Community.objects.filter(Contains(Value(address), F("name")), active=True)
        .annotate(length=Length("name"))
        .order_by("-length", "pk")[:2]
    )
    if not named or (len(named) == 2 and named[0].length == named[1].length):
        return None
    grids = Grid.objects.filter(
        community=named[0], active=True, centroid_lat__isnull=False, centroid_lng__isnull=False
    )
    grid = (
        grids.filter(Contains(Value(address), F("name")))
        .annotate(length=Length("name"))
        .order_by("-length", "code")
        .first()
        or grids.order_by("code").first()
    )
    return None if grid is None else (grid.centroid_lat, grid.centroid_lng)


# Following a report ----------------------------------------------------------------------


def report_follow(*, reference: str, token: str) -> PublicReport | None:
    """The report with this reference whose follow token is ``token``, or None (the same
    None whichever of the two is wrong)."""
    reference, token = reference.strip().upper(), token.strip()
    if not reference or not token:
        return None
    return (
        PublicReport.objects.select_related("service__category", "ticket")
        .filter(reference=reference, token_hash=token_digest(token))
        .first()
    )


def report_by_token(token: str) -> PublicReport | None:
    token = token.strip()
    if not token:
        return None
    return (
        PublicReport.objects.select_related("ticket").filter(token_hash=token_digest(token)).first()
    )


def report_answers(report: PublicReport) -> list[tuple[str, str]]:
    """(question, answer in words) for each answer of the report: a list answer by the
    names of its values."""
    questions = {attribute.code: attribute for attribute in report.service.attributes.all()}
    shown = []
    for code, answer in report.attributes.items():
        attribute = questions.get(code)
        options = (
            {str(o.get("key")): str(o.get("name")) for o in attribute.values} if attribute else {}
        )
        values = answer if isinstance(answer, list) else [answer]
        text = "、".join(options.get(str(value), str(value)) for value in values)
        shown.append((attribute.description if attribute else code, text))
    return shown


def public_status(report: PublicReport) -> str:
    """Where the report stands, in words."""
    if report.ticket_id is None:
        return str(ReportStatus(report.status).label)
    return str(PUBLIC_STATUS[report.ticket.status])


def public_steps(report: PublicReport) -> list[PublicStep]:
    """The report's public history: when it came in, and for a case its public steps
    (never who took them, their notes or data)."""
    steps = [PublicStep(report.created_at, str(PUBLIC_STEPS[Action.REPORT]))]
    if report.status == ReportStatus.REJECTED and report.moderated_at:
        steps.append(PublicStep(report.moderated_at, str(ReportStatus.REJECTED.label)))
    if report.ticket_id is None:
        return steps
    events = TicketEvent.objects.filter(
        ticket_id=report.ticket_id, action__in=[a for a in PUBLIC_STEPS if a != Action.REPORT]
    ).only("at", "action", "data")
    for event in events.order_by("at", "pk"):
        label = PUBLIC_STEPS[event.action]
        if event.action == Action.RATE and "satisfaction" not in event.data:
            label = UNRATED
        steps.append(PublicStep(event.at, str(label)))
    return steps


# Open311 ---------------------------------------------------------------------------------


def open311_status(ticket: Ticket) -> str:
    """GeoReport v2 knows two statuses: a case that has ended is closed, any other open."""
    return "closed" if ticket.status in FINAL_STATUSES else "open"


def open311_tickets() -> QuerySet[Ticket]:
    """The cases Open311 clients may read: those of the categories offered to the public
    (a public service, active or since withdrawn), whatever their source."""
    return Ticket.objects.filter(category__public_service__isnull=False).select_related(
        "category", "lead_department", "public_report"
    )


def open311_request_list(
    *,
    numbers: list[str] | None = None,
    codes: list[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    statuses: list[str] | None = None,
) -> list[Ticket]:
    """GET requests: the named cases (which override every other filter), or those of the
    codes and statuses requested in [start, end] (default: the last 90 days), newest first,
    at most 1,000."""
    tickets = open311_tickets()
    if numbers:
        return list(tickets.filter(number__in=numbers).order_by("-pk")[:OPEN311_MAX_REQUESTS])
    end = end or timezone.now()
    start = start or end - timedelta(days=OPEN311_DEFAULT_DAYS)
    # The number's day (GD-YYYYMMDD-…) is indexed; created_at is not. A day either side
    # covers a case numbered just before a midnight it was saved after.
    first = timezone.localdate(start) - timedelta(days=1)
    last = timezone.localdate(end) + timedelta(days=2)
    tickets = tickets.filter(
        number__gte=f"GD-{first:%Y%m%d}",
        number__lt=f"GD-{last:%Y%m%d}",
        created_at__gte=start,
        created_at__lte=end,
    )
    if codes:
        tickets = tickets.filter(category__code__in=codes)
    if statuses and set(statuses) != {"open", "closed"}:
        final = list(FINAL_STATUSES)
        if "closed" in statuses:
            tickets = tickets.filter(status__in=final)
        else:
            tickets = tickets.exclude(status__in=final)
    return list(tickets.order_by("-pk")[:OPEN311_MAX_REQUESTS])
