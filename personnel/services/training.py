"""Training records: attendance with hours and scores, certificates earned by passing a course,
and the reminder sent before a certificate expires."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from personnel.choices import NotificationKind
from personnel.models import Attendance, Certificate, Course, TrainingSession, User
from personnel.services.notifications import notify

DEFAULT_REMINDER_DAYS = 30


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, kept inside the month (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@transaction.atomic
def attendance_record(
    *,
    session: TrainingSession,
    user: User,
    attended: bool = True,
    hours: Decimal | None = None,
    score: int | None = None,
) -> Attendance:
    """Record (or correct) ``user``'s attendance at ``session``.

    Hours default to the course's length for those present. A passing score on a course that
    certifies issues the certificate, dated the day the session ended.
    """
    course = session.course
    if hours is None:
        hours = course.hours if attended else Decimal(0)
    if not attended and (hours or score is not None):
        raise ValidationError(_("Someone who was absent earns neither hours nor a score."))
    attendance = Attendance.objects.select_for_update().filter(
        session=session, user=user
    ).first() or Attendance(session=session, user=user)
    attendance.attended, attendance.hours, attendance.score = attended, hours, score
    attendance.full_clean()
    attendance.save()
    if attended and score is not None and score >= course.pass_score and course.certificate_months:
        certificate_issue(user=user, course=course, issued_on=timezone.localdate(session.ends_at))
    return attendance


@transaction.atomic
def certificate_issue(*, user: User, course: Course, issued_on: date) -> Certificate:
    """Issue ``user``'s certificate for ``course`` on ``issued_on``, valid for the course's
    ``certificate_months`` (no expiry when it has none), and tell the holder.

    The number is derived from course, day and holder, so recording the same pass twice
    returns the certificate already issued instead of a second one.
    """
    number = f"{course.code}-{issued_on:%Y%m%d}-{user.pk}"
    existing = Certificate.objects.filter(number=number).first()
    if existing is not None:
        return existing
    months = course.certificate_months
    certificate = Certificate(
        user=user,
        course=course,
        number=number,
        issued_on=issued_on,
        expires_on=add_months(issued_on, months) if months else None,
    )
    certificate.full_clean()
    certificate.save()
    valid = (
        _("Valid until %(date)s.") % {"date": certificate.expires_on.isoformat()}
        if certificate.expires_on
        else _("It does not expire.")
    )
    notify(
        user=user,
        kind=NotificationKind.TRAINING,
        title=_("Certificate issued: %(course)s") % {"course": course.title},
        body=_("Certificate number %(number)s.") % {"number": number} + " " + valid,
    )
    return certificate


@transaction.atomic
def certificate_remind(*, certificate: Certificate) -> bool:
    """Tell the holder that ``certificate`` expires soon, once: ``reminded_at`` is set by a
    compare-and-swap, and only the caller that set it sends the notification."""
    taken = Certificate.objects.filter(pk=certificate.pk, reminded_at__isnull=True).update(
        reminded_at=timezone.now()
    )
    if not taken:
        return False
    values = {
        "course": certificate.course.title,
        "date": certificate.expires_on.isoformat(),
        "number": certificate.number,
    }
    notify(
        user=certificate.user,
        kind=NotificationKind.CERTIFICATE,
        title=_("Your certificate for %(course)s expires on %(date)s") % values,
        body=_(
            "Certificate %(number)s for %(course)s expires on %(date)s. "
            "Arrange a refresher course in good time."
        )
        % values,
    )
    return True


def certificate_reminders_send(*, today: date | None = None) -> int:
    """Remind the holders of certificates expiring within CERTIFICATE_REMINDER_DAYS (still
    valid today, not yet reminded); returns how many reminders went out.

    Written in the site's default language: a job has no request to take a language from.
    """
    today = today or timezone.localdate()
    days = getattr(settings, "CERTIFICATE_REMINDER_DAYS", DEFAULT_REMINDER_DAYS)
    due = list(
        Certificate.objects.select_related("course", "user")
        .filter(
            reminded_at__isnull=True,
            expires_on__gte=today,
            expires_on__lte=today + timedelta(days=days),
            user__is_active=True,
        )
        .order_by("expires_on", "pk")
    )
    with translation.override(settings.LANGUAGE_CODE):
        return sum(certificate_remind(certificate=certificate) for certificate in due)
