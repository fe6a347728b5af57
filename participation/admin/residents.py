"""Back office for the resident register, read through the participation selectors.

Read-only: residents are kept through the API by the grid workers. Names and phones are
shown masked here (the back office lists many residents at once, and a list view is not
worth a PersonalDataView row per resident); the ID number hash is never shown.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gridgov.admin_base import SelectorReadOnlyAdmin
from participation import selectors
from participation.models import Household, PersonalDataView, Resident, Visit
from participation.personal_data import mask_name, mask_phone


@admin.register(Household)
class HouseholdAdmin(SelectorReadOnlyAdmin):
    selector = selectors.household_list
    list_display = ("id", "grid", "building", "unit", "room", "head")
    list_filter = ("street",)
    fields = readonly_fields = ("grid", "building", "unit", "room", "head", "version")


@admin.register(Resident)
class ResidentAdmin(SelectorReadOnlyAdmin):
    selector = selectors.resident_list
    list_display = ("id", "masked_name", "masked_phone", "grid", "building", "unit", "room")
    list_filter = ("street", "active", "care_tags")
    fields = readonly_fields = (
        "masked_name",
        "masked_phone",
        "grid",
        "household",
        "building",
        "unit",
        "room",
        "care_tags",
        "active",
        "version",
    )

    @admin.display(description=_("name"))
    def masked_name(self, resident: Resident) -> str:
        return mask_name(resident.name)

    @admin.display(description=_("phone"))
    def masked_phone(self, resident: Resident) -> str:
        return mask_phone(resident.phone) if resident.phone else ""


@admin.register(Visit)
class VisitAdmin(SelectorReadOnlyAdmin):
    selector = selectors.visit_list
    list_display = ("id", "resident", "visited_by", "at")
    fields = readonly_fields = ("resident", "visited_by", "at", "note")


@admin.register(PersonalDataView)
class PersonalDataViewAdmin(SelectorReadOnlyAdmin):
    selector = selectors.personal_data_view_list
    list_display = ("id", "viewer", "resident", "at", "fields")
    fields = readonly_fields = ("viewer", "resident", "at", "fields")
