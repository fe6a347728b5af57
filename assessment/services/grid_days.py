"""The region rollup (``GridDay``) of a range of local days, computed set-wise from the
ticket history: one grouped query over the events, one over the red alerts.

What each figure counts, on the local day of the event (under the ticket's current grid,
category and source):

* reported, accepted, verified, filed, dispatched, returned, handled (submitted), closed,
  extensions (approved), parked: events of that action;
* rejected: rejections and merges as a duplicate; voided: voids, and
  ``voided_after_filing`` those of a filed case (filed or in handling);
* checked: checks on site, which end in ``close`` or ``rework``; reworks: reworks and
  reopenings after an unsatisfied rating;
* ``*_on_time``: those steps not late by the rule of ``assessment.services.events``;
  ``closed_on_time``: closures of cases none of whose stages went red;
* overdue: stages the deadline sweep turned red that day (its red alerts);
* escalated_*: escalations to each level, by the sweep or by hand;
* rated, rating_sum, unsatisfied: ratings given (an unrated auto-evaluation is none);
* handling_*: at each closure, the time from the report to it (sum, count, histogram).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Case, Count, DurationField, F, FloatField, Q, QuerySet, Sum, When

from assessment.histogram import BUCKET_FIELDS, bucket_bounds
from assessment.models import GridDay
from assessment.services.events import (
    CHECKS,
    REWORKS,
    UNSATISFIED_AT_MOST,
    day_bounds,
    local_day,
    rating,
    reported_at,
    since,
    timed_events,
)
from incidents.choices import Action, Level, SlaColour, Status
from incidents.models import StageAlert

A = Action
KEY = ("day", "grid_id", "category_id", "source")
SCOPE = ("district_id", "street_id", "community_id")


def _n(condition: Q) -> Count:
    return Count("pk", filter=condition)


def _bucket(index: int) -> Count:
    lower, upper = bucket_bounds(index)
    condition = Q(action=A.CLOSE, handling__gte=timedelta(minutes=lower))
    if upper is not None:
        condition &= Q(handling__lt=timedelta(minutes=upper))
    return _n(condition)


def counted_events() -> dict[str, Q]:
    """The condition on an annotated event (``timed_events`` plus ``stars``) of every
    figure that counts events: the rollup counts them, and a dashboard's list of the cases
    behind a figure lists exactly them."""
    escalated = {
        f"escalated_{level.name.lower()}": Q(action=A.ESCALATE, data__level=level.value)
        for level in (Level.COMMUNITY, Level.STREET, Level.DISTRICT)
    }
    return {
        "reported": Q(action=A.REPORT),
        "accepted": Q(action=A.ACCEPT),
        "rejected": Q(action__in=[A.REJECT, A.MERGE], to_status=Status.REJECTED),
        "verified": Q(action=A.VERIFY),
        "verified_on_time": Q(action=A.VERIFY, late=False),
        "filed": Q(action=A.FILE),
        "filed_on_time": Q(action=A.FILE, late=False),
        "voided": Q(action=A.VOID),
        "voided_after_filing": Q(action=A.VOID, from_status__in=[Status.FILED, Status.IN_HANDLING]),
        "dispatched": Q(action=A.DISPATCH),
        "dispatched_on_time": Q(action=A.DISPATCH, late=False),
        "returned": Q(action=A.RETURN),
        "handled": Q(action=A.SUBMIT),
        "handled_on_time": Q(action=A.SUBMIT, late=False),
        "checked": Q(action__in=CHECKS),
        "checked_on_time": Q(action__in=CHECKS, late=False),
        "closed": Q(action=A.CLOSE),
        "closed_on_time": Q(action=A.CLOSE, ever_late=False),
        "reworks": Q(action__in=REWORKS),
        **escalated,
        "extensions": Q(action=A.APPROVE_EXTENSION),
        "parked": Q(action=A.PARK),
        "rated": Q(action=A.RATE, stars__isnull=False),
        "unsatisfied": Q(action=A.RATE, stars__lte=UNSATISFIED_AT_MOST),
    }


def _figures() -> dict[str, Any]:
    return {
        **{name: _n(condition) for name, condition in counted_events().items()},
        "rating_sum": Sum("stars", filter=Q(action=A.RATE)),
        "handling_seconds": Sum("handling", filter=Q(action=A.CLOSE)),
        "handling_count": _n(Q(action=A.CLOSE, handling__isnull=False)),
        **{name: _bucket(index) for index, name in enumerate(BUCKET_FIELDS)},
    }


def annotated_events(first: date, last: date) -> QuerySet:
    """The events of local days ``first``…``last`` with every annotation a figure reads."""
    return timed_events(first, last).annotate(
        handling=Case(
            When(action=A.CLOSE, then=since(reported_at())), output_field=DurationField()
        ),
        stars=Case(When(action=A.RATE, then=rating()), output_field=FloatField()),
    )


def _dimensions(prefix: str) -> dict[str, F]:
    return {
        "grid_id": F(f"{prefix}grid_id"),
        "category_id": F(f"{prefix}category_id"),
        "source": F(f"{prefix}source"),
        **{name: F(f"{prefix}{name}") for name in SCOPE},
    }


def _plain(figures: dict[str, Any]) -> dict[str, int]:
    """Aggregates as stored: durations in whole seconds, sums of ratings as integers."""
    values = {}
    for name, value in figures.items():
        if isinstance(value, timedelta):
            value = int(value.total_seconds())
        values[name] = round(value or 0)
    return values


def grid_days(first: date, last: date) -> list[GridDay]:
    """The GridDay rows of local days ``first``…``last``; rows with nothing in them are
    left out."""
    events = annotated_events(first, last)
    figures = _figures()
    rows: dict[tuple, dict[str, Any]] = {}
    for found in events.values("day", **_dimensions("ticket__")).annotate(**figures).order_by():
        key = tuple(found[name] for name in KEY)
        rows[key] = {name: found[name] for name in (*KEY, *SCOPE)} | _plain(
            {name: found[name] for name in figures}
        )
    start, end = day_bounds(first, last)
    alerts = (
        StageAlert.objects.filter(colour=SlaColour.RED, at__gte=start, at__lt=end)
        .values(day=local_day("at"), **_dimensions("ticket__"))
        .annotate(overdue=Count("pk"))
        .order_by()
    )
    for found in alerts:
        key = tuple(found[name] for name in KEY)
        row = rows.setdefault(key, {name: found[name] for name in (*KEY, *SCOPE)})
        row["overdue"] = found["overdue"]
    counted = (*figures, "overdue")
    return [GridDay(**row) for row in rows.values() if any(row.get(name) for name in counted)]
