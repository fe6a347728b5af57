"""Working time: the official calendar with its swapped weekends, local overrides, working
hours, plain-clock units and emergencies, and the calendar API."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured

from incidents import calendar
from incidents.models import CalendarOverride

SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)


def test_one_working_day_from_the_eve_of_national_day_2026_lands_after_the_holiday():
    # Wednesday 30 September, 10:00; 1–7 October are off; Thursday 8 October is the next
    # working day.
    assert calendar.due_at(at(2026, 9, 30, 10, 0), 1, "working_days") == at(2026, 10, 8, 10, 0)


def test_the_saturday_swapped_after_national_day_is_a_working_day():
    # Friday 9 October 16:00 + 4 working hours: 1.5 h on Friday, then Saturday 10 October
    # is a working day (调休), so the limit ends there at 11:00.
    assert calendar.due_at(at(2026, 10, 9, 16, 0), 4, "working_hours") == at(2026, 10, 10, 11, 0)
    assert calendar.is_working_day(date(2026, 10, 10))
    assert not calendar.is_working_day(date(2026, 10, 11))


def test_working_hours_skip_lunch_and_night():
    # 11:30 + 1 working hour: 30 min before lunch, 30 min after 13:30.
    assert calendar.due_at(at(2026, 11, 23, 11, 30), 1, "working_hours") == at(2026, 11, 23, 14)
    # 17:00 + 60 working minutes: 30 min today, 30 min from 08:30 the next working day.
    assert calendar.due_at(at(2026, 11, 23, 17), 60, "working_minutes") == at(2026, 11, 24, 9)


def test_a_start_outside_working_hours_waits_for_the_next_opening():
    # Saturday 21 November 2026 is an ordinary weekend day.
    assert calendar.due_at(at(2026, 11, 21, 9), 30, "working_minutes") == at(2026, 11, 23, 9, 0)


def test_plain_units_and_emergencies_run_on_the_clock():
    start = at(2026, 10, 1, 9, 0)  # a holiday
    assert calendar.due_at(start, 2, "hours") == at(2026, 10, 1, 11, 0)
    assert calendar.due_at(start, 10, "minutes") == at(2026, 10, 1, 9, 10)
    assert calendar.due_at(start, 4, "working_hours", plain_clock=True) == at(2026, 10, 1, 13)


def test_local_overrides_change_the_official_calendar():
    CalendarOverride.objects.create(date=date(2026, 11, 24), kind="holiday", note="local")
    CalendarOverride.objects.create(date=date(2026, 11, 28), kind="workday", note="swap")
    # Monday 23 November 17:00 + 1 working hour: Tuesday is a local holiday.
    assert calendar.due_at(at(2026, 11, 23, 17), 1, "working_hours") == at(2026, 11, 25, 9)
    assert calendar.is_working_day(date(2026, 11, 28))


def test_working_hours_come_from_the_setting(settings):
    settings.WORKING_HOURS = "09:00-17:00"
    assert calendar.due_at(at(2026, 11, 23, 16), 2, "working_hours") == at(2026, 11, 24, 10)
    settings.WORKING_HOURS = "09:00-08:00"
    with pytest.raises(ImproperlyConfigured, match="WORKING_HOURS"):
        calendar.working_day()


def test_calendar_api_lists_the_year_exceptions(plain_api):
    response = plain_api.get("/api/v1/calendar/", {"year": 2026})
    assert response.status_code == 200
    body = response.json()
    assert body["working_hours"] == [["08:30", "12:00"], ["13:30", "17:30"]]
    assert "2026-10-01" in body["non_working_days"]
    assert "2026-10-08" not in body["non_working_days"]
    assert "2026-10-10" in body["extra_working_days"]
    assert "2026-11-21" in body["non_working_days"]  # a plain Saturday


def test_deadline_api_answers_due_at(plain_api):
    response = plain_api.get(
        "/api/v1/calendar/deadline/",
        {"start": "2026-09-30T10:00:00+08:00", "amount": 1, "unit": "working_days"},
    )
    assert response.status_code == 200
    assert response.json() == {"due_at": "2026-10-08T10:00:00+08:00"}
    emergency = plain_api.get(
        "/api/v1/calendar/deadline/",
        {
            "start": "2026-10-01T09:00:00+08:00",
            "amount": 2,
            "unit": "working_hours",
            "priority": "emergency",
        },
    )
    assert emergency.json() == {"due_at": "2026-10-01T11:00:00+08:00"}


@pytest.mark.parametrize(
    ("query", "attr"),
    [
        ({"amount": 1, "unit": "hours"}, "start"),
        ({"start": "yesterday", "amount": 1, "unit": "hours"}, "start"),
        ({"start": "2026-09-30T10:00:00+08:00", "amount": -1, "unit": "hours"}, "amount"),
        ({"start": "2026-09-30T10:00:00+08:00", "amount": 1, "unit": "fortnights"}, "unit"),
        ({"start": "1066-10-14T10:00:00+00:00", "amount": 1, "unit": "hours"}, "start"),
    ],
)
def test_deadline_api_answers_400_on_bad_input(plain_api, query, attr):
    response = plain_api.get("/api/v1/calendar/deadline/", query)
    assert response.status_code == 400
    assert attr in {error["attr"] for error in response.json()["errors"]}


def test_calendar_needs_sign_in(anon_api):
    assert anon_api.get("/api/v1/calendar/", {"year": 2026}).status_code in (401, 403)
