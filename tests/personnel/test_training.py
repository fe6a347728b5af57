"""Training: attendance with hours and scores, certificates with an expiry date, the reminder
before expiry, and the read-only training API a phone uses."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from personnel.models import Certificate, Course, Notification, TrainingSession
from personnel.services.training import attendance_record, certificate_issue
from personnel.tasks.training import certificate_reminders_send
from tests import factories, people

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def course(code: str = "SAFE-01", *, months: int | None = 24, **fields) -> Course:
    defaults = {"title": "Work safety", "hours": Decimal("4.0"), "pass_score": 60}
    return Course.objects.create(code=code, certificate_months=months, **{**defaults, **fields})


def session(of: Course, *, street=None, ends: datetime | None = None) -> TrainingSession:
    ends = ends or datetime(2025, 3, 31, 17, 0, tzinfo=SHANGHAI)
    return TrainingSession.objects.create(
        course=of,
        street=street or factories.street(),
        starts_at=ends - timedelta(hours=4),
        ends_at=ends,
        place="Street office, room 2",
    )


def signed_in(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def holding(user, of: Course, *, expires_on: date, number: str = "C-1") -> Certificate:
    return Certificate.objects.create(
        user=user, course=of, number=number, issued_on=date(2023, 1, 1), expires_on=expires_on
    )


# Attendance and certificates ------------------------------------------------------------


def test_a_passing_score_issues_a_certificate_dated_the_session_day_and_valid_for_the_course():
    # 31 March + 11 months: there is no 31 February, the certificate runs to its last day.
    safety = course(months=11, title="Flood response")
    worker = people.user(email="li@example.org")

    attendance_record(session=session(safety), user=worker, score=75)

    [certificate] = Certificate.objects.filter(user=worker)
    assert certificate.course == safety
    assert certificate.issued_on == date(2025, 3, 31)
    assert certificate.expires_on == date(2026, 2, 28)
    [told] = Notification.objects.filter(user=worker)
    assert told.kind == "training"
    assert "Flood response" in told.title
    assert "2026-02-28" in told.body


def test_a_session_ending_after_midnight_counts_on_the_local_day():
    after_midnight = datetime(2025, 7, 1, 1, 0, tzinfo=SHANGHAI)  # still 30 June in UTC
    worker = people.user()

    attendance_record(
        session=session(course(months=12), ends=after_midnight), user=worker, score=90
    )

    assert Certificate.objects.get(user=worker).issued_on == date(2025, 7, 1)


def test_no_certificate_for_a_failing_score_or_a_course_without_one():
    worker = people.user()

    attendance_record(session=session(course("SAFE-01")), user=worker, score=59)
    attendance_record(session=session(course("INTRO-01", months=None)), user=worker, score=100)

    assert not Certificate.objects.filter(user=worker).exists()


def test_recording_the_same_pass_again_keeps_one_certificate_and_updates_the_attendance():
    class_of_march = session(course())
    worker = people.user()

    attendance_record(session=class_of_march, user=worker, score=70)
    corrected = attendance_record(session=class_of_march, user=worker, score=80)

    assert corrected.score == 80
    assert class_of_march.attendances.count() == 1
    assert Certificate.objects.filter(user=worker).count() == 1


def test_someone_absent_earns_neither_hours_nor_a_score():
    worker = people.user()

    with pytest.raises(ValidationError):
        attendance_record(session=session(course()), user=worker, attended=False, score=90)

    absent = attendance_record(session=session(course("X-2")), user=worker, attended=False)
    assert absent.hours == 0


def test_certificate_numbers_are_unique_per_holder_course_and_day():
    safety = course()
    one, two = people.user(), people.user()

    first = certificate_issue(user=one, course=safety, issued_on=date(2025, 1, 10))
    again = certificate_issue(user=one, course=safety, issued_on=date(2025, 1, 10))
    other = certificate_issue(user=two, course=safety, issued_on=date(2025, 1, 10))

    assert again.pk == first.pk
    assert other.number != first.number


# Reminders before expiry ------------------------------------------------------------------


def test_a_reminder_goes_out_once_before_a_certificate_expires():
    holder = people.user()
    safety = course(title="Gas safety")
    expiry = timezone.localdate() + timedelta(days=10)
    holding(holder, safety, expires_on=expiry)

    certificate_reminders_send.delay()
    certificate_reminders_send.delay()

    [reminder] = Notification.objects.filter(user=holder)
    assert reminder.kind == "certificate"
    assert "Gas safety" in reminder.title
    assert expiry.isoformat() in reminder.title


def test_no_reminder_for_far_off_or_already_expired_certificates():
    holder = people.user()
    safety = course()
    today = timezone.localdate()
    holding(holder, safety, expires_on=today + timedelta(days=90), number="FAR")
    holding(holder, safety, expires_on=today - timedelta(days=1), number="GONE")

    certificate_reminders_send.delay()

    assert not Notification.objects.filter(user=holder).exists()


def test_the_reminder_window_is_a_setting(settings):
    settings.CERTIFICATE_REMINDER_DAYS = 120
    holder = people.user()
    holding(holder, course(), expires_on=timezone.localdate() + timedelta(days=90))

    certificate_reminders_send.delay()

    assert Notification.objects.filter(user=holder, kind="certificate").count() == 1


def test_a_certificate_expiring_today_is_still_reminded():
    holder = people.user()
    holding(holder, course(), expires_on=timezone.localdate())

    certificate_reminders_send.delay()

    assert Notification.objects.filter(user=holder, kind="certificate").count() == 1


# The training API ---------------------------------------------------------------------------


@pytest.fixture
def street_with_worker():
    grid = factories.grid()
    worker = people.with_role("grid_worker", grid)
    people.worker_profile(worker, street=grid.street)
    return grid.street, worker


def test_courses_are_a_catalogue_everyone_signed_in_reads(plain_api):
    course("SAFE-01")
    course("OLD-01", active=False)

    listed = plain_api.get("/api/v1/courses/", {"active": "true"}).json()["results"]

    assert [row["code"] for row in listed] == ["SAFE-01"]
    assert plain_api.post("/api/v1/courses/", {"code": "NEW"}).status_code in (403, 405)


def test_sessions_of_my_street_carry_my_own_attendance_only(street_with_worker):
    street, worker = street_with_worker
    attended = session(course(), street=street)
    upcoming = session(
        course("FIRE-01"), street=street, ends=datetime(2030, 1, 1, 12, 0, tzinfo=SHANGHAI)
    )
    session(course("ELSEWHERE"), street=factories.street(number=2))
    attendance_record(session=attended, user=worker, hours=Decimal("3.5"), score=88)
    attendance_record(session=attended, user=people.user(), score=40)

    rows = signed_in(worker).get("/api/v1/training-sessions/").json()["results"]

    by_id = {row["id"]: row for row in rows}
    assert set(by_id) == {attended.pk, upcoming.pk}
    assert by_id[attended.pk]["my_attendance"] == {"attended": True, "hours": "3.5", "score": 88}
    assert by_id[upcoming.pk]["my_attendance"] is None
    assert by_id[attended.pk]["course_code"] == "SAFE-01"


def test_my_training_hours_add_up_the_sessions_i_attended(street_with_worker):
    street, worker = street_with_worker
    first = session(course("A", hours=Decimal("4.0")), street=street)
    second = session(course("B", hours=Decimal("2.0")), street=street)
    missed = session(course("C"), street=street)
    attendance_record(session=first, user=worker)  # the course's 4 hours
    attendance_record(session=second, user=worker, hours=Decimal("1.5"))
    attendance_record(session=missed, user=worker, attended=False)

    figures = signed_in(worker).get("/api/v1/training-sessions/hours/").json()

    assert figures == {"sessions": 2, "hours": "5.5"}


def test_certificates_are_seen_by_their_holder_and_the_workers_managers(street_with_worker):
    street, worker = street_with_worker
    colleague = people.with_role("grid_worker", factories.grid(number=2))
    staff = people.with_role("street_staff", street)
    safety = course()
    in_force_until = timezone.localdate() + timedelta(days=365)
    mine = holding(worker, safety, expires_on=in_force_until, number="MINE")
    theirs = holding(colleague, safety, expires_on=in_force_until, number="THEIRS")

    def numbers(user) -> set[str]:
        return {
            row["number"] for row in signed_in(user).get("/api/v1/certificates/").json()["results"]
        }

    assert numbers(worker) == {"MINE"}
    assert numbers(colleague) == {"THEIRS"}
    assert numbers(staff) == {"MINE"}
    assert signed_in(worker).get(f"/api/v1/certificates/{theirs.pk}/").status_code == 404
    detail = signed_in(staff).get(f"/api/v1/certificates/{mine.pk}/").json()
    assert detail["holder"] == worker.pk
    assert detail["expired"] is False
    assert detail["course_title"] == "Work safety"
