"""API of volunteer points: the ledger's entries (read-only, with a keepers' adjust action),
the rewards catalogue (with redeem and restock actions) and redemptions (with hand-over)."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from gridgov.api import BaseViewSet
from gridgov.filters import FilterSet, IdFilter, UTCDateTimeFilter
from participation.api import points_serializers as serializers
from participation.api.common import READ_AND_ACT, READ_AND_EDIT, ServiceWritesMixin
from participation.api.community import LifeContextMixin, volunteer_of
from participation.api.community_serializers import VolunteerChoiceSerializer
from participation.choices import PointsKind
from participation.models import PointsEntry, Redemption
from participation.selectors import points as selectors
from participation.services import points as services


class PointsEntryFilterSet(FilterSet):
    volunteer = IdFilter(field_name="account__volunteer")
    kind = django_filters.ChoiceFilter(choices=PointsKind.choices)
    after = UTCDateTimeFilter(field_name="at", lookup_expr="gte")
    before = UTCDateTimeFilter(field_name="at", lookup_expr="lt")

    class Meta:
        model = PointsEntry
        fields = ("volunteer", "kind")


class RedemptionFilterSet(FilterSet):
    handed_over = django_filters.BooleanFilter(
        field_name="handed_over_at", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = Redemption
        fields = ("volunteer", "reward", "handed_over")


class PointsEntryViewSet(
    LifeContextMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet
):
    """The points ledger of the volunteers in the caller's reach (and the caller's own):
    append-only entries with the balance after each. Keepers adjust with a reason."""

    selector = selectors.points_entry_list
    serializer_class = serializers.PointsEntrySerializer
    filterset_class = PointsEntryFilterSet
    http_method_names = READ_AND_ACT

    @extend_schema(
        request=serializers.PointsAdjustSerializer, responses=serializers.PointsEntrySerializer
    )
    @action(detail=False, methods=["post"], serializer_class=serializers.PointsAdjustSerializer)
    def adjust(self, request) -> Response:
        """Correct a volunteer's points up or down with a reason (never below zero)."""
        body = serializers.PointsAdjustSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        entry = services.points_adjust(by=request.user, **body.validated_data)
        data = serializers.PointsEntrySerializer(entry, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)


class RewardViewSet(
    ServiceWritesMixin,
    LifeContextMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    BaseViewSet,
):
    """Rewards offered in the caller's streets (or where they volunteer), while stock lasts.
    Volunteers redeem their points; keepers add rewards, change them and restock."""

    selector = selectors.reward_list
    filterset_fields = ("street", "community", "active")
    http_method_names = READ_AND_EDIT
    serializer_class = serializers.RewardSerializer
    update_serializer_class = serializers.RewardUpdateSerializer
    create_service = services.reward_create
    update_service = services.reward_update
    update_kwarg = "reward"

    def get_permissions(self):
        if self.action == "redeem":
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    @extend_schema(request=VolunteerChoiceSerializer, responses=serializers.RedemptionSerializer)
    @action(detail=True, methods=["post"], serializer_class=VolunteerChoiceSerializer)
    def redeem(self, request, pk=None) -> Response:
        """Take one of this reward for points: the caller's own, or (a keeper) the named
        volunteer's. Without stock or points it is a 400 and nothing is written."""
        reward = self.get_object()
        self._etag_instance = None
        body = VolunteerChoiceSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        redemption = services.redemption_create(
            reward=reward, volunteer=volunteer_of(request, body), by=request.user
        )
        data = serializers.RedemptionSerializer(
            redemption, context=self.get_serializer_context()
        ).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.RestockSerializer, responses=serializers.RewardSerializer)
    @action(detail=True, methods=["post"], serializer_class=serializers.RestockSerializer)
    def restock(self, request, pk=None) -> Response:
        """Add items to the stock (negative: write off), never below zero."""
        reward = self.get_object()
        body = serializers.RestockSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reward = services.reward_restock(
            reward=reward, by=request.user, count=body.validated_data["count"]
        )
        self._etag_instance = reward
        return Response(serializers.RewardSerializer(reward, context={"request": request}).data)


class RedemptionViewSet(
    LifeContextMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet
):
    """Rewards taken by the volunteers in the caller's reach (and by the caller); keepers
    record when the volunteer got it."""

    selector = selectors.redemption_list
    serializer_class = serializers.RedemptionSerializer
    filterset_class = RedemptionFilterSet
    http_method_names = READ_AND_ACT

    @extend_schema(request=None, responses=serializers.RedemptionSerializer)
    @action(detail=True, methods=["post"], url_path="hand-over")
    def hand_over(self, request, pk=None) -> Response:
        """Record that the volunteer got the reward (once)."""
        redemption = services.redemption_hand_over(redemption=self.get_object(), by=request.user)
        return Response(self.get_serializer(redemption).data)
