"""Serializers of points entries, rewards and redemptions (volunteers' names masked as in
``community_serializers``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from grids.selectors import community_list, street_list
from participation.api.community_serializers import MaskedNameMixin, ScopedIdField
from participation.api.serializers import _ScopedRelatedField
from participation.models import PointsEntry, Redemption, Reward
from participation.selectors import community as life
from participation.services.points import MAX_POINTS

MAX_RESTOCK = 100_000


class PointsEntrySerializer(MaskedNameMixin, serializers.ModelSerializer):
    volunteer_source = "account.volunteer"
    volunteer = serializers.IntegerField(source="account.volunteer_id", read_only=True)

    class Meta:
        model = PointsEntry
        fields = (
            "id",
            "volunteer",
            "name",
            "masked",
            "kind",
            "amount",
            "balance_after",
            "reason",
            "created_by",
            "at",
        )
        read_only_fields = fields


class PointsAdjustSerializer(serializers.Serializer):
    volunteer = ScopedIdField(life.volunteer_list)
    amount = serializers.IntegerField(
        min_value=-MAX_POINTS,
        max_value=MAX_POINTS,
        help_text=_("Points to add (negative: to take away); never below a zero balance"),
    )
    reason = serializers.CharField(max_length=200)

    def validate_amount(self, value: int) -> int:
        if value == 0:
            raise serializers.ValidationError(_("Points are a whole number other than zero."))
        return value


class RewardSerializer(serializers.ModelSerializer):
    street = _ScopedRelatedField(street_list)
    community = _ScopedRelatedField(community_list, required=False, allow_null=True)

    class Meta:
        model = Reward
        fields = (
            "id",
            "street",
            "community",
            "name",
            "description",
            "cost",
            "stock",
            "active",
            "version",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "version", "created_at", "updated_at")
        extra_kwargs = {"cost": {"max_value": MAX_POINTS}, "stock": {"max_value": MAX_RESTOCK}}


class RewardUpdateSerializer(RewardSerializer):
    """Where a reward is offered stays; its stock moves by restocking and redemptions."""

    street = serializers.PrimaryKeyRelatedField(read_only=True)
    community = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta(RewardSerializer.Meta):
        read_only_fields = (*RewardSerializer.Meta.read_only_fields, "stock")


class RestockSerializer(serializers.Serializer):
    count = serializers.IntegerField(
        min_value=-MAX_RESTOCK,
        max_value=MAX_RESTOCK,
        help_text=_("Items to add (negative: written off)"),
    )


class RedemptionSerializer(MaskedNameMixin, serializers.ModelSerializer):
    volunteer_source = "volunteer"
    reward_name = serializers.CharField(source="reward.name", read_only=True)

    class Meta:
        model = Redemption
        fields = (
            "id",
            "reward",
            "reward_name",
            "volunteer",
            "name",
            "masked",
            "points",
            "entry",
            "redeemed_at",
            "redeemed_by",
            "handed_over_at",
        )
        read_only_fields = fields
