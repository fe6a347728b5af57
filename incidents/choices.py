from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CategoryKind(models.TextChoices):
    EVENT = "event", _("event")
    COMPONENT = "component", _("component")


class Priority(models.TextChoices):
    EMERGENCY = "emergency", _("emergency")
    URGENT = "urgent", _("urgent")
    NORMAL = "normal", _("normal")


class Stage(models.TextChoices):
    """The timed stages of a case (see DOMAIN.md, "The closed loop of a case")."""

    ACCEPT = "accept", _("accept")
    VERIFY = "verify", _("verify")
    DISPATCH = "dispatch", _("dispatch")
    HANDLE = "handle", _("handle")
    CHECK = "check", _("check")


class LimitUnit(models.TextChoices):
    MINUTES = "minutes", pgettext_lazy("time unit", "minutes")
    HOURS = "hours", pgettext_lazy("time unit", "hours")
    WORKING_MINUTES = "working_minutes", pgettext_lazy("time unit", "working minutes")
    WORKING_HOURS = "working_hours", pgettext_lazy("time unit", "working hours")
    WORKING_DAYS = "working_days", pgettext_lazy("time unit", "working days")


class OverrideKind(models.TextChoices):
    HOLIDAY = "holiday", _("local holiday")
    WORKDAY = "workday", _("extra working day")
