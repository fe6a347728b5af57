"""The region rollup (``GridDay``) of a range of local days, or of some of its keys, read
off the facts (``EventFact``) and the red alerts; and its sums per grid and day
(``GridDayTotal``), added up from its rows.

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

A row's figures come only from the facts and red alerts of its own day and key, so a few
keys can be rewritten without the rest of the day: the incremental refresh does that with
``keys``.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Collection, Mapping
from datetime import date, timedelta
from functools import reduce
from typing import Any

from django.db.models import BigIntegerField, CharField, Count, F, Func, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Coalesce, Concat, Round
from django.db.models.lookups import In

from assessment.histogram import BUCKET_FIELDS, bucket_bounds
from assessment.models import EventFact, GridDay, GridDayTotal, RegionFigures
from assessment.services.events import (
    CHECKS,
    REWORKS,
    UNSATISFIED_AT_MOST,
    day_bounds,
    local_day,
    per_day,
)
from assessment.services.inserts import insert_select
from incidents.choices import PUBLIC_SOURCES, Action, Level, SlaColour, Source, Status
from incidents.models import StageAlert

A = Action
KEY = ("day", "grid_id", "category_id", "source")
SCOPE = ("district_id", "street_id", "community_id")
Key = tuple[int, int, str]  # a GridDay's grid, category and source
# Up to this many grid × source pairs, ``keys_q`` looks keys up in an index.
INDEXED_PAIRS = 50
# The figures a GridDayTotal adds up: every column the two models share.
TOTALLED = tuple(field.name for field in RegionFigures._meta.fields)


def _key_text(prefix: str = "") -> Concat:
    """A row's key (grid, category, source) as one string, ``"12:7:patrol"``, so that a set
    of keys is one IN over a day's rows (with ``prefix``, a relation leading to them)."""
    return Concat(
        Cast(f"{prefix}grid_id", CharField()),
        Value(":"),
        Cast(f"{prefix}category_id", CharField()),
        Value(":"),
        F(f"{prefix}source"),
        output_field=CharField(),
    )


def keys_q(keys: Collection[Key], prefix: str = "") -> Q:
    """Rows under any of ``keys`` (with ``prefix``, a relation leading to their columns):
    one condition per grid and source with its categories in one IN, which an index on the
    key finds, while they are few; beyond, where the planner's cost of weighing every
    condition outgrows a scan of the day's rows, one IN over the key as text."""
    categories: dict[tuple[int, str], list[int]] = defaultdict(list)
    for grid_id, category_id, source in keys:
        categories[(grid_id, source)].append(category_id)
    if len(categories) > INDEXED_PAIRS:
        texts = [f"{grid_id}:{category_id}:{source}" for grid_id, category_id, source in keys]
        return Q(In(_key_text(prefix), texts))
    found = Q(pk__in=[])  # no key, no row
    for (grid_id, source), ids in categories.items():
        found |= Q(
            **{f"{prefix}grid_id": grid_id, f"{prefix}source": source},
            **{f"{prefix}category_id__in": sorted(ids)},
        )
    return found


def _n(condition: Q) -> Count:
    return Count("pk", filter=condition)


def _bucket(index: int) -> Count:
    lower, upper = bucket_bounds(index)
    condition = Q(action=A.CLOSE, handling__gte=timedelta(minutes=lower))
    if upper is not None:
        condition &= Q(handling__lt=timedelta(minutes=upper))
    return _n(condition)


