"""Choices of the participation app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CareTagCode(models.TextChoices):
    """Why a resident needs the grid worker's regular attention (关爱对象)."""

    ELDERLY_ALONE = "elderly_alone", _("elderly, living alone")
    DISABLED = "disabled", _("disabled")
    LOW_INCOME = "low_income", _("low income")
    VETERAN = "veteran", _("veteran")
    LEFT_BEHIND_MINOR = "left_behind_minor", _("minor left behind")
    KEY_CARE = "key_care", _("key care")
