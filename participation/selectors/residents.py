"""Reads of the participation app, always for a user and restricted to what the user may see.

Residents and households are filtered by their denormalised scope ids (``scope_for``); who
sees their personal data unmasked is :func:`personal_data_access`, a narrower rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from participation.models import CareTag, Household, PersonalDataView, Resident, Visit
from participation.selectors.common import signed_in
from personnel.choices import AssignmentState, Role, ScopeType
from personnel.models import RoleAssignment
from personnel.scope import scope_for

# The care list's window of days without a visit: its default and the longest asked for.
CARE_LIST_DAYS_DEFAULT = 30
CARE_LIST_DAYS_MAX = 3650

# Roles that need residents' names and phones, each within the places it holds.
UNMASKING_ROLES = (Role.ADMIN, Role.STREET_STAFF, Role.GRID_WORKER)


@dataclass(frozen=True)
class PersonalDataAccess:
    """Where a user sees residents' names and phones unmasked: everywhere (superusers), in
    the districts and streets held as administrator or street staff, and in the grids held
    as grid worker. Supervisors, community staff and grid chiefs read residents masked."""

    is_global: bool = False
    district_ids: frozenset[int] = field(default_factory=frozenset)
    street_ids: frozenset[int] = field(default_factory=frozenset)
    grid_ids: frozenset[int] = field(default_factory=frozenset)

    def covers(self, resident: Resident) -> bool:
        return (
            self.is_global
            or resident.grid_id in self.grid_ids
            or resident.street_id in self.street_ids
            or resident.district_id in self.district_ids
        )


def personal_data_access(*, user) -> PersonalDataAccess:
    """The user's :class:`PersonalDataAccess`, in one query (ask once per request)."""
    if not signed_in(user):
        return PersonalDataAccess()
    if user.is_superuser:
        return PersonalDataAccess(is_global=True)
    held = RoleAssignment.objects.filter(
        user=user, state=AssignmentState.ACTIVE, role__in=list(UNMASKING_ROLES)
    ).values_list("role", "scope_type", "district_id", "street_id", "grid_id")
    districts, streets, grids = set(), set(), set()
    for role, scope_type, district_id, street_id, grid_id in held:
        if role == Role.GRID_WORKER:
            grids.add(grid_id)
        elif scope_type == ScopeType.DISTRICT:
            districts.add(district_id)
        elif scope_type == ScopeType.STREET:
            streets.add(street_id)
    return PersonalDataAccess(
        district_ids=frozenset(districts - {None}),
        street_ids=frozenset(streets - {None}),
        grid_ids=frozenset(grids - {None}),
    )


def resident_list(*, user) -> QuerySet[Resident]:
    """Residents of the places in the user's reach, with grid, household and care tags."""
    if not signed_in(user):
        return Resident.objects.none()
    residents = Resident.objects.select_related("grid", "household").prefetch_related("care_tags")
    return residents.filter(scope_for(user).area_q())


def household_list(*, user) -> QuerySet[Household]:
    """Households of the places in the user's reach."""
    if not signed_in(user):
        return Household.objects.none()
    return Household.objects.select_related("grid").filter(scope_for(user).area_q())


def care_list(*, user, days: int, grid_id: int | None = None) -> QuerySet[Resident]:
    """Residents in the user's reach who live there, hold a care tag, and were not visited
    in the last ``days`` days; never visited first, then the oldest last visit. Each row has
    ``last_visited_at`` (None when never visited)."""
    last_visit = Visit.objects.filter(resident=OuterRef("pk")).order_by("-at").values("at")[:1]
    tagged = Resident.care_tags.through.objects.filter(resident_id=OuterRef("pk"))
    residents = (
        resident_list(user=user)
        .filter(Exists(tagged), active=True)
        .annotate(last_visited_at=Subquery(last_visit))
        .filter(
            Q(last_visited_at__isnull=True)
            | Q(last_visited_at__lt=timezone.now() - timedelta(days=days))
        )
    )
    if grid_id is not None:
        residents = residents.filter(grid_id=grid_id)
    return residents.order_by(F("last_visited_at").asc(nulls_first=True), "pk")


def visit_list(*, user) -> QuerySet[Visit]:
    """Visits to residents in the user's reach."""
    if not signed_in(user):
        return Visit.objects.none()
    in_reach = Resident.objects.filter(scope_for(user).area_q()).values("pk")
    return Visit.objects.select_related("resident", "visited_by").filter(resident__in=in_reach)


def care_tag_list(*, user) -> QuerySet[CareTag]:
    """The care tags (not personal data: every signed-in user reads them)."""
    return CareTag.objects.all() if signed_in(user) else CareTag.objects.none()


def personal_data_view_list(*, user) -> QuerySet[PersonalDataView]:
    """The personal-data view log: superusers read all of it, administrators the rows of
    residents of their districts; nobody else reads it."""
    if not signed_in(user):
        return PersonalDataView.objects.none()
    rows = PersonalDataView.objects.select_related("viewer", "resident")
    if user.is_superuser:
        return rows
    districts = RoleAssignment.objects.filter(
        user=user, state=AssignmentState.ACTIVE, role=Role.ADMIN
    ).values("district_id")
    return rows.filter(resident__district_id__in=districts)
