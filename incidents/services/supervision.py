"""The supervision jobs: evaluating cases nobody rated, the supervisors' daily digest and
the report of idle grid workers. Each is safe to run twice: what it did is recorded in a
row with a unique key, and it skips what is already recorded."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from types import SimpleNamespace

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.exceptions import StaleObjectError
from grids.models import Grid
from incidents import calendar
from incidents.choices import FINAL_STATUSES, Action, SlaColour, Status, SupervisionStatus
from incidents.models import IdleWorkerReport, SupervisorDigest, Ticket, TicketEvent
from incidents.recipients import holders
from incidents.selectors import supervision_order_list, ticket_list
from incidents.workflow import ticket_act
from personnel.choices import AssignmentState, NotificationKind, Role, WorkerStatus
from personnel.models import GridAssignment, GridWorker, PatrolSession, User
from personnel.services.notifications import notify_many

logger = logging.getLogger(__name__)

AUTO_EVALUATE_BATCH = 200


def tickets_auto_evaluate(*, now: datetime | None = None) -> int:
    """Evaluate, unrated, the closed cases whose rating window has passed; returns how
    many. Each goes through the workflow (``rate`` by the system); a case someone changed
    meanwhile is left for the next run."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.RATING_WINDOW_DAYS)
    done = 0
    for ticket in Ticket.objects.filter(status=Status.CLOSED, closed_at__lte=cutoff).order_by(
        "closed_at"
    )[:AUTO_EVALUATE_BATCH]:
        try:
            ticket_act(
                ticket=ticket,
                actor=None,
                action=Action.RATE,
                expected_version=ticket.version,
                note=_("Not rated within %(days)d days.") % {"days": settings.RATING_WINDOW_DAYS},
            )
        except StaleObjectError:
            continue
        done += 1
    return done


def digest_counts(*, user: User, now: datetime) -> dict[str, int]:
    """The figures of one supervisor's digest, over the cases of their scope: overdue,
    escalated above grid level, due today, and supervision orders still open."""
    tickets = ticket_list(user=user).exclude(status__in=FINAL_STATUSES)
    today = timezone.localdate(now)
    end_of_day = timezone.make_aware(
        datetime.combine(today + timedelta(days=1), datetime.min.time())
    )
    return {
        "overdue": tickets.filter(sla_colour=SlaColour.RED).count(),
        "escalated": tickets.filter(level__gt=0).count(),
        "due_today": tickets.filter(stage_due_at__gte=now, stage_due_at__lt=end_of_day).count(),
        "open_orders": supervision_order_list(user=user)
        .exclude(status=SupervisionStatus.CLOSED)
        .count(),
    }


def supervisor_digests_send(*, now: datetime | None = None) -> int:
    """Send each supervisor in force today's digest once; returns how many were sent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    supervisors = User.objects.filter(
        is_active=True,
        role_assignments__role=Role.SUPERVISOR,
        role_assignments__state=AssignmentState.ACTIVE,
    ).distinct()
    sent = 0
    for user in supervisors:
        if SupervisorDigest.objects.filter(user=user, day=today).exists():
            continue
        counts = digest_counts(user=user, now=now)
        try:
            with transaction.atomic():
                SupervisorDigest.objects.create(user=user, day=today, counts=counts)
                notify_many(
                    user_ids=[user.pk],
                    kind=NotificationKind.DIGEST,
                    title=_(
                        "Daily digest: %(overdue)d overdue, %(escalated)d escalated, "
                        "%(due_today)d due today, %(open_orders)d open supervision orders"
                    )
                    % counts,
                    url=reverse("incidents:supervision"),
                )
        except IntegrityError:
            continue  # another run sent it meanwhile
        sent += 1
    return sent


def worker_last_activity(workers) -> dict[int, datetime | None]:
    """Each worker's latest patrol or case activity (one query)."""
    patrolled = PatrolSession.objects.filter(worker=OuterRef("user_id")).order_by("-started_at")
    acted = TicketEvent.objects.filter(actor=OuterRef("user_id")).order_by("-at")
    rows = GridWorker.objects.filter(pk__in=[w.pk for w in workers]).annotate(
        last_patrol=Subquery(patrolled.values("started_at")[:1]),
        last_patrol_end=Subquery(patrolled.values("ended_at")[:1]),
        last_case=Subquery(acted.values("at")[:1]),
    )
    return {
        row.pk: max(
            (t for t in (row.last_patrol, row.last_patrol_end, row.last_case) if t), default=None
        )
        for row in rows
    }


def idle_workers_report(*, now: datetime | None = None) -> int:
    """Report each active grid worker with neither patrol nor case activity for
    ``IDLE_WORKER_WORKING_HOURS`` working hours to the grid chief and the street office,
    once per idle stretch; returns how many were reported."""
    now = now or timezone.now()
    limit = settings.IDLE_WORKER_WORKING_HOURS * 60
    today = timezone.localdate(now)
    open_assignments = GridAssignment.objects.filter(
        Q(until__isnull=True) | Q(until__gte=today), since__lte=today
    )
    workers = list(
        GridWorker.objects.filter(status=WorkerStatus.ACTIVE, assignments__in=open_assignments)
        .annotate(first_since=Max("assignments__since"))
        .select_related("user")
        .distinct()
    )
    last_activity = worker_last_activity(workers)
    reported = 0
    for worker in workers:
        since = last_activity.get(worker.pk) or timezone.make_aware(
            datetime.combine(worker.first_since, datetime.min.time())
        )
        if calendar.working_minutes_between(since, now) < limit:
            continue
        places = [
            SimpleNamespace(
                pk=grid.pk,
                grid_id=grid.pk,
                community_id=grid.community_id,
                street_id=grid.street_id,
                district_id=grid.district_id,
            )
            for grid in Grid.objects.filter(
                worker_assignments__in=open_assignments.filter(worker=worker)
            )
        ]
        found = holders(places, {Role.GRID_CHIEF, Role.STREET_STAFF})
        recipients = set().union(*found.values()) if found else set()
        try:
            with transaction.atomic():
                IdleWorkerReport.objects.create(
                    worker=worker, last_active_at=since, reported_at=now
                )
                notify_many(
                    user_ids=recipients,
                    kind=NotificationKind.IDLE,
                    title=_("%(worker)s has neither patrolled nor handled a case since %(since)s")
                    % {
                        "worker": worker.user.full_name or worker.user.username,
                        "since": timezone.localtime(since).strftime("%Y-%m-%d %H:%M"),
                    },
                    url=reverse("workload"),
                )
        except IntegrityError:
            continue  # already reported for this stretch
        reported += 1
    return reported
