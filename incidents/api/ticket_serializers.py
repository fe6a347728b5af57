"""Serializers of the ticket API: thin shapes over the ticket services and the workflow."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from grids.models import Component
from incidents.choices import LimitUnit, Priority, Source
from incidents.models import Category, Ticket, TicketEvent

MAX_ID = 2**63 - 1


class TicketSerializer(serializers.ModelSerializer):
    category_name = serializers.CharField(source="category.name", read_only=True)
    grid_code = serializers.CharField(source="grid.code", read_only=True)

    class Meta:
        model = Ticket
        fields = (
            "id",
            "number",
            "source",
            "category",
            "category_name",
            "priority",
            "title",
            "description",
            "lat",
            "lng",
            "address",
            "grid",
            "grid_code",
            "community",
            "street",
            "component",
            "status",
            "level",
            "lead_department",
            "assignee",
            "stage",
            "stage_started_at",
            "stage_due_at",
            "sla_colour",
            "rework_count",
            "satisfaction",
            "duplicate_of",
            "version",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class TicketCreateSerializer(serializers.Serializer):
    """What a phone sends to report a case; the grid is found from the location."""

    source = serializers.ChoiceField(choices=Source.choices, default=Source.PATROL)
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.filter(active=True, parent__isnull=False)
    )
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lng = serializers.FloatField(min_value=-180, max_value=180)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    component = serializers.PrimaryKeyRelatedField(
        queryset=Component.objects.all(), required=False, allow_null=True
    )


class TicketUpdateSerializer(serializers.Serializer):
    """What may be corrected on a ticket (PATCH with If-Match)."""

    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    lat = serializers.FloatField(min_value=-90, max_value=90, required=False)
    lng = serializers.FloatField(min_value=-180, max_value=180, required=False)
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.filter(active=True, parent__isnull=False), required=False
    )


class TicketEventSerializer(serializers.ModelSerializer):
    actor_name = serializers.StringRelatedField(source="actor")

    class Meta:
        model = TicketEvent
        fields = (
            "id",
            "action",
            "from_status",
            "to_status",
            "actor",
            "actor_name",
            "at",
            "note",
            "data",
        )
        read_only_fields = fields


class ActionSerializer(serializers.Serializer):
    """The body of a workflow action: a note, and the fields some actions need."""

    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    lead_department = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text=_("dispatch: the lead department")
    )
    to_grid = serializers.BooleanField(
        required=False, help_text=_("dispatch: to the grid itself instead of a department")
    )
    duplicate_of = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text=_("merge: the original ticket")
    )
    amount = serializers.IntegerField(
        min_value=1, max_value=10_000, required=False, help_text=_("approve_extension")
    )
    unit = serializers.ChoiceField(
        choices=LimitUnit.choices, required=False, help_text=_("approve_extension")
    )
    satisfaction = serializers.IntegerField(
        min_value=1, max_value=5, required=False, help_text=_("rate: 1 to 5")
    )
