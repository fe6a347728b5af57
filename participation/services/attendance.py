"""Attendance of an activity, recorded once by a keeper: for every sign-up in force, whether
the volunteer came and for how long (default: the activity's duration). Each attended
sign-up gives service hours and earns ``round(hours × points_per_hour)`` points through the
ledger under the key ``attendance:<sign-up id>``, so a retry never pays twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from participation.choices import ActivityStatus, SignupStatus
from participation.models import Activity, ActivitySignup
from participation.selectors.common import keeps
from participation.services.points import points_earn

MAX_HOURS = Decimal(24)


@dataclass(frozen=True)
class Attendance:
    """One sign-up's attendance: whether the volunteer came, and for how long (None: the
    activity's duration)."""

    signup_id: int
    attended: bool
    hours: Decimal | None = None


def activity_hours(activity: Activity) -> Decimal:
    """The activity's duration in hours, to two places."""
    seconds = Decimal((activity.ends_at - activity.starts_at).total_seconds())
    return (seconds / 3600).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def attendance_points(hours: Decimal, points_per_hour: int) -> int:
    """round(hours × points per hour), halves rounded up."""
    return int((hours * points_per_hour).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _hours(activity: Activity, row: Attendance, index: int) -> Decimal | None:
    if not row.attended:
        if row.hours:
            raise ValidationError(
                {f"records.{index}.hours": _("A volunteer who did not come served no hours.")}
            )
        return None
    hours = activity_hours(activity) if row.hours is None else Decimal(row.hours)
    if not Decimal(0) < hours <= MAX_HOURS:
        raise ValidationError(
            {f"records.{index}.hours": _("Hours lie between 0 and %(max)d.") % {"max": MAX_HOURS}}
        )
    return hours.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def activity_attendance_record(
    *, activity: Activity, by, records: Sequence[Attendance], at: datetime | None = None
) -> Activity:
    """Record, once, who came to ``activity`` (every sign-up in force, exactly once) and for
    how long (``at``: when, now by default). Each attended sign-up earns
    ``round(hours × points_per_hour)`` points; the activity is then done."""
    if not keeps(by, activity):
        raise PermissionDenied(_("Only keepers of the community record attendance."))
    if activity.status == ActivityStatus.DONE:
        raise ValidationError({"activity": _("Attendance was recorded already.")})
    if activity.status != ActivityStatus.OPEN:
        raise ValidationError({"activity": _("This activity was cancelled.")})
    now = min(at, timezone.now()) if at is not None else timezone.now()
    if activity.starts_at > now:
        raise ValidationError({"activity": _("Attendance is recorded once the activity began.")})
    signups = {
        signup.pk: signup
        for signup in activity.signups.filter(status=SignupStatus.SIGNED_UP).select_related(
            "volunteer"
        )
    }
    seen: set[int] = set()
    hours: dict[int, Decimal | None] = {}
    for index, row in enumerate(records):
        if row.signup_id not in signups or row.signup_id in seen:
            raise ValidationError(
                {
                    f"records.{index}.signup": _(
                        "Not a sign-up in force of this activity, or named twice."
                    )
                }
            )
        seen.add(row.signup_id)
        hours[row.signup_id] = _hours(activity, row, index)
    missing = sorted(set(signups) - seen)
    if missing:
        raise ValidationError(
            {
                "records": _("Say for every sign-up whether the volunteer came; missing: %(ids)s.")
                % {"ids": ", ".join(map(str, missing))}
            }
        )
    done = Activity.objects.filter(pk=activity.pk, status=ActivityStatus.OPEN).update(
        status=ActivityStatus.DONE, version=F("version") + 1, updated_at=now
    )
    if not done:
        raise ValidationError({"activity": _("Attendance was recorded already.")})
    for signup_id, served in hours.items():
        ActivitySignup.objects.filter(pk=signup_id, attendance_recorded_at__isnull=True).update(
            attended=served is not None,
            hours=served,
            attendance_recorded_at=now,
            attendance_recorded_by=by,
        )
        points = attendance_points(served, activity.points_per_hour) if served else 0
        if points > 0:
            points_earn(
                volunteer=signups[signup_id].volunteer,
                amount=points,
                reason=_("Service: %(title)s") % {"title": activity.title},
                key=f"attendance:{signup_id}",
                by=by,
                at=now,
            )
    activity.refresh_from_db()
    return activity
