"""Serializers of the resident register. Names and phones are masked unless the context's
``access`` (``selectors.personal_data_access``) covers the resident; the ID number is
write-only and never leaves the server, not even hashed."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from grids.selectors import grid_list
from participation import selectors
from participation.choices import CareTagCode
from participation.models import Household, Resident, Visit
from participation.personal_data import mask_name, mask_phone
from participation.selectors.residents import CARE_LIST_DAYS_DEFAULT, CARE_LIST_DAYS_MAX

MAX_ID = 2**63 - 1  # the largest id either database stores


class _ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key choosing among the objects a selector lets the caller see (anything
    else is "does not exist", a 400)."""

    def __init__(self, selector, **kwargs: Any) -> None:
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.selector(user=self.context["request"].user)


class CareTagsField(serializers.ListField):
    """Care tags in and out as a list of codes."""

    child = serializers.ChoiceField(choices=CareTagCode.choices)

    def to_representation(self, data) -> list[str]:
        return sorted(tag.code for tag in data.all())


class HouseholdSerializer(serializers.ModelSerializer):
    grid = _ScopedRelatedField(grid_list)
    grid_code = serializers.CharField(source="grid.code", read_only=True)
    head = _ScopedRelatedField(selectors.resident_list, required=False, allow_null=True)

    class Meta:
        model = Household
        fields = (
            "id",
            "grid",
            "grid_code",
            "building",
            "unit",
            "room",
            "head",
            "version",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "version", "created_at", "updated_at")
        validators = []  # the address's uniqueness is the model's check (full_clean)


class HouseholdUpdateSerializer(HouseholdSerializer):
    """A household stays in its grid; its members move, not the household."""

    grid = serializers.PrimaryKeyRelatedField(read_only=True)


class ResidentSerializer(serializers.ModelSerializer):
    grid = _ScopedRelatedField(grid_list)
    grid_code = serializers.CharField(source="grid.code", read_only=True)
    household = _ScopedRelatedField(selectors.household_list, required=False, allow_null=True)
    care_tags = CareTagsField(required=False)
    id_number = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=30,
        help_text=_("Stored only as a keyed hash; never shown. Empty forgets it."),
    )
    has_id_number = serializers.SerializerMethodField()
    masked = serializers.SerializerMethodField()

    class Meta:
        model = Resident
        fields = (
            "id",
            "grid",
            "grid_code",
            "household",
            "building",
            "unit",
            "room",
            "name",
            "phone",
            "id_number",
            "has_id_number",
            "care_tags",
            "active",
            "masked",
            "version",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "version", "created_at", "updated_at")
        validators = []

    def get_has_id_number(self, resident: Resident) -> bool:
        return bool(resident.id_number_hash)

    def get_masked(self, resident: Resident) -> bool:
        return not self.context["access"].covers(resident)

    def to_representation(self, instance: Resident) -> dict[str, Any]:
        data = super().to_representation(instance)
        if data["masked"]:
            data["name"] = mask_name(data["name"])
            data["phone"] = mask_phone(data["phone"]) if data["phone"] else ""
        return data


class CareListSerializer(ResidentSerializer):
    last_visited_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta(ResidentSerializer.Meta):
        fields = (*ResidentSerializer.Meta.fields, "last_visited_at")
        read_only_fields = fields


class CareListQuerySerializer(serializers.Serializer):
    grid = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text=_("Grid id")
    )
    days = serializers.IntegerField(
        default=CARE_LIST_DAYS_DEFAULT,
        min_value=1,
        max_value=CARE_LIST_DAYS_MAX,
        help_text=_("Residents not visited in this many days"),
    )


class LookupSerializer(serializers.Serializer):
    id_number = serializers.CharField(max_length=30, help_text=_("The ID number to match"))


class VisitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Visit
        fields = ("id", "resident", "visited_by", "at", "note")
        read_only_fields = ("id", "resident", "visited_by")
        extra_kwargs = {"at": {"required": False}}
