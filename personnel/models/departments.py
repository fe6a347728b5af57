"""Functional departments (职能部门) that handle dispatched cases."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.models import VersionedModel
from grids.models import District, Street
from personnel.choices import DepartmentKind

phone_validator = RegexValidator(
    r"^[0-9+\-() ]{5,20}$", _("Enter a phone number of 5 to 20 digits, spaces, + - ( ).")
)


class Department(VersionedModel):
    """A functional department at district level, or at street level when ``street`` is set.

    Its handlers are the users holding ``dept_handler`` on it (see the role assignments).
    """

    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        validators=[RegexValidator(r"^[A-Za-z0-9_-]+$", _("Letters, digits, - and _ only."))],
    )
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=DepartmentKind.choices)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="departments", verbose_name=_("district")
    )
    street = models.ForeignKey(
        Street,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="departments",
        verbose_name=_("street"),
        help_text=_("Empty for a district-level department."),
    )
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(
        _("contact phone"), max_length=20, blank=True, validators=[phone_validator]
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.street_id and self.district_id and self.street.district_id != self.district_id:
            raise ValidationError(
                {"street": _("The street must lie in the department's district.")}
            )
