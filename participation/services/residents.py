"""Writes of the participation app: the resident register, visits, and the personal-data
view log. Callers (the API, the demo) pass only objects the user may reach; the services
check the rules within and between rows. Nothing here logs personal data."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.versioning import save_versioned
from grids.models import Grid
from participation.choices import CareTagCode
from participation.models import CareTag, Household, PersonalDataView, Resident, Visit
from participation.personal_data import id_number_hash
from participation.services.places import place_in_grid

PERSONAL_FIELDS = ("name", "phone")


def _care_tags(codes: Iterable[str]) -> list[CareTag]:
    """The CareTag rows of ``codes`` (created on first use: they are fixed choices)."""
    codes = set(codes)
    unknown = codes - set(CareTagCode.values)
    if unknown:
        raise ValidationError(
            {"care_tags": _("Unknown care tags: %(tags)s.") % {"tags": ", ".join(sorted(unknown))}}
        )
    CareTag.objects.bulk_create([CareTag(code=code) for code in codes], ignore_conflicts=True)
    return list(CareTag.objects.filter(code__in=codes))


def _set_id_number(resident: Resident, id_number: str) -> None:
    """Store the keyed hash of ``id_number`` ("" forgets it); one person, one resident."""
    if not id_number:
        resident.id_number_hash = ""
        return
    try:
        digest = id_number_hash(id_number)
    except ValidationError as error:
        raise ValidationError({"id_number": error.messages}) from None
    taken = Resident.objects.filter(id_number_hash=digest).exclude(pk=resident.pk).exists()
    if taken:
        raise ValidationError({"id_number": _("A resident with this ID number is registered.")})
    resident.id_number_hash = digest


@transaction.atomic
def household_create(
    *, grid: Grid, building: str, unit: str = "", room: str = "", head: Resident | None = None
) -> Household:
    """Register a household at an address of ``grid`` (its head is set once it has members)."""
    household = Household(building=building, unit=unit, room=room, head=head)
    place_in_grid(household, grid)
    household.full_clean()
    household.save()
    return household


@transaction.atomic
def household_update(
    *, household: Household, expected_version: int | None = None, **fields: Any
) -> Household:
    """Change a household's address or head (compare-and-swap on ``version``)."""
    for name, value in fields.items():
        setattr(household, name, value)
    household.full_clean()
    return save_versioned(household, expected_version=expected_version)


@transaction.atomic
def resident_create(
    *,
    grid: Grid,
    name: str,
    building: str,
    unit: str = "",
    room: str = "",
    phone: str = "",
    id_number: str = "",
    household: Household | None = None,
    care_tags: Iterable[str] = (),
    active: bool = True,
) -> Resident:
    """Register a resident of ``grid``; the ID number is kept only as its keyed hash."""
    resident = Resident(
        name=name,
        building=building,
        unit=unit,
        room=room,
        phone=phone,
        household=household,
        active=active,
    )
    place_in_grid(resident, grid)
    _set_id_number(resident, id_number)
    tags = _care_tags(care_tags)
    resident.full_clean()
    resident.save()
    resident.care_tags.set(tags)
    return resident


@transaction.atomic
def resident_update(
    *, resident: Resident, expected_version: int | None = None, **fields: Any
) -> Resident:
    """Change a resident (compare-and-swap on ``version``): any of the creation fields;
    ``care_tags`` replaces the tags, ``id_number`` replaces (or with "" forgets) the hash."""
    tags = _care_tags(fields.pop("care_tags")) if "care_tags" in fields else None
    if "id_number" in fields:
        _set_id_number(resident, fields.pop("id_number"))
    if "grid" in fields:
        place_in_grid(resident, fields.pop("grid"))
    for name, value in fields.items():
        setattr(resident, name, value)
    resident.full_clean()
    resident = save_versioned(resident, expected_version=expected_version)
    if tags is not None:
        resident.care_tags.set(tags)
    return resident


@transaction.atomic
def visit_record(
    *, resident: Resident, visited_by, at: datetime | None = None, note: str = ""
) -> Visit:
    """Record a visit to a resident; a visit cannot lie in the future."""
    at = at or timezone.now()
    if at > timezone.now():
        raise ValidationError({"at": _("A visit cannot be recorded in the future.")})
    visit = Visit(resident=resident, visited_by=visited_by, at=at, note=note)
    visit.full_clean()
    visit.save()
    return visit


@transaction.atomic
def personal_data_views_record(
    *, viewer, residents: Iterable[Resident], fields: Iterable[str] = PERSONAL_FIELDS
) -> int:
    """Log that ``viewer`` saw these residents' ``fields`` unmasked (one insert for all);
    returns how many rows were written."""
    at = timezone.now()
    names = list(fields)
    rows = [
        PersonalDataView(viewer=viewer, resident=resident, at=at, fields=names)
        for resident in residents
    ]
    PersonalDataView.objects.bulk_create(rows)
    return len(rows)
