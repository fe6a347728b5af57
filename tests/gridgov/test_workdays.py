"""Apps beside incidents ask gridgov.workdays, and get the incidents calendar's answer."""

from __future__ import annotations

from datetime import date

import pytest

from gridgov.workdays import is_working_day, working_day_test

pytestmark = pytest.mark.django_db


def test_the_installed_calendar_knows_holidays_and_swapped_saturdays():
    assert not is_working_day(date(2026, 10, 5))  # National Day holiday, a Monday
    assert is_working_day(date(2026, 10, 10))  # the Saturday swapped after it
    check = working_day_test(date(2026, 10, 1), date(2026, 10, 12))
    assert [d for d in range(1, 13) if check(date(2026, 10, d))] == [8, 9, 10, 12]
