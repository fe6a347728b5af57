"""What an assessment is about and over which days, parsed from the short strings pages and
the API pass around: a scope ``"street:12"`` and a period ``"2026-10"`` (a month),
``"2026-W43"`` (an ISO week), ``"2026-Q4"`` (a quarter) or ``"2026"`` (a year).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from assessment.choices import PeriodKind, ScopeKind

_SCOPE = re.compile(r"^(?P<kind>[a-z]+):(?P<id>[1-9][0-9]{0,17})$")
_PERIODS = (
    (PeriodKind.WEEK, re.compile(r"^(?P<year>\d{4})-W(?P<number>\d{2})$")),
    (PeriodKind.QUARTER, re.compile(r"^(?P<year>\d{4})-Q(?P<number>\d)$")),
    (PeriodKind.MONTH, re.compile(r"^(?P<year>\d{4})-(?P<number>\d{2})$")),
    (PeriodKind.YEAR, re.compile(r"^(?P<year>\d{4})$")),
)


@dataclass(frozen=True)
class Scope:
    """A place (district, street, community, grid), a department or a grid worker (by the
    id of their worker profile)."""

    kind: str
    id: int

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True)
class Period:
    """The local days ``first``…``last`` (both included) of a named period."""

    kind: str
    label: str
    first: date
    last: date

    def __str__(self) -> str:
        return self.label

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def parse_scope(text: str) -> Scope:
    """``"<kind>:<id>"`` with a kind of ScopeKind and a positive id."""
    found = _SCOPE.match(str(text).strip())
    if found is None:
        raise ValidationError(
            {"scope": _("Give the scope as kind:id, e.g. street:12.")}, code="invalid"
        )
    if found["kind"] not in ScopeKind.values:
        raise ValidationError(
            {
                "scope": _("Unknown scope kind %(kind)s: use one of %(kinds)s.")
                % {"kind": found["kind"], "kinds": ", ".join(ScopeKind.values)}
            },
            code="invalid",
        )
    return Scope(kind=found["kind"], id=int(found["id"]))


def _bad_period(text: str) -> ValidationError:
    return ValidationError(
        {
            "period": _(
                "%(text)s is not a period: give a year (2026), a quarter (2026-Q4), a month "
                "(2026-10) or an ISO week (2026-W43)."
            )
            % {"text": text}
        },
        code="invalid",
    )


def parse_period(text: str) -> Period:
    """A year, quarter, month or ISO week (Monday to Sunday) as its first and last day."""
    label = str(text).strip()
    for kind, pattern in _PERIODS:
        found = pattern.match(label)
        if found is None:
            continue
        year = int(found["year"])
        if year < 1:
            raise _bad_period(label)
        number = int(found["number"]) if kind != PeriodKind.YEAR else 0
        try:
            first, last = _bounds(kind, year, number)
        except ValueError:
            raise _bad_period(label) from None
        return Period(kind=kind, label=label, first=first, last=last)
    raise _bad_period(label)


def _bounds(kind: str, year: int, number: int) -> tuple[date, date]:
    """First and last day; ValueError for a week, quarter or month that does not exist."""
    if kind == PeriodKind.YEAR:
        return date(year, 1, 1), date(year, 12, 31)
    if kind == PeriodKind.MONTH:
        return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])
    if kind == PeriodKind.QUARTER:
        if not 1 <= number <= 4:
            raise ValueError(number)
        first = date(year, 3 * number - 2, 1)
        end_month = 3 * number
        return first, date(year, end_month, calendar.monthrange(year, end_month)[1])
    first = date.fromisocalendar(year, number, 1)
    return first, first + timedelta(days=6)


def parse_month(text: str) -> date:
    """A month ``"2026-10"`` as its first day (the month of a monthly score)."""
    period = parse_period(text)
    if period.kind != PeriodKind.MONTH:
        raise ValidationError(
            {"period": _("%(text)s is not a month: give one as 2026-10.") % {"text": text}},
            code="invalid",
        )
    return period.first
