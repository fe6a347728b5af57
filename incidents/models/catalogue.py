"""Case catalogue and time rules: categories, SLA policies and local calendar overrides."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from incidents.choices import CategoryKind, LimitUnit, OverrideKind, Priority, Stage
from personnel.models import Department

category_code_validator = RegexValidator(
    r"^[A-Z0-9]{2,12}$", _("Use 2 to 12 capital letters or digits.")
)


class Category(models.Model):
    """A case category: a major class (no parent) or a minor class under one.

    Event categories (事件) and component categories (部件, after CJ/T 214) form separate
    trees; a minor class inherits its major class's kind, and its code starts with the
    major class's code. SLA policies hang on minor classes.
    """

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("major class"),
    )
    code = models.CharField(
        _("code"), max_length=12, unique=True, validators=[category_code_validator]
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CategoryKind.choices)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    default_priority = models.CharField(
        _("default priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    lead_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default lead department"),
    )
    filing_criteria = models.TextField(_("filing criteria"), blank=True)
    closing_criteria = models.TextField(_("closing criteria"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    # Moves with every save: the catalogue's API tells phones from it whether their copy is
    # still current (``selectors.catalogue_stamp``).
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def local_name(self) -> str:
        """The name in the reader's language: English where one is given, else Chinese."""
        english = get_language() or ""
        return self.name_en if english.startswith("en") and self.name_en else self.name

    @property
    def is_major(self) -> bool:
        return self.parent_id is None

    def clean(self) -> None:
        super().clean()
        parent = self.parent if self.parent_id else None
        if parent is None:
            return
        if parent.parent_id is not None:
            raise ValidationError({"parent": _("A minor class must sit under a major class.")})
        if self.kind and self.kind != parent.kind:
            raise ValidationError({"kind": _("A minor class has its major class's kind.")})
        if self.code and not self.code.startswith(parent.code):
            raise ValidationError(
                {
                    "code": _("The code must start with the major class code %(code)s.")
                    % {"code": parent.code}
                }
            )


class SlaPolicy(models.Model):
    """The time limit of one stage for a minor class at one priority.

    Editing a policy changes the limits of stages that start afterwards only: a running
    stage keeps the due time computed when it started.
    """

    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="policies", verbose_name=_("category")
    )
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices)
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    amount = models.PositiveIntegerField(_("amount"), validators=[MinValueValidator(1)])
    unit = models.CharField(_("unit"), max_length=16, choices=LimitUnit.choices)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["category__code", "priority", "stage"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "priority", "stage"],
                name="sla_policy_once_per_stage",
                violation_error_message=_("This stage already has a limit at this priority."),
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=1), name="sla_amount_positive"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.category.code} {self.get_priority_display()} {self.get_stage_display()}: "
            f"{self.amount} {self.get_unit_display()}"
        )

    def clean(self) -> None:
        super().clean()
        if self.category_id and self.category.parent_id is None:
            raise ValidationError({"category": _("Limits are set on minor classes.")})


class CalendarOverride(models.Model):
    """A local exception to the official calendar: a local holiday, or an extra working day."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=OverrideKind.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"