def counted_events() -> dict[str, Q]:
    """The condition on a fact (``EventFact``) of every figure that counts events: the
    rollup counts them, and a dashboard's list of the cases behind a figure lists exactly
    them."""
    escalated = {
        f"escalated_{level.name.lower()}": Q(action=A.ESCALATE, level=level.value)
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


def _dimensions(prefix: str = "") -> dict[str, F]:
    return {name: F(f"{prefix}{name}") for name in (*KEY[1:], *SCOPE)}


class WholeSeconds(Func):
    """A duration in whole seconds, cut toward zero as ``int(d.total_seconds())`` would:
    PostgreSQL sums durations as intervals, SQLite (as Django stores them) as
    microseconds."""

    output_field = BigIntegerField()

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"TRUNC(EXTRACT(EPOCH FROM {sql}))", params

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST({sql} / 1000000 AS INTEGER)", params


def _stored(figures: dict[str, Any]) -> dict[str, Any]:
    """The figures as the columns keep them: 0 for none, durations in whole seconds, sums
    of ratings rounded (ratings are whole stars, so the sums are whole already)."""
    stored = {}
    for name, figure in figures.items():
        if name == "handling_seconds":
            figure = WholeSeconds(figure)
        elif name == "rating_sum":
            figure = Cast(Round(figure), BigIntegerField())
        stored[name] = Coalesce(figure, 0, output_field=BigIntegerField())
    return stored


def on_keys(keys: Mapping[date, Collection[Key]]) -> Q:
    """GridDay rows (or facts) of ``keys`` on each day."""
    return per_day(keys, lambda day, some: Q(day=day) & keys_q(some))


def _alerts_of(keys: Mapping[date, Collection[Key]]) -> Q:
    def of_day(day: date, some: Collection[Key]) -> Q:
        start, end = day_bounds(day, day)
        return Q(at__gte=start, at__lt=end) & keys_q(some, "ticket__")

    return per_day(keys, of_day)


def _write(facts: QuerySet[EventFact], alerts: QuerySet[StageAlert]) -> int:
    """Write the GridDay rows of ``facts`` in the database, then add the stages overdue of
    ``alerts`` (few rows a day: to those rows, or alone); rows with nothing in them are
    left out. Returns how many rows were written."""
    figures = _stored(_figures())
    something = reduce(operator.or_, (Q(**{f"row_{name}__gt": 0}) for name in figures))
    selected = (
        facts.values(row_day=F("day"), **{f"row_{name}": F(name) for name in _dimensions()})
        .annotate(**{f"row_{name}": figure for name, figure in figures.items()})
        .filter(something)
        .annotate(row_overdue=Value(0))
        .order_by()
    )
    written = insert_select(GridDay, selected, [*KEY, *SCOPE, *figures, "overdue"])
    overdue = [
        GridDay(**found)
        for found in alerts.filter(colour=SlaColour.RED)
        .values(day=local_day("at"), **_dimensions("ticket__"))
        .annotate(overdue=Count("pk"))
        .order_by()
    ]
    GridDay.objects.bulk_create(
        overdue,
        update_conflicts=True,
        update_fields=["overdue"],
        unique_fields=["grid", "category", "source", "day"],
    )
    return written + len(overdue)


def grid_days_write(first: date, last: date) -> int:
    """Write every GridDay row of local days ``first``…``last`` in the database, from the
    facts and the red alerts; the caller removed the rows they replace."""
    start, end = day_bounds(first, last)
    return _write(
        EventFact.objects.filter(day__gte=first, day__lte=last),
        StageAlert.objects.filter(at__gte=start, at__lt=end),
    )


def grid_days_write_keys(keys: Mapping[date, Collection[Key]]) -> int:
    """Write the GridDay rows of ``keys`` on each of their days, as ``grid_days_write``.
    Each day's condition alone bounds its rows: a range over all the days besides would
    have PostgreSQL intersect it with them, reading every row of the range."""
    return _write(
        EventFact.objects.filter(on_keys(keys)), StageAlert.objects.filter(_alerts_of(keys))
    )


def _total_figures() -> dict[str, Any]:
    found = {name: Sum(name) for name in TOTALLED}
    found["public_filed"] = Sum("filed", filter=Q(source__in=PUBLIC_SOURCES))
    found["self_handled"] = Sum("reported", filter=Q(source=Source.SELF_HANDLED))
    return {name: Coalesce(figure, 0) for name, figure in found.items()}


def grid_day_totals_write(rows: QuerySet[GridDay]) -> int:
    """Write the GridDayTotal rows of ``rows`` (every GridDay row of some grids and days)
    in the database: their figures added up per grid and day, with the filings of public
    reports (``public_filed``) and the self-handled reports (``self_handled``); the caller
    removed the totals they replace. Returns how many were written."""
    figures = _total_figures()
    dimensions = ("day", "grid_id", *SCOPE)
    selected = (
        rows.values(**{f"row_{name}": F(name) for name in dimensions})
        .annotate(**{f"row_{name}": figure for name, figure in figures.items()})
        .order_by()
    )
    return insert_select(GridDayTotal, selected, [*dimensions, *figures])
