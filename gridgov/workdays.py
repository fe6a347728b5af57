"""Which days are working days, for apps that sit beside the one keeping the calendar.

The incidents app keeps the working calendar (the official calendar with its swapped
weekends, plus local overrides) and installs its reader here at start-up, so that funding
can ask without importing incidents. Without a reader, Monday to Friday are working days.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

WorkingDayTest = Callable[[date], bool]
_reader: Callable[[date, date], WorkingDayTest] | None = None


def install_calendar(reader: Callable[[date, date], WorkingDayTest]) -> None:
    """Called once by the incidents app: ``reader(first, last)`` answers for that span."""
    global _reader
    _reader = reader


def working_day_test(first: date, last: date) -> WorkingDayTest:
    """A test for days from ``first`` to ``last``, its overrides read once."""
    if _reader is None:
        return lambda day: day.weekday() < 5
    return _reader(first, last)


def is_working_day(day: date) -> bool:
    return working_day_test(day, day)(day)
