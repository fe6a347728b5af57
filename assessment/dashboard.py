"""What the supervisors' dashboard reads, always for a user and only from the rollups:
which scopes and periods they may pick, the KPI tiles with the change against the previous
period, and the weekly trend of a scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessment.choices import PLACE_KINDS, PeriodKind, ScopeKind
from assessment.scopes import Period, Scope, parse_period
from assessment.selectors import grid_day_list, indicators_for
from grids.models import Community, District, Grid, Street
from incidents.choices import Source
from personnel.models import Department, GridWorker
from personnel.scope import scope_for
from personnel.selectors import department_list

TREND_WEEKS = 12
COUNT, PERCENT, MINUTES, SCORE = "count", "percent", "minutes", "score"


@dataclass(frozen=True)
class Tile:
    """One KPI: its figure or indicator key, label and kind; ``drill`` names the rollup
    figure whose cases a click lists (a count's own cases; for a rate or a time, the cases
    it is computed over, e.g. the closures of a closure rate). Place scopes only."""

    key: str
    label: Any
    kind: str
    drill: str | None = None
    higher_is_better: bool = True


PLACE_TILES = (
    Tile("reported", _("Reported"), COUNT, "reported"),
    Tile("filed", _("Filed"), COUNT, "filed"),
    Tile("closed", _("Closed"), COUNT, "closed"),
    Tile("closed_on_time", _("Closed on time"), COUNT, "closed_on_time"),
    Tile("closure_rate", _("Closure rate"), PERCENT, "closed"),
    Tile("on_time_closure_rate", _("On-time closure rate"), PERCENT, "closed_on_time"),
    Tile(
        "public_report_rate",
        _("Public-report rate"),
        PERCENT,
        "public_filed",
        higher_is_better=False,
    ),
    Tile("satisfaction_rate", _("Satisfaction"), PERCENT, "rated"),
    Tile("unsatisfied", _("Unsatisfied ratings"), COUNT, "unsatisfied", higher_is_better=False),
    Tile("reworks", _("Reworks"), COUNT, "reworks", higher_is_better=False),
    Tile(
        "median_handling_minutes",
        _("Median handling time"),
        MINUTES,
        "closed",
        higher_is_better=False,
    ),
)
DEPARTMENT_TILES = (
    Tile("dispatched", _("Dispatched to it"), COUNT),
    Tile("handled", _("Handled"), COUNT),
    Tile("handling_rate", _("Handling rate"), PERCENT),
    Tile("on_time_handling_rate", _("On-time handling rate"), PERCENT),
    Tile("rework_rate", _("Rework rate"), PERCENT, higher_is_better=False),
    Tile("score", _("Score"), SCORE),
)
WORKER_TILES = (
    Tile("reports", _("Reports made"), COUNT),
    Tile("valid_report_rate", _("Valid-report rate"), PERCENT),
    Tile("missed_report_rate", _("Missed-report rate"), PERCENT, higher_is_better=False),
    Tile("on_time_verification_rate", _("On-time verification"), PERCENT),
    Tile("on_time_check_rate", _("On-time check"), PERCENT),
    Tile("patrol_coverage", _("Patrol coverage"), PERCENT),
    Tile("score", _("Score"), SCORE),
)
# The panel of what went late: overdue stages and escalations by level.
LATE_FIGURES = (
    ("overdue", _("Stages overdue")),
    ("escalated_community", _("Escalated to the community")),
    ("escalated_street", _("Escalated to the street")),
    ("escalated_district", _("Escalated to the district")),
)


def _places(user) -> dict[str, QuerySet]:
    """The places the user works in and below (not the ancestors shown for context)."""
    reach = scope_for(user)
    places = {
        ScopeKind.DISTRICT: District.objects.all(),
        ScopeKind.STREET: Street.objects.all(),
        ScopeKind.COMMUNITY: Community.objects.all(),
        ScopeKind.GRID: Grid.objects.none(),
    }
    if reach.is_global:
        return places
    districts, streets = reach.district_ids, reach.street_ids
    communities, grids = reach.community_ids, reach.grid_ids
    return {
        ScopeKind.DISTRICT: District.objects.filter(pk__in=districts),
        ScopeKind.STREET: Street.objects.filter(Q(pk__in=streets) | Q(district_id__in=districts)),
        ScopeKind.COMMUNITY: Community.objects.filter(
            Q(pk__in=communities) | Q(street_id__in=streets) | Q(street__district_id__in=districts)
        ),
        ScopeKind.GRID: Grid.objects.filter(pk__in=grids),
    }


def scope_choices(user) -> list[tuple[Any, list[tuple[str, str]]]]:
    """The scopes the user may pick, grouped: the places they work in and below (grids
    only where a grid is what they work in; others reach grids from the map and the
    rankings), and departments."""
    places = _places(user)
    groups = [
        (_("Districts"), ScopeKind.DISTRICT),
        (_("Streets"), ScopeKind.STREET),
        (_("Communities"), ScopeKind.COMMUNITY),
        (_("Grids"), ScopeKind.GRID),
    ]
    choices = [
        (
            label,
            [
                (f"{kind}:{p.pk}", f"{p.code} {p.name}".strip())
                for p in places[kind]
                .select_related(None)
                .only("pk", "code", "name")
                .order_by("code")
            ],
        )
        for label, kind in groups
    ]
    departments = department_list(user=user).order_by("name")
    choices.append((_("Departments"), [(f"department:{d.pk}", d.name) for d in departments]))
    return [(label, options) for label, options in choices if options]


def default_scope(user) -> Scope | None:
    """The widest place the user works in (or their department): where a dashboard opens."""
    places = _places(user)
    for kind in (ScopeKind.DISTRICT, ScopeKind.STREET, ScopeKind.COMMUNITY, ScopeKind.GRID):
        first = places[kind].order_by("pk").values_list("pk", flat=True).first()
        if first is not None:
            return Scope(kind=kind, id=first)
    department = department_list(user=user).order_by("pk").values_list("pk", flat=True).first()
    return None if department is None else Scope(kind=ScopeKind.DEPARTMENT, id=department)


def month_label(day: date) -> str:
    return f"{day:%Y-%m}"


def period_choices(today: date) -> list[tuple[str, str]]:
    """The last 13 months, the last 4 quarters and the last 2 years, newest first."""
    months, day = [], today.replace(day=1)
    for _step in range(13):
        months.append(month_label(day))
        day = (day - timedelta(days=1)).replace(day=1)
    quarter = (today.month - 1) // 3 + 1
    quarters, year = [], today.year
    for _step in range(4):
        quarters.append(f"{year}-Q{quarter}")
        quarter, year = (quarter - 1, year) if quarter > 1 else (4, year - 1)
    return [(label, label) for label in (*months, *quarters, str(today.year), str(today.year - 1))]


def previous_period(period: Period) -> Period:
    """The period of the same kind just before ``period``."""
    day_before = period.first - timedelta(days=1)
    if period.kind == PeriodKind.YEAR:
        return parse_period(str(day_before.year))
    if period.kind == PeriodKind.QUARTER:
        return parse_period(f"{day_before.year}-Q{(day_before.month - 1) // 3 + 1}")
    if period.kind == PeriodKind.MONTH:
        return parse_period(month_label(day_before))
    year, week, _weekday = day_before.isocalendar()
    return parse_period(f"{year}-W{week:02d}")


def _value(found: dict[str, Any], key: str):
    if key in found["indicators"]:
        return found["indicators"][key]
    return found["figures"].get(key)


def _change(now, before, kind: str) -> Decimal | None:
    """Counts change in percent of the previous value; rates and times by the difference
    (percentage points, minutes)."""
    if now is None or before is None:
        return None
    if kind == COUNT:
        if before == 0:
            return None
        return (Decimal(now - before) * 100 / Decimal(before)).quantize(Decimal("0.1"))
    return (Decimal(now) - Decimal(before)).quantize(Decimal("0.1"))


def tiles(user, scope: Scope, period: Period) -> dict[str, Any]:
    """The KPI tiles of ``scope`` over ``period`` against the previous period, and the
    late panel for a place (Http404 outside the user's reach, as ``indicators_for``)."""
    now = indicators_for(user=user, scope=scope, period=period)
    before = indicators_for(user=user, scope=scope, period=previous_period(period))
    specs = {
        ScopeKind.DEPARTMENT: DEPARTMENT_TILES,
        ScopeKind.WORKER: WORKER_TILES,
    }.get(scope.kind, PLACE_TILES)
    shown = []
    for tile in specs:
        value, previous = _value(now, tile.key), _value(before, tile.key)
        change = _change(value, previous, tile.kind)
        better = None
        if change:
            better = (change > 0) == tile.higher_is_better
        shown.append(
            {
                "tile": tile,
                "value": value,
                "previous": previous,
                "change": change,
                "better": better,
                "drill": tile.drill if scope.kind in PLACE_KINDS else None,
            }
        )
    late = []
    if scope.kind in PLACE_KINDS:
        late = [
            {"figure": key, "label": label, "value": now["figures"].get(key, 0)}
            for key, label in LATE_FIGURES
        ]
    return {"tiles": shown, "late": late, "found": now, "previous": previous_period(period)}


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_trend(user, scope: Scope, until: date, weeks: int = TREND_WEEKS) -> list[dict]:
    """Per ISO week (the ``weeks`` weeks up to the one holding ``until``): cases reported
    by source, the share of closures that were on time (closed on time ÷ closed × 100) and
    satisfaction ((rated − unsatisfied) ÷ rated × 100). A place scope only; one query.
    The weeks end at today's at the latest: in a period still running, the weeks to come
    have nothing to show yet."""
    last_week = _week_start(min(until, timezone.localdate()))
    first = last_week - timedelta(weeks=weeks - 1)
    rows = (
        grid_day_list(user=user)
        .filter(
            Q(**{f"{scope.kind}_id": scope.id}),
            day__gte=first,
            day__lte=last_week + timedelta(days=6),
        )
        .values("day", "source")
        .annotate(
            reported=Sum("reported"),
            closed=Sum("closed"),
            closed_on_time=Sum("closed_on_time"),
            rated=Sum("rated"),
            unsatisfied=Sum("unsatisfied"),
        )
        .order_by()
    )
    series = {
        first + timedelta(weeks=n): {
            "by_source": dict.fromkeys(Source.values, 0),
            "closed": 0,
            "closed_on_time": 0,
            "rated": 0,
            "unsatisfied": 0,
        }
        for n in range(weeks)
    }
    for row in rows:
        week = series[_week_start(row["day"])]
        week["by_source"][row["source"]] += row["reported"]
        for name in ("closed", "closed_on_time", "rated", "unsatisfied"):
            week[name] += row[name]
    trend = []
    for start, week in series.items():
        trend.append(
            {
                "start": start,
                "by_source": week["by_source"],
                "reported": sum(week["by_source"].values()),
                "on_time": _share(week["closed_on_time"], week["closed"]),
                "satisfaction": _share(week["rated"] - week["unsatisfied"], week["rated"]),
            }
        )
    return trend


def _share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def scope_label(scope: Scope) -> str:
    """The scope's name as people know it (its code and name where it has a code)."""
    if scope.kind == ScopeKind.WORKER:
        worker = GridWorker.objects.select_related("user").filter(pk=scope.id).first()
        return (worker.user.get_full_name() or worker.user.username) if worker else str(scope)
    model = {
        ScopeKind.DISTRICT: District,
        ScopeKind.STREET: Street,
        ScopeKind.COMMUNITY: Community,
        ScopeKind.GRID: Grid,
        ScopeKind.DEPARTMENT: Department,
    }[scope.kind]
    found = model.objects.filter(pk=scope.id).first()
    if found is None:
        return str(scope)
    code = getattr(found, "code", "")
    return f"{code} {getattr(found, 'name', '')}".strip()
