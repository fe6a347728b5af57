"""Filters of the resident register's lists (none on personal data)."""

import django_filters

from gridgov.filters import FilterSet
from participation.choices import CareTagCode
from participation.models import Household, Resident


class ResidentFilterSet(FilterSet):
    care_tag = django_filters.ChoiceFilter(
        field_name="care_tags__code", choices=CareTagCode.choices
    )

    class Meta:
        model = Resident
        fields = ("grid", "household", "building", "care_tag", "active")


class HouseholdFilterSet(FilterSet):
    class Meta:
        model = Household
        fields = ("grid", "building")
