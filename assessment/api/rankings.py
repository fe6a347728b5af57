"""The rankings API: grids, communities, departments or grid workers the caller sees,
ranked best first by their score over a period, with grades and the key indicators.

``GET /api/v1/assessment/rankings/?kind=worker&period=2026-10&scope=street:12`` (scope
optional: what to rank within).
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from assessment.api.indicators import PeriodField, ScopeField
from assessment.choices import RankingKind
from assessment.rankings import rankings_for


class RankingQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RankingKind.choices)
    period = PeriodField(max_length=10, help_text=_("2026, 2026-Q4, 2026-10 or 2026-W43."))
    scope = ScopeField(
        max_length=40,
        required=False,
        help_text=_("Rank within this place (for departments a district or street)."),
    )


class RankingRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True, help_text=_("Empty without a score."))
    id = serializers.IntegerField(help_text=_("For a grid worker, the user's id."))
    code = serializers.CharField()
    label = serializers.CharField()
    score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    grade = serializers.CharField(allow_null=True)
    indicators = serializers.DictField(child=serializers.CharField(allow_null=True))
    counts = serializers.DictField(child=serializers.IntegerField())


class RankingSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RankingKind.choices)
    scope = serializers.CharField(allow_null=True)
    period = serializers.CharField()
    results = RankingRowSerializer(many=True)


class RankingsView(APIView):
    """Best first; equal scores share a rank; subjects without activity come last."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[RankingQuerySerializer], responses=RankingSerializer)
    def get(self, request):
        query = RankingQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        within = data.get("scope")
        rows = rankings_for(
            user=request.user, kind=data["kind"], within=within, period=data["period"]
        )
        answer = {
            "kind": data["kind"],
            "scope": None if within is None else str(within),
            "period": data["period"].label,
            "results": rows,
        }
        return Response(RankingSerializer(answer).data)


urlpatterns = [path("rankings/", RankingsView.as_view(), name="assessment-rankings")]
