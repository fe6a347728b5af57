"""The monthly scores API: the scores the caller may read, with the adjustments and the
sign-off of each, and two POST steps for supervisors and administrators over the subject:
``adjust`` (body: value, reason) and ``sign-off`` (body: note, optional). A signed-off
score is frozen: another step on it is a 409.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from assessment.models import MonthlyScore, ScoreAdjustment, ScoreSignOff
from assessment.scopes import parse_month
from assessment.selectors_scores import score_list
from assessment.services.scores import ScoreFrozen, score_adjust, score_sign_off
from funding.api.permissions import ChangePermission
from gridgov.api import BaseViewSet
from gridgov.filters import FilterSet

SCORE = {"max_digits": 5, "decimal_places": 2}


class Frozen(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("This score is signed off: it can no longer be changed.")
    default_code = "signed_off"


class AdjustmentSerializer(serializers.ModelSerializer):
    by_name = serializers.CharField(source="by.__str__", read_only=True)

    class Meta:
        model = ScoreAdjustment
        fields = ("old_value", "new_value", "reason", "by", "by_name", "at")
        read_only_fields = fields


class SignOffSerializer(serializers.ModelSerializer):
    by_name = serializers.CharField(source="by.__str__", read_only=True)

    class Meta:
        model = ScoreSignOff
        fields = ("signed_score", "note", "by", "by_name", "at")
        read_only_fields = fields


class ScoreSerializer(serializers.ModelSerializer):
    subject = serializers.IntegerField(
        source="subject_id", read_only=True, help_text=_("For a grid worker, the user's id.")
    )
    subject_label = serializers.SerializerMethodField()
    period = serializers.CharField(read_only=True, help_text=_("The month, e.g. 2026-10."))
    scheme_version = serializers.IntegerField(source="scheme.version", read_only=True)
    score = serializers.DecimalField(
        source="effective_score",
        read_only=True,
        allow_null=True,
        help_text=_("The score in force: the last adjustment's value, else the computed one."),
        **SCORE,
    )
    grade = serializers.CharField(source="effective_grade", read_only=True, allow_null=True)
    computed_grade = serializers.CharField(source="grade", read_only=True)
    recomputed_differs = serializers.BooleanField(
        read_only=True,
        help_text=_("Signed off, and the data recomputed since would give another score."),
    )
    adjustments = AdjustmentSerializer(many=True, read_only=True)
    sign_offs = SignOffSerializer(many=True, read_only=True)

    class Meta:
        model = MonthlyScore
        fields = (
            "id",
            "kind",
            "subject",
            "subject_label",
            "worker",
            "department",
            "community",
            "month",
            "period",
            "scheme",
            "scheme_version",
            "score",
            "grade",
            "computed_score",
            "computed_grade",
            "snapshot",
            "computed_at",
            "status",
            "recomputed_score",
            "recomputed_at",
            "recomputed_differs",
            "adjustments",
            "sign_offs",
        )
        read_only_fields = fields

    def get_subject_label(self, score: MonthlyScore) -> str:
        subject = getattr(score, score.kind)
        return str(subject)


class AdjustSerializer(serializers.Serializer):
    value = serializers.DecimalField(min_value=0, max_value=100, **SCORE)
    reason = serializers.CharField(max_length=2000)


class SignOffInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class ScoreFilterSet(FilterSet):
    period = django_filters.CharFilter(method="filter_period", label=_("Month, e.g. 2026-10"))

    class Meta:
        model = MonthlyScore
        fields = ("kind", "status", "community", "department", "worker")

    def filter_period(self, queryset, name, value):
        try:
            month = parse_month(value)
        except DjangoValidationError as refusal:
            raise serializers.ValidationError(refusal.message_dict) from None
        return queryset.filter(month=month)


class ScoreViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Monthly scores of grid workers, departments and communities, newest first."""

    selector = score_list
    serializer_class = ScoreSerializer
    filterset_class = ScoreFilterSet

    def _answer(self, score: MonthlyScore) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=score.pk)).data)

    @extend_schema(request=AdjustSerializer, responses={200: ScoreSerializer})
    @action(detail=True, methods=["post"], permission_classes=[ChangePermission])
    def adjust(self, request, pk=None):
        """Set the score in force (0 to 100), saying why; before sign-off only."""
        score = self.get_object()
        body = AdjustSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            score_adjust(
                score=score,
                new_value=body.validated_data["value"],
                reason=body.validated_data["reason"],
                by=request.user,
            )
        except ScoreFrozen as refusal:
            raise Frozen(str(refusal)) from None
        return self._answer(score)

    @extend_schema(request=SignOffInputSerializer, responses={200: ScoreSerializer})
    @action(
        detail=True, methods=["post"], url_path="sign-off", permission_classes=[ChangePermission]
    )
    def sign_off(self, request, pk=None):
        """Sign the score off: the month is frozen from now on."""
        score = self.get_object()
        body = SignOffInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            score_sign_off(score=score, by=request.user, note=body.validated_data.get("note", ""))
        except ScoreFrozen as refusal:
            raise Frozen(str(refusal)) from None
        return self._answer(score)


router = SimpleRouter(trailing_slash=True)
router.register("scores", ScoreViewSet, basename="assessment-score")

urlpatterns = router.urls
