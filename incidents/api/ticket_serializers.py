"""Serializers of the ticket API: thin shapes over the ticket services and the workflow."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.reverse import reverse

from grids.models import Component
from incidents.choices import LimitUnit, PhotoPhase, Priority, Source, SupervisionLevel
from incidents.models import (
    Attachment,
    Category,
    LinkageTask,
    SupervisionOrder,
    Ticket,
    TicketEvent,
)

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
    photos = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        help_text=_("Photos taken before handling (multipart: JPEG, PNG or WebP)."),
    )
    after_photos = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        help_text=_("Photos taken after handling; a self-handled case needs one."),
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
    cooperating_departments = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=20,
        help_text=_("dispatch: the cooperating departments"),
    )
    close_out_reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text=_("submit: why unfinished cooperating tasks are closed out"),
    )
    task = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text=_("task_*: the linked task")
    )
    level = serializers.ChoiceField(
        choices=SupervisionLevel.choices, required=False, help_text=_("supervise: the card")
    )
    due_at = serializers.DateTimeField(
        required=False, help_text=_("supervise: when the answer is due")
    )
    order = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text=_("answer_supervision, close_supervision: the order"),
    )
    photos = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        help_text=_("attach, submit: photos (multipart)"),
    )
    phase = serializers.ChoiceField(
        choices=PhotoPhase.choices,
        default=PhotoPhase.AFTER,
        help_text=_("attach: whether the photos show the case before or after handling"),
    )


class AttachmentSerializer(serializers.ModelSerializer):
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = (
            "id",
            "phase",
            "content_type",
            "size",
            "width",
            "height",
            "uploaded_by",
            "uploaded_at",
            "file_url",
        )
        read_only_fields = fields

    def get_file_url(self, attachment: Attachment) -> str:
        return reverse(
            "ticket-photo",
            kwargs={"pk": attachment.ticket_id, "attachment_id": attachment.pk},
            request=self.context.get("request"),
        )


class LinkageTaskSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = LinkageTask
        fields = (
            "id",
            "department",
            "department_name",
            "role",
            "status",
            "due_at",
            "note",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class DuplicateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    distance_m = serializers.FloatField()


class TicketDetailSerializer(TicketSerializer):
    """One ticket with what its reader may do now (the buttons a phone shows)."""

    allowed_actions = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta(TicketSerializer.Meta):
        fields = (*TicketSerializer.Meta.fields, "allowed_actions")
        read_only_fields = fields


class TicketCreatedSerializer(TicketSerializer):
    """A new ticket, with the open tickets it may duplicate (same category, 50 m, 24 h)."""

    duplicate_suggestions = DuplicateSerializer(many=True, read_only=True)

    class Meta(TicketSerializer.Meta):
        fields = (*TicketSerializer.Meta.fields, "duplicate_suggestions")
        read_only_fields = fields


class SupervisionOrderSerializer(serializers.ModelSerializer):
    ticket_number = serializers.CharField(source="ticket.number", read_only=True)

    class Meta:
        model = SupervisionOrder
        fields = (
            "id",
            "ticket",
            "ticket_number",
            "level",
            "reason",
            "due_at",
            "status",
            "automatic",
            "issued_by",
            "issued_at",
            "answer",
            "answered_by",
            "answered_at",
            "closed_by",
            "closed_at",
            "closing_note",
        )
        read_only_fields = fields
