"""Serializers of proposals and needs. The author's name is shown to keepers of the
proposal's community and to the author; everyone else reads the proposal without it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from grids.models import Community, Grid
from incidents.models import Category
from participation.choices import ANSWER_STATUSES, ActivityKind, ProposalStatus
from participation.models import Organisation, Proposal, ProposalAnswer
from participation.selectors.common import keeps

# The statuses an answer sets (its own enum in the API schema).
ANSWER_CHOICES = [
    (status.value, status.label) for status in ProposalStatus if status in ANSWER_STATUSES
]


class ProposalAnswerSerializer(serializers.ModelSerializer):
    answered_by = serializers.StringRelatedField()
    ticket_number = serializers.CharField(
        source="ticket.number", default=None, read_only=True, allow_null=True
    )

    class Meta:
        model = ProposalAnswer
        fields = (
            "id",
            "status",
            "text",
            "answered_by",
            "at",
            "ticket",
            "ticket_number",
            "activity",
        )
        read_only_fields = fields


class ProposalSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)
    organisation_name = serializers.CharField(
        source="organisation.name", default=None, read_only=True, allow_null=True
    )
    author = serializers.SerializerMethodField()
    supported = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = Proposal
        fields = (
            "id",
            "kind",
            "title",
            "body",
            "community",
            "community_name",
            "grid",
            "author",
            "organisation",
            "organisation_name",
            "status",
            "supporters",
            "supported",
            "ticket",
            "activity",
            "version",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    def get_author(self, proposal: Proposal) -> str | None:
        user = self.context["request"].user
        if proposal.author_id == user.pk or keeps(user, proposal, places=self.context["places"]):
            return str(proposal.author)
        return None


class ProposalDetailSerializer(ProposalSerializer):
    answers = ProposalAnswerSerializer(many=True, read_only=True)

    class Meta(ProposalSerializer.Meta):
        fields = (*ProposalSerializer.Meta.fields, "answers")
        read_only_fields = fields


class ProposalCreateSerializer(serializers.Serializer):
    """A proposal raised in any community (proposals are public matters); the service
    checks the grid and the organisation against the community."""

    community = serializers.PrimaryKeyRelatedField(queryset=Community.objects.all())
    kind = serializers.ChoiceField(choices=Proposal._meta.get_field("kind").choices)
    title = serializers.CharField(max_length=100)
    body = serializers.CharField(max_length=4000)
    grid = serializers.PrimaryKeyRelatedField(
        queryset=Grid.objects.all(), required=False, allow_null=True
    )
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True
    )


class ActivityFromProposalSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    place = serializers.CharField(max_length=200)
    capacity = serializers.IntegerField(min_value=1, max_value=100000)
    description = serializers.CharField(max_length=4000, required=False)
    points_per_hour = serializers.IntegerField(min_value=0, max_value=1000, required=False)


class ProposalAnswerInputSerializer(serializers.Serializer):
    """An official answer. ``category`` (with an optional point) makes a case of an
    accepted proposal, ``activity`` an activity."""

    status = serializers.ChoiceField(choices=ANSWER_CHOICES)
    text = serializers.CharField(max_length=4000)
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.filter(active=True, parent__isnull=False),
        required=False,
        allow_null=True,
        help_text=_("Make a case of this case category (minor class)."),
    )
    lat = serializers.FloatField(required=False, min_value=-90, max_value=90)
    lng = serializers.FloatField(required=False, min_value=-180, max_value=180)
    activity = ActivityFromProposalSerializer(required=False, allow_null=True)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        values = super().to_internal_value(data)
        if values.get("activity") is None:
            values.pop("activity", None)
        return values
