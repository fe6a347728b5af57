"""The patrol API for phones and dashboards: sessions and their track points and check-ins,
coverage per grid and day, and the workload per worker.

Writes the phone may retry are idempotent by the UUIDs it generates (besides the shared
Idempotency-Key header): a resent start, batch or check-in answers as the first send did.
"""

from __future__ import annotations

import django_filters
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from gridgov.api import BaseViewSet
from gridgov.api_policy import ScopedModelPermissions
from personnel import selectors, selectors_workload
from personnel.api import patrol_serializers as s
from personnel.models import GridWorker, PatrolDay, PatrolSession
from personnel.services import patrols as services


def _id_filter(field_name: str, **kwargs) -> django_filters.NumberFilter:
    """A filter on an id: a number too large for a key is a 400, not a database error."""
    return django_filters.NumberFilter(
        field_name=field_name, min_value=1, max_value=s.MAX_ID, **kwargs
    )


class PatrolSessionFilterSet(django_filters.FilterSet):
    worker = _id_filter("worker_id", help_text=_("User id"))
    grid = _id_filter("grid_id")
    date = django_filters.DateFilter(
        method="filter_date",
        help_text=_("Local day it started"),
        validators=[
            MinValueValidator(services.EARLIEST_DAY),
            MaxValueValidator(services.LATEST_DAY),
        ],
    )

    class Meta:
        model = PatrolSession
        fields = ("worker", "grid", "date")

    def filter_date(self, queryset, name, value):
        start, end = services.local_day_bounds(value)
        return queryset.filter(started_at__gte=start, started_at__lt=end)


class PatrolDayFilterSet(django_filters.FilterSet):
    grid = _id_filter("grid_id")
    worker = _id_filter("worker_id", help_text=_("User id"))
    street = _id_filter("street_id")
    community = _id_filter("community_id")
    day = django_filters.DateFilter()
    day_from = django_filters.DateFilter(field_name="day", lookup_expr="gte")
    day_to = django_filters.DateFilter(field_name="day", lookup_expr="lte")

    class Meta:
        model = PatrolDay
        fields = ("grid", "worker", "street", "community", "day", "day_from", "day_to")


class WorkloadFilterSet(django_filters.FilterSet):
    grid = _id_filter("grid", method="filter_grid", help_text=_("Workers assigned to this grid"))
    street = _id_filter("street_id", help_text=_("Street that employs the worker"))

    class Meta:
        model = GridWorker
        fields = ("grid", "street")

    def filter_grid(self, queryset, name, value):
        # At most one open assignment per worker and grid (a constraint): no duplicate rows.
        return queryset.filter(assignments__grid_id=value, assignments__until__isnull=True)


class RecordsOwnPatrol(permissions.BasePermission):
    """Anyone who sees a patrol may read it; only its worker records into it."""

    message = _("Only the worker who started this patrol may record it.")

    def has_object_permission(self, request, view, obj) -> bool:
        return request.method in permissions.SAFE_METHODS or obj.worker_id == request.user.pk


class PatrolViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Patrol sessions. Grid workers and chiefs start, end and record their own; everyone
    in scope reads them."""

    selector = selectors_workload.patrol_session_counted_list
    serializer_class = s.PatrolSessionSerializer
    filterset_class = PatrolSessionFilterSet
    permission_classes = [ScopedModelPermissions, RecordsOwnPatrol]
    http_method_names = ["get", "post", "head", "options"]

    def _read_back(self, session: PatrolSession) -> dict:
        """The session as the list shows it (with its counts), read through the selector."""
        return s.PatrolSessionSerializer(self.get_queryset().get(pk=session.pk)).data

    @extend_schema(
        request=s.PatrolStartSerializer,
        responses={
            201: s.PatrolSessionSerializer,
            200: OpenApiResponse(s.PatrolSessionSerializer, _("A resent start: the session.")),
        },
    )
    def create(self, request):
        """Start a patrol. Resending the same ``client_id`` answers 200 with the session."""
        given = s.PatrolStartSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        session, created = services.patrol_session_start(
            worker=request.user,
            client_id=data["client_id"],
            started_at=data["started_at"],
            grid_id=data.get("grid"),
        )
        return Response(
            self._read_back(session),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=s.PatrolEndSerializer, responses={200: s.PatrolSessionSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the patrol. The same time again answers the same; another time is a 400."""
        session = self.get_object()
        given = s.PatrolEndSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        services.patrol_session_end(
            session=session, worker=request.user, ended_at=given.validated_data["ended_at"]
        )
        return Response(self._read_back(session))

    @extend_schema(request=s.PointBatchSerializer, responses={200: s.PointBatchResultSerializer})
    @action(detail=True, methods=["post"])
    def points(self, request, pk=None):
        """Upload up to 500 track points. All or nothing; a resend answers the same."""
        session = self.get_object()
        given = s.PointBatchSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        result = services.patrol_points_record(
            session=session,
            worker=request.user,
            points=[
                services.TrackPoint(
                    client_id=point["id"],
                    recorded_at=point["recorded_at"],
                    lat=point["lat"],
                    lng=point["lng"],
                    accuracy_m=point.get("accuracy"),
                )
                for point in given.validated_data["points"]
            ],
        )
        body = s.PointBatchResultSerializer(
            {
                "session": result.session_id,
                "received": result.received,
                "stored": result.stored,
                "flagged": result.flagged,
                "rejected": result.rejected,
            }
        )
        return Response(body.data)

    @extend_schema(
        request=s.CheckInInputSerializer,
        responses={
            201: s.CheckInSerializer,
            200: OpenApiResponse(s.CheckInSerializer, _("A resent check-in: the stored one.")),
        },
    )
    @action(detail=True, methods=["post"])
    def checkins(self, request, pk=None):
        """Record a check-in. Resending the same ``id`` answers 200 with the stored one."""
        session = self.get_object()
        given = s.CheckInInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        checkin, created = services.patrol_checkin_record(
            session=session,
            worker=request.user,
            client_id=data["id"],
            recorded_at=data["recorded_at"],
            lat=data["lat"],
            lng=data["lng"],
            note=data["note"],
        )
        return Response(
            s.CheckInSerializer(checkin).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class PatrolDayViewSet(mixins.ListModelMixin, BaseViewSet):
    """Patrol coverage: one row per grid, worker and local day patrolled (minutes and
    distance inside the grid). A grid-day without a row was not patrolled."""

    selector = selectors.patrol_day_list
    serializer_class = s.PatrolDaySerializer
    filterset_class = PatrolDayFilterSet


class WorkloadViewSet(mixins.ListModelMixin, BaseViewSet):
    """One row per worker the caller oversees (a grid worker: themself): their grids and
    the hours patrolled this month."""

    selector = selectors_workload.workload_list
    serializer_class = s.WorkloadSerializer
    filterset_class = WorkloadFilterSet


class GridWorkloadViewSet(mixins.ListModelMixin, BaseViewSet):
    """One row per grid the caller sees: its primary worker, the hours and days patrolled
    inside it this month."""

    selector = selectors_workload.grid_workload_list
    serializer_class = s.GridWorkloadSerializer
    filterset_fields = ("street", "community")


router = SimpleRouter(trailing_slash=True)
router.register("patrols", PatrolViewSet, basename="patrol")
router.register("patrol-days", PatrolDayViewSet, basename="patrol-day")
router.register("workload", WorkloadViewSet, basename="workload")
router.register("grid-workload", GridWorkloadViewSet, basename="grid-workload")

urlpatterns = router.urls
