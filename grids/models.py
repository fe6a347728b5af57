"""Places and things: the grid hierarchy (district → street → community → grid) and urban
components, with codes after CJ/T 213 / CJ/T 214 and GeoJSON boundaries in WGS84."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.models import VersionedModel
from grids import geometry
from grids.choices import (
    CommunityKind,
    ComponentMajorClass,
    ComponentState,
    GridKind,
)

district_code_validator = RegexValidator(r"^\d{6}$", _("A district code is 6 digits (GB/T 2260)."))
street_code_validator = RegexValidator(r"^\d{9}$", _("A street code is 9 digits."))
community_code_validator = RegexValidator(r"^\d{12}$", _("A community code is 12 digits."))
grid_code_validator = RegexValidator(r"^\d{14,15}$", _("A grid code is 14 or 15 digits."))
component_code_validator = RegexValidator(r"^\d{16}$", _("A component code is 16 digits."))


class Place(VersionedModel):
    """Fields shared by every level of the grid hierarchy."""

    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)
    centroid_lat = models.FloatField(_("centroid latitude"), null=True, editable=False)
    centroid_lng = models.FloatField(_("centroid longitude"), null=True, editable=False)
    bbox = models.JSONField(_("bounding box"), null=True, editable=False)
    area_m2 = models.FloatField(_("area (m²)"), null=True, editable=False)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        super().clean()
        if self.boundary is not None:
            try:
                geometry.parse_boundary(self.boundary)
            except geometry.BoundaryError as exc:
                raise ValidationError({"boundary": exc.messages}) from None

    def _check_code_prefix(self, parent: models.Model | None, label: str) -> None:
        if parent is not None and self.code and not self.code.startswith(parent.code):
            raise ValidationError(
                {
                    "code": _("The code must start with the %(label)s code %(code)s.")
                    % {"label": label, "code": parent.code}
                }
            )


class District(Place):
    """A district or county (区/县), the top of the hierarchy."""

    code = models.CharField(
        _("code"), max_length=6, unique=True, validators=[district_code_validator]
    )

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["code"]


class Street(Place):
    """A street or township (街道/乡镇), run by a street office."""

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="streets", verbose_name=_("district")
    )
    code = models.CharField(
        _("code"), max_length=9, unique=True, validators=[street_code_validator]
    )

    class Meta:
        verbose_name = _("street")
        verbose_name_plural = _("streets")
        ordering = ["code"]

    def clean(self) -> None:
        super().clean()
        self._check_code_prefix(getattr(self, "district", None), _("district"))


class Community(Place):
    """A residents' community or village (社区/村)."""

    street = models.ForeignKey(
        Street, on_delete=models.PROTECT, related_name="communities", verbose_name=_("street")
    )
    code = models.CharField(
        _("code"), max_length=12, unique=True, validators=[community_code_validator]
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=CommunityKind.choices, default=CommunityKind.URBAN
    )

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["code"]

    def clean(self) -> None:
        super().clean()
        self._check_code_prefix(getattr(self, "street", None), _("street"))


class Grid(Place):
    """A grid (网格): the unit a grid worker patrols and answers for.

    ``street`` and ``district`` are denormalised from the community so that scope filters on
    large tables need no joins; the services keep them in step.
    """

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="grids", verbose_name=_("community")
    )
    street = models.ForeignKey(
        Street, on_delete=models.PROTECT, related_name="grids", editable=False
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="grids", editable=False
    )
    code = models.CharField(_("code"), max_length=15, unique=True, validators=[grid_code_validator])
    kind = models.CharField(
        _("kind"), max_length=16, choices=GridKind.choices, default=GridKind.UNIT
    )
    population = models.PositiveIntegerField(_("population"), default=0)
    households = models.PositiveIntegerField(_("households"), default=0)
    buildings = models.PositiveIntegerField(_("buildings"), default=0)

    class Meta:
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{14,15}$"), name="grid_code_14_or_15_digits"
            ),
        ]

    def clean(self) -> None:
        super().clean()
        self._check_code_prefix(getattr(self, "community", None), _("community"))
        if self.boundary is None:
            raise ValidationError({"boundary": _("A grid needs a boundary polygon.")})


class GridIndexStamp(models.Model):
    """One row whose token every process reads to know its grid index is out of date.

    A fresh random token rather than a counter: a rolled-back change restores the old token,
    and a counter could then be reused for different grids by the next change.
    """

    token = models.UUIDField(default=uuid.uuid4)

    class Meta:
        verbose_name = _("grid index stamp")

    def __str__(self) -> str:
        return str(self.token)


class ComponentType(models.Model):
    """A minor class of urban component (e.g. 01 01 water-supply manhole cover)."""

    major_class = models.CharField(
        _("major class"), max_length=2, choices=ComponentMajorClass.choices
    )
    minor_class = models.CharField(
        _("minor class"), max_length=2, validators=[RegexValidator(r"^\d{2}$")]
    )
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("component type")
        verbose_name_plural = _("component types")
        ordering = ["major_class", "minor_class"]
        constraints = [
            models.UniqueConstraint(
                fields=["major_class", "minor_class"], name="component_type_unique_class"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.major_class}{self.minor_class} {self.name}"

    @property
    def class_code(self) -> str:
        return f"{self.major_class}{self.minor_class}"


class Component(VersionedModel):
    """An urban component (城市部件): a public facility with an owner and a maintainer.

    Code: 6-digit administrative code + 2-digit major class + 2-digit minor class +
    6-digit serial, e.g. 3205080101000001.
    """

    code = models.CharField(
        _("code"), max_length=16, unique=True, validators=[component_code_validator]
    )
    type = models.ForeignKey(
        ComponentType, on_delete=models.PROTECT, related_name="components", verbose_name=_("type")
    )
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, related_name="components", verbose_name=_("grid")
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    lat = models.FloatField(_("latitude"), validators=[MinValueValidator(-90)])
    lng = models.FloatField(_("longitude"), validators=[MinValueValidator(-180)])
    address = models.CharField(_("address"), max_length=200, blank=True)
    owner = models.CharField(_("owner"), max_length=100, blank=True)
    maintainer = models.CharField(_("maintainer"), max_length=100, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=ComponentState.choices, default=ComponentState.INTACT
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("component")
        verbose_name_plural = _("components")
        ordering = ["code"]
        indexes = [models.Index(fields=["grid", "type"], name="component_grid_type_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.type.name if self.type_id else ''}".strip()

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if not (-90 <= self.lat <= 90):
            errors["lat"] = _("Latitude must be between -90 and 90.")
        if not (-180 <= self.lng <= 180):
            errors["lng"] = _("Longitude must be between -180 and 180.")
        if (
            self.code
            and len(self.code) == 16
            and self.type_id
            and self.code[6:10] != self.type.class_code
        ):
            errors["code"] = _(
                "Digits 7 to 10 of the code must be the class %(cls)s of the type."
            ) % {"cls": self.type.class_code}
        if self.code and self.grid_id and not self.code.startswith(self.grid.district.code):
            errors.setdefault(
                "code",
                _("The code must start with the district code %(code)s.")
                % {"code": self.grid.district.code},
            )
        if errors:
            raise ValidationError(errors)
