"""Serializers of organisations, volunteers, activities and sign-ups.

The context carries ``names`` (``selectors.community.Names``: the resident register's masking
rule for this reader) and ``places`` (where the caller keeps community life), read once per
request: volunteers' names are masked unless the reader may see them, contacts' phones and
e-mails unless the caller keeps the organisation's street.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from grids.selectors import community_list, grid_list, street_list
from participation import selectors
from participation.api.serializers import _ScopedRelatedField
from participation.choices import DayPart, Skill
from participation.models import Activity, ActivitySignup, Organisation, Volunteer
from participation.personal_data import mask_phone
from participation.selectors import community as life
from participation.services.community import MAX_CONTACTS
from personnel.selectors import user_list

MAX_ID = 2**63 - 1


@extend_schema_field(OpenApiTypes.INT)
class ScopedIdField(_ScopedRelatedField):
    """A scoped foreign key outside a model serializer: an id in the schema."""


class MaskedNameMixin(serializers.Serializer):
    """``name`` and ``masked`` of the volunteer at ``volunteer_source`` (dotted path)."""

    volunteer_source = ""
    name = serializers.SerializerMethodField()
    masked = serializers.SerializerMethodField()

    def _volunteer(self, instance) -> Volunteer:
        for part in filter(None, self.volunteer_source.split(".")):
            instance = getattr(instance, part)
        return instance

    def _shown(self, instance) -> tuple[str, bool]:
        return self.context["names"].show(self._volunteer(instance))

    def get_name(self, instance) -> str:
        return self._shown(instance)[0]

    def get_masked(self, instance) -> bool:
        return self._shown(instance)[1]


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    title = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class OrganisationSerializer(serializers.ModelSerializer):
    street = _ScopedRelatedField(street_list)
    grids_served = _ScopedRelatedField(grid_list, many=True, required=False)
    contacts = ContactSerializer(many=True, required=False, max_length=MAX_CONTACTS)
    contacts_masked = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = (
            "id",
            "street",
            "name",
            "kind",
            "description",
            "grids_served",
            "contacts",
            "contacts_masked",
            "active",
            "version",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "version", "created_at", "updated_at")
        validators = []  # the name's uniqueness in the street is the model's check

    def get_contacts_masked(self, organisation: Organisation) -> bool:
        return not life.keeps_street(self.context["places"], organisation)

    def to_representation(self, instance: Organisation) -> dict[str, Any]:
        data = super().to_representation(instance)
        if data["contacts_masked"]:
            for contact in data["contacts"]:
                contact["phone"] = mask_phone(contact["phone"]) if contact["phone"] else ""
                contact["email"] = life.mask_email(contact["email"])
        return data


class OrganisationUpdateSerializer(OrganisationSerializer):
    street = serializers.PrimaryKeyRelatedField(read_only=True)


class AvailabilityField(serializers.DictField):
    """Weekdays ("0" Monday … "6" Sunday) to parts of the day."""

    child = serializers.ListField(child=serializers.ChoiceField(choices=DayPart.choices))

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        wrong = [day for day in value if day not in {str(n) for n in range(7)}]
        if wrong:
            raise serializers.ValidationError(_("Weekdays are 0 (Monday) to 6 (Sunday)."))
        return value


class VolunteerSerializer(MaskedNameMixin, serializers.ModelSerializer):
    community = _ScopedRelatedField(
        community_list, required=False, help_text=_("Default: the resident's community")
    )
    resident = _ScopedRelatedField(selectors.resident_list, required=False, allow_null=True)
    user = _ScopedRelatedField(user_list, required=False, allow_null=True)
    organisation = _ScopedRelatedField(life.organisation_list, required=False, allow_null=True)
    skills = serializers.ListField(
        child=serializers.ChoiceField(choices=Skill.choices), required=False, max_length=20
    )
    availability = AvailabilityField(required=False)
    balance = serializers.IntegerField(source="points_account.balance", read_only=True)
    earned = serializers.IntegerField(source="points_account.earned", read_only=True)

    class Meta:
        model = Volunteer
        fields = (
            "id",
            "community",
            "resident",
            "user",
            "name",
            "masked",
            "organisation",
            "skills",
            "availability",
            "joined_on",
            "active",
            "balance",
            "earned",
            "version",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "version", "created_at", "updated_at")
        extra_kwargs = {"joined_on": {"required": False}}
        validators = []


class VolunteerUpdateSerializer(VolunteerSerializer):
    """Who the volunteer is and where they serve do not change."""

    community = serializers.PrimaryKeyRelatedField(read_only=True)
    resident = serializers.PrimaryKeyRelatedField(read_only=True)


class ActivitySerializer(serializers.ModelSerializer):
    community = _ScopedRelatedField(community_list)
    grid = _ScopedRelatedField(grid_list, required=False, allow_null=True)
    organiser = _ScopedRelatedField(life.organisation_list, required=False, allow_null=True)
    places_left = serializers.IntegerField(read_only=True)

    class Meta:
        model = Activity
        fields = (
            "id",
            "community",
            "grid",
            "organiser",
            "title",
            "description",
            "kind",
            "starts_at",
            "ends_at",
            "place",
            "capacity",
            "signed_up",
            "places_left",
            "points_per_hour",
            "status",
            "created_by",
            "version",
            "created_at",
            "updated_at",
        )
        read_only_fields = (
            "id",
            "signed_up",
            "status",
            "created_by",
            "version",
            "created_at",
            "updated_at",
        )
        extra_kwargs = {"points_per_hour": {"max_value": 1000}, "capacity": {"max_value": 10000}}


class ActivityUpdateSerializer(ActivitySerializer):
    community = serializers.PrimaryKeyRelatedField(read_only=True)


class SignupSerializer(MaskedNameMixin, serializers.ModelSerializer):
    volunteer_source = "volunteer"

    class Meta:
        model = ActivitySignup
        fields = (
            "id",
            "activity",
            "volunteer",
            "name",
            "masked",
            "status",
            "signed_up_at",
            "signed_up_by",
            "withdrawn_at",
            "attended",
            "hours",
            "attendance_recorded_at",
        )
        read_only_fields = fields


class VolunteerChoiceSerializer(serializers.Serializer):
    volunteer = ScopedIdField(
        life.volunteer_list,
        required=False,
        help_text=_("Default: the caller's own volunteer record"),
    )


class AttendanceRowSerializer(serializers.Serializer):
    signup = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    attended = serializers.BooleanField()
    hours = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        help_text=_("Default: the activity's duration"),
    )


class AttendanceSerializer(serializers.Serializer):
    records = AttendanceRowSerializer(many=True, allow_empty=True, max_length=10000)


class RankingQuerySerializer(serializers.Serializer):
    community = ScopedIdField(community_list)
    start = serializers.DateField(required=False, help_text=_("Default: 1 January this year"))
    end = serializers.DateField(required=False, help_text=_("Default: today (included)"))
    order = serializers.ChoiceField(choices=sorted(life.RANKING_ORDERS), default="hours")
    limit = serializers.IntegerField(default=50, min_value=1, max_value=500)

    def validate(self, data: dict) -> dict:
        default = life.Period.this_year()
        start, end = data.get("start", default.start), data.get("end", default.end)
        if end < start:
            raise serializers.ValidationError({"end": _("The period cannot end before it starts.")})
        data["period"] = life.Period(start=start, end=end)
        return data


class VolunteerRankingRowSerializer(MaskedNameMixin, serializers.Serializer):
    rank = serializers.IntegerField()
    volunteer = serializers.IntegerField(source="pk")
    hours = serializers.DecimalField(max_digits=9, decimal_places=2)
    points = serializers.IntegerField()


class VolunteerRankingSerializer(serializers.Serializer):
    """The ranking and what it ranks: a community's volunteers in a period, by an order."""

    community = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField()
    order = serializers.ChoiceField(choices=sorted(life.RANKING_ORDERS))
    results = VolunteerRankingRowSerializer(many=True)
