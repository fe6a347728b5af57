"""Next week's cases over the API: ``GET /api/v1/assessment/forecast/``, for the user's
whole reach or one place in it (``?scope=street:12``), read through
:func:`assessment.forecasts.forecast_for`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from assessment.forecasts import forecast_for
from assessment.scopes import parse_scope

MAX_LIMIT = 500


class ForecastQuerySerializer(serializers.Serializer):
    scope = serializers.CharField(
        required=False,
        help_text=_("A place as kind:id (e.g. street:12). Default: your whole reach."),
    )
    grid = serializers.IntegerField(
        required=False, min_value=1, help_text=_("Only this grid's series.")
    )
    category = serializers.IntegerField(
        required=False, min_value=1, help_text=_("Only this major category's series.")
    )
    limit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_LIMIT,
        default=100,
        help_text=_("Series per page."),
    )
    offset = serializers.IntegerField(required=False, min_value=0, default=0)

    def validate_scope(self, value: str):
        try:
            return parse_scope(value)
        except DjangoValidationError as error:  # it names the field itself
            raise serializers.ValidationError(error.message_dict["scope"]) from None


def _named(name: str):
    return inline_serializer(
        name,
        {
            "id": serializers.IntegerField(),
            "code": serializers.CharField(),
            "name": serializers.CharField(),
        },
    )


_BACKTEST = inline_serializer(
    "ForecastBacktest",
    {
        "model_mae": serializers.FloatField(help_text=_("Of the median forecast.")),
        "naive_mae": serializers.FloatField(help_text=_("Of the same weekday last week.")),
        "model_rmse": serializers.FloatField(help_text=_("Of the expected value.")),
        "naive_rmse": serializers.FloatField(),
        "days": serializers.IntegerField(),
    },
)


_TOTAL = inline_serializer(
    "ForecastTotal",
    {
        "expected": serializers.FloatField(),
        "median": serializers.IntegerField(),
        "low": serializers.IntegerField(help_text=_("10 % quantile.")),
        "high": serializers.IntegerField(help_text=_("90 % quantile.")),
    },
)
_DAY = inline_serializer(
    "ForecastDay",
    {
        "day": serializers.DateField(),
        "expected": serializers.FloatField(),
        "median": serializers.IntegerField(),
        "low": serializers.IntegerField(),
        "high": serializers.IntegerField(),
    },
)
_RESPONSE = inline_serializer(
    "Forecast",
    {
        "scope": serializers.CharField(allow_null=True),
        "today": serializers.DateField(),
        "first": serializers.DateField(help_text=_("First day of the history read.")),
        "last": serializers.DateField(help_text=_("Last day of the history read.")),
        "backtest": _BACKTEST,
        "count": serializers.IntegerField(help_text=_("Series matching the filters.")),
        "series": inline_serializer(
            "ForecastSeries",
            {
                "grid": _named("ForecastGrid"),
                "category": _named("ForecastCategory"),
                "days": _DAY,
                "total": _TOTAL,
                "last_week": serializers.IntegerField(),
                "backtest": _BACKTEST,
            },
            many=True,
        ),
        "hotspots": inline_serializer(
            "ForecastHotspot",
            {
                "grid": _named("ForecastHotspotGrid"),
                "z": serializers.FloatField(),
                "last_week": serializers.IntegerField(),
                "expected_week": serializers.FloatField(),
            },
            many=True,
        ),
    },
)


class ForecastView(APIView):
    """Expected cases of the next seven days per grid × major category, with 80 %
    intervals and backtests against last week, and the grids unusually busy. ``count``
    series match the filters; ``limit`` and ``offset`` page through them (the backtest and
    the hotspots are the whole scope's)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[ForecastQuerySerializer], responses=_RESPONSE)
    def get(self, request):
        query = ForecastQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        found = forecast_for(user=request.user, within=params.get("scope"))
        series = [
            s
            for s in found["series"]
            if params.get("grid") in (None, s["grid"]["id"])
            and params.get("category") in (None, s["category"]["id"])
        ]
        start = params["offset"]
        return Response(
            {
                **found,
                "count": len(series),
                "series": series[start : start + params["limit"]],
            }
        )


urlpatterns = [path("forecast/", ForecastView.as_view(), name="assessment-forecast")]
