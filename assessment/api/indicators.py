"""The indicators API: every indicator of one scope (a place, a department or a grid
worker) over one period, with the figures behind them, for what the caller may see.

``GET /api/v1/assessment/indicators/?scope=street:12&period=2026-10``: a bad or missing
scope or period is a 400 naming the parameter; a scope outside the caller's reach a 404.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from assessment.scopes import Period, Scope, parse_period, parse_scope
from assessment.selectors import indicators_for


def _parsed(parse, name: str, value: str):
    """``parse(value)``, its refusal as this field's error (not nested under its name)."""
    try:
        return parse(value)
    except DjangoValidationError as refusal:
        raise serializers.ValidationError(
            refusal.message_dict.get(name, refusal.messages)
        ) from None


class ScopeField(serializers.CharField):
    """``kind:id``: a district, street, community, grid, department or grid worker."""

    def run_validation(self, data=serializers.empty) -> Scope:
        return _parsed(parse_scope, "scope", super().run_validation(data))


class PeriodField(serializers.CharField):
    """A year (2026), quarter (2026-Q4), month (2026-10) or ISO week (2026-W43)."""

    def run_validation(self, data=serializers.empty) -> Period:
        return _parsed(parse_period, "period", super().run_validation(data))


class IndicatorQuerySerializer(serializers.Serializer):
    scope = ScopeField(max_length=40, help_text=_("kind:id, e.g. street:12."))
    period = PeriodField(max_length=10, help_text=_("2026, 2026-Q4, 2026-10 or 2026-W43."))


class IndicatorsSerializer(serializers.Serializer):
    scope = serializers.CharField()
    period = serializers.CharField()
    first = serializers.DateField(help_text=_("The period's first day."))
    last = serializers.DateField(help_text=_("The period's last day."))
    figures = serializers.DictField(
        child=serializers.IntegerField(), help_text=_("The summed rollup figures.")
    )
    indicators = serializers.DictField(
        child=serializers.CharField(allow_null=True),
        help_text=_(
            "Rates in percent with two decimals, null when nothing was due; the score and "
            "grade with the score scheme in force at the end of the period."
        ),
    )


class IndicatorsView(APIView):
    """Every indicator of a scope over a period (see ``assessment.indicators``)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[IndicatorQuerySerializer], responses=IndicatorsSerializer)
    def get(self, request):
        query = IndicatorQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = indicators_for(user=request.user, **query.validated_data)
        return Response(IndicatorsSerializer(found).data)


urlpatterns = [path("indicators/", IndicatorsView.as_view(), name="assessment-indicators")]
