"""Serializers of the moderation API. Its only readers are the moderators (street staff and
administrators over the report), who need the contact details to call back: shown whole."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from participation.models import PublicReport


class PublicReportSerializer(serializers.ModelSerializer):
    service_code = serializers.CharField(source="service.category.code", read_only=True)
    service_name = serializers.CharField(source="service.category.local_name", read_only=True)
    ticket_number = serializers.CharField(
        source="ticket.number", read_only=True, default=None, allow_null=True
    )
    photos = serializers.SerializerMethodField()
    # Blank when the reporter left none: the schema must allow "" besides an address.
    email = serializers.EmailField(read_only=True, allow_blank=True, label=_("e-mail"))
    media_url = serializers.URLField(read_only=True, allow_blank=True, label=_("photo address"))

    class Meta:
        model = PublicReport
        fields = (
            "id",
            "reference",
            "status",
            "channel",
            "service",
            "service_code",
            "service_name",
            "description",
            "attributes",
            "lat",
            "lng",
            "address",
            "grid",
            "community",
            "street",
            "anonymous",
            "name",
            "phone",
            "email",
            "media_url",
            "photos",
            "ticket",
            "ticket_number",
            "moderated_by",
            "moderated_at",
            "moderation_note",
            "created_at",
        )
        read_only_fields = fields

    def get_photos(self, report: PublicReport) -> list[str]:
        return [reverse("participation:report-photo", args=[p.pk]) for p in report.photos.all()]


class ReportRejectSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=500, help_text=_("Why the report is rejected (kept for the office).")
    )
