"""The working calendar over the API: a year's exceptions, and the due time of a limit
(the browser previews extension deadlines with it)."""

from __future__ import annotations

from datetime import date

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from incidents import calendar
from incidents.choices import LimitUnit, Priority

FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_AMOUNT = 10_000


class YearQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        required=False,
        help_text=_("Default: this year."),
    )


class DeadlineQuerySerializer(serializers.Serializer):
    start = serializers.DateTimeField(help_text=_("ISO 8601 with a time zone."))
    amount = serializers.IntegerField(min_value=0, max_value=MAX_AMOUNT)
    unit = serializers.ChoiceField(choices=LimitUnit.choices)
    priority = serializers.ChoiceField(
        choices=Priority.choices,
        required=False,
        help_text=_("Emergencies run on the plain clock."),
    )

    def validate_start(self, value):
        if not date(FIRST_YEAR, 1, 1) <= value.date() <= date(LAST_YEAR - 1, 12, 31):
            raise serializers.ValidationError(
                _("Give a start between %(first)d and %(last)d.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR - 1}
            )
        return value


class CalendarYearView(APIView):
    """Non-working days (weekends and holidays) and extra working days of one year."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("year", OpenApiTypes.INT)],
        responses=inline_serializer(
            "CalendarYear",
            {
                "year": serializers.IntegerField(),
                "working_hours": serializers.ListField(
                    child=serializers.ListField(child=serializers.CharField())
                ),
                "non_working_days": serializers.ListField(child=serializers.DateField()),
                "extra_working_days": serializers.ListField(child=serializers.DateField()),
            },
        ),
    )
    def get(self, request):
        query = YearQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data.get("year") or timezone.localdate().year
        days = calendar.year_exceptions(year)
        return Response(
            {
                "year": year,
                "working_hours": [
                    [start.strftime("%H:%M"), end.strftime("%H:%M")]
                    for start, end in calendar.working_day().intervals
                ],
                "non_working_days": [day.isoformat() for day in days["non_working_days"]],
                "extra_working_days": [day.isoformat() for day in days["extra_working_days"]],
            }
        )


class DeadlineView(APIView):
    """When a limit started at ``start`` runs out, in working time or on the clock."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[DeadlineQuerySerializer],
        responses=inline_serializer("Deadline", {"due_at": serializers.DateTimeField()}),
    )
    def get(self, request):
        query = DeadlineQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        due = calendar.due_at(
            data["start"],
            data["amount"],
            data["unit"],
            plain_clock=data.get("priority") == Priority.EMERGENCY,
        )
        return Response({"due_at": serializers.DateTimeField().to_representation(due)})


urlpatterns = [
    path("calendar/", CalendarYearView.as_view(), name="calendar"),
    path("calendar/deadline/", DeadlineView.as_view(), name="calendar-deadline"),
]
