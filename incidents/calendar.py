"""Working time: the Chinese official calendar (holidays and swapped working weekends, from
the ``chinesecalendar`` package), local overrides, and the working hours of a day.

Every time limit of a case becomes a due time here. Plain units (minutes, hours) and
emergencies run on the clock; working units count only working time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import chinese_calendar
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from incidents.choices import LimitUnit, OverrideKind

PLAIN_UNITS = {LimitUnit.MINUTES: 1, LimitUnit.HOURS: 60}
WORKING_UNITS = {LimitUnit.WORKING_MINUTES: 1, LimitUnit.WORKING_HOURS: 60}
# A limit may not reach further than this many calendar days (about ten years).
HORIZON_DAYS = 3660
_INTERVAL = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class WorkingDay:
    """The working intervals of one day, as (start, end) times in local time."""

    intervals: tuple[tuple[time, time], ...]

    @property
    def minutes(self) -> int:
        return sum(
            (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
            for start, end in self.intervals
        )


@lru_cache(maxsize=8)
def _parse_working_hours(value: str) -> WorkingDay:
    intervals = []
    for part in value.split(","):
        match = _INTERVAL.match(part)
        if not match:
            raise ImproperlyConfigured(f"WORKING_HOURS: {part!r} is not HH:MM-HH:MM")
        h1, m1, h2, m2 = map(int, match.groups())
        try:
            start, end = time(h1, m1), time(h2, m2)
        except ValueError:
            raise ImproperlyConfigured(f"WORKING_HOURS: {part!r} is not a time of day") from None
        if end <= start or (intervals and start < intervals[-1][1]):
            raise ImproperlyConfigured(
                f"WORKING_HOURS: {part!r} must end after it starts and follow the one before"
            )
        intervals.append((start, end))
    return WorkingDay(tuple(intervals))


def working_day() -> WorkingDay:
    return _parse_working_hours(settings.WORKING_HOURS)


def _official_working_day(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        # Outside the years the package knows: Monday to Friday.
        return day.weekday() < 5


def _overrides(start: date, end: date) -> dict[date, str]:
    from incidents.models import CalendarOverride

    return dict(
        CalendarOverride.objects.filter(date__range=(start, end)).values_list("date", "kind")
    )


class Calendar:
    """Working days over a span of dates, with the local overrides read in one query."""

    def __init__(self, first: date, last: date) -> None:
        self.overrides = _overrides(first, last)

    def is_working_day(self, day: date) -> bool:
        override = self.overrides.get(day)
        if override is not None:
            return override == OverrideKind.WORKDAY
        return _official_working_day(day)


def is_working_day(day: date) -> bool:
    return Calendar(day, day).is_working_day(day)


def _add_working_minutes(start: datetime, minutes: int) -> datetime:
    """The instant ``minutes`` of working time after ``start`` (aware)."""
    tz = timezone.get_current_timezone()
    local = timezone.localtime(start, tz)
    hours = working_day()
    calendar = Calendar(local.date(), local.date() + timedelta(days=HORIZON_DAYS))
    remaining = timedelta(minutes=minutes)
    day = local.date()
    for _offset in range(HORIZON_DAYS):
        if calendar.is_working_day(day):
            for begin, end in hours.intervals:
                opens = timezone.make_aware(datetime.combine(day, begin), tz)
                closes = timezone.make_aware(datetime.combine(day, end), tz)
                if closes <= local:
                    continue
                since = max(opens, local)
                if remaining <= closes - since:
                    return since + remaining
                remaining -= closes - since
        day += timedelta(days=1)
    raise ValueError("the limit reaches beyond the calendar horizon")


def working_minutes_between(start: datetime, end: datetime) -> int:
    """Working minutes from ``start`` to ``end`` (0 when ``end`` is not later); spans are
    counted day by day, so keep them to weeks, not years."""
    if end <= start:
        return 0
    tz = timezone.get_current_timezone()
    first, last = timezone.localtime(start, tz), timezone.localtime(end, tz)
    calendar = Calendar(first.date(), last.date())
    total = timedelta()
    day = first.date()
    while day <= last.date():
        if calendar.is_working_day(day):
            for begin, finish in working_day().intervals:
                opens = max(timezone.make_aware(datetime.combine(day, begin), tz), first)
                closes = min(timezone.make_aware(datetime.combine(day, finish), tz), last)
                if closes > opens:
                    total += closes - opens
        day += timedelta(days=1)
    return int(total.total_seconds() // 60)


def due_at(start: datetime, amount: int, unit: str, *, plain_clock: bool = False) -> datetime:
    """When a limit of ``amount`` ``unit`` that starts at ``start`` runs out.

    ``plain_clock`` (emergencies) counts working units as plain time: a working hour is an
    hour. A working day is one day's working time (08:30–12:00 and 13:30–17:30 by default,
    7.5 hours), so a limit of one working day started at 10:00 on a working day runs out at
    10:00 on the next working day. A start outside working hours waits for the next opening.
    """
    if amount < 0:
        raise ValueError("amount must not be negative")
    unit = LimitUnit(unit)
    if unit == LimitUnit.WORKING_DAYS:
        minutes = amount * working_day().minutes
    else:
        minutes = amount * {**PLAIN_UNITS, **WORKING_UNITS}[unit]
    if plain_clock or unit in PLAIN_UNITS:
        if unit == LimitUnit.WORKING_DAYS:
            return start + timedelta(days=amount)
        return start + timedelta(minutes=minutes)
    if minutes == 0:
        return start
    return _add_working_minutes(start, minutes)


def year_exceptions(year: int) -> dict[str, list[date]]:
    """The days of ``year`` that break the Monday-to-Friday rhythm: ``non_working_days``
    (every day off: weekends and holidays) and ``extra_working_days`` (weekend days that
    are working days, such as the Saturday swapped after National Day)."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    calendar = Calendar(first, last)
    non_working, extra = [], []
    day = first
    while day <= last:
        working = calendar.is_working_day(day)
        if not working:
            non_working.append(day)
        elif day.weekday() >= 5:
            extra.append(day)
        day += timedelta(days=1)
    return {"non_working_days": non_working, "extra_working_days": extra}
