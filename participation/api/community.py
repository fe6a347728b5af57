"""API of community life: organisations, volunteers, activities (with sign-up, withdraw,
attendance and cancel actions, and their sign-ups), and the volunteer ranking.

Keepers write (model permissions, then the services check the place); a volunteer who signs
in signs up and withdraws themself, which needs no model permission: the service checks
that the caller is the volunteer or a keeper.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from gridgov.api import BaseViewSet
from gridgov.filters import FilterSet, IdFilter, UTCDateTimeFilter
from participation.api import community_serializers as serializers
from participation.api.common import READ_AND_EDIT, ServiceWritesMixin
from participation.choices import ActivityKind, ActivityStatus, Skill
from participation.models import Activity, Organisation, Volunteer
from participation.selectors import community as life
from participation.selectors.common import keeper_places
from participation.services import attendance, personal_data_views_record
from participation.services import community as services


class LifeContextMixin:
    """Puts the caller's name masking and keeper places in the serializer context, read once
    per request, not once per row; residents whose names a response showed unmasked are
    logged (one insert) before it goes out."""

    def get_serializer_context(self) -> dict:
        if not hasattr(self, "_life_context"):
            user = self.request.user
            self._life_context = {"names": life.Names(user), "places": keeper_places(user)}
        return {**super().get_serializer_context(), **self._life_context}

    def finalize_response(self, request, response, *args, **kwargs):
        names = getattr(self, "_life_context", {}).get("names")
        if names is not None and names.revealed and response.status_code < 400:
            log_revealed(request.user, names)
        return super().finalize_response(request, response, *args, **kwargs)


def log_revealed(user, names: life.Names) -> None:
    """Log the residents ``names`` showed unmasked to ``user`` (once each)."""
    personal_data_views_record(viewer=user, residents=names.revealed.values())
    names.revealed.clear()


def skill_filter(queryset, name: str, value: str):
    """Volunteers with ``value`` among their skills (a JSON list: matched as its quoted
    element, which works on every database)."""
    return queryset.filter(skills__icontains=f'"{value}"')


class OrganisationFilterSet(FilterSet):
    grid = IdFilter(field_name="grids_served")

    class Meta:
        model = Organisation
        fields = ("street", "kind", "active", "grid")


class VolunteerFilterSet(FilterSet):
    skill = django_filters.ChoiceFilter(choices=Skill.choices, method=skill_filter)

    class Meta:
        model = Volunteer
        fields = ("community", "organisation", "active", "skill")


class ActivityFilterSet(FilterSet):
    kind = django_filters.ChoiceFilter(choices=ActivityKind.choices)
    status = django_filters.ChoiceFilter(choices=ActivityStatus.choices)
    starts_after = UTCDateTimeFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = UTCDateTimeFilter(field_name="starts_at", lookup_expr="lt")

    class Meta:
        model = Activity
        fields = ("community", "grid", "organiser", "kind", "status")


class OrganisationViewSet(
    ServiceWritesMixin,
    LifeContextMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    BaseViewSet,
):
    """Organisations of the streets in the caller's reach with the grids they serve and their
    contacts (phones and e-mails masked unless the caller keeps the street)."""

    selector = life.organisation_list
    filterset_class = OrganisationFilterSet
    http_method_names = READ_AND_EDIT
    serializer_class = serializers.OrganisationSerializer
    update_serializer_class = serializers.OrganisationUpdateSerializer
    create_service = services.organisation_create
    update_service = services.organisation_update
    update_kwarg = "organisation"


class VolunteerViewSet(
    ServiceWritesMixin,
    LifeContextMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    BaseViewSet,
):
    """Volunteers of the communities in the caller's reach (and the caller's own record),
    with skills, availability and points; names masked as residents' are."""

    selector = life.volunteer_list
    filterset_class = VolunteerFilterSet
    http_method_names = READ_AND_EDIT
    serializer_class = serializers.VolunteerSerializer
    update_serializer_class = serializers.VolunteerUpdateSerializer
    create_service = services.volunteer_create
    update_service = services.volunteer_update
    update_kwarg = "volunteer"


def volunteer_of(request, body: serializers.VolunteerChoiceSerializer) -> Volunteer:
    """The volunteer named in the body, or the caller's own record."""
    volunteer = body.validated_data.get("volunteer") or life.own_volunteer(request.user)
    if volunteer is None:
        raise ValidationError(
            {"volunteer": [_("Name the volunteer: you have no volunteer record of your own.")]}
        )
    return volunteer


class ActivityViewSet(
    ServiceWritesMixin,
    LifeContextMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    BaseViewSet,
):
    """Activities of the communities in the caller's reach or where they volunteer. Keepers
    announce, change, cancel them and record attendance; volunteers sign up and withdraw."""

    selector = life.activity_list
    filterset_class = ActivityFilterSet
    http_method_names = READ_AND_EDIT
    serializer_class = serializers.ActivitySerializer
    update_serializer_class = serializers.ActivityUpdateSerializer
    create_service = services.activity_create
    update_service = services.activity_update
    update_kwarg = "activity"

    def get_permissions(self):
        if self.action in ("signup", "withdraw"):
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    def _signups(self, activity: Activity):
        rows = life.signup_list(user=self.request.user).filter(activity=activity)
        return rows.order_by("signed_up_at", "pk")

    @extend_schema(responses=serializers.SignupSerializer(many=True))
    @action(detail=True, methods=["get"])
    def signups(self, request, pk=None) -> Response:
        """The activity's sign-ups (withdrawn ones too) that the caller may read."""
        activity = self.get_object()
        self._etag_instance = None
        rows = self._signups(activity)
        context = self.get_serializer_context()
        return Response(serializers.SignupSerializer(rows, many=True, context=context).data)

    @extend_schema(
        request=serializers.VolunteerChoiceSerializer, responses=serializers.SignupSerializer
    )
    @action(detail=True, methods=["post"], serializer_class=serializers.VolunteerChoiceSerializer)
    def signup(self, request, pk=None) -> Response:
        """Sign up: the caller's own volunteer record, or (a keeper) the one named."""
        activity = self.get_object()
        self._etag_instance = None
        body = serializers.VolunteerChoiceSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        signup = services.activity_signup(
            activity=activity, volunteer=volunteer_of(request, body), by=request.user
        )
        data = serializers.SignupSerializer(signup, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.VolunteerChoiceSerializer, responses=serializers.SignupSerializer
    )
    @action(detail=True, methods=["post"], serializer_class=serializers.VolunteerChoiceSerializer)
    def withdraw(self, request, pk=None) -> Response:
        """Withdraw a sign-up before the activity starts (own, or a keeper for the named)."""
        activity = self.get_object()
        self._etag_instance = None
        body = serializers.VolunteerChoiceSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        signup = services.activity_withdraw(
            activity=activity, volunteer=volunteer_of(request, body), by=request.user
        )
        return Response(
            serializers.SignupSerializer(signup, context=self.get_serializer_context()).data
        )

    @extend_schema(
        request=serializers.AttendanceSerializer,
        responses=serializers.SignupSerializer(many=True),
    )
    @action(detail=True, methods=["post"], serializer_class=serializers.AttendanceSerializer)
    def attendance(self, request, pk=None) -> Response:
        """Record once who came (every sign-up in force) and their hours (default: the
        activity's duration); attended sign-ups earn points."""
        activity = self.get_object()
        self._etag_instance = None
        body = serializers.AttendanceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        records = [
            attendance.Attendance(
                signup_id=row["signup"], attended=row["attended"], hours=row.get("hours")
            )
            for row in body.validated_data["records"]
        ]
        attendance.activity_attendance_record(activity=activity, by=request.user, records=records)
        context = self.get_serializer_context()
        return Response(
            serializers.SignupSerializer(self._signups(activity), many=True, context=context).data
        )

    @extend_schema(request=None, responses=serializers.ActivitySerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None) -> Response:
        """Cancel an open activity; signed-up volunteers with an account are told."""
        activity = services.activity_cancel(activity=self.get_object(), by=request.user)
        self._etag_instance = activity
        return Response(
            serializers.ActivitySerializer(activity, context=self.get_serializer_context()).data
        )


class VolunteerRankingView(APIView):
    """Volunteers of a community by service hours (or points) earned in a period (default:
    this year); names masked as residents' are."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[serializers.RankingQuerySerializer],
        responses=serializers.VolunteerRankingSerializer,
    )
    def get(self, request) -> Response:
        query = serializers.RankingQuerySerializer(
            data=request.query_params, context={"request": request}
        )
        query.is_valid(raise_exception=True)
        params = query.validated_data
        rows = list(
            life.volunteer_ranking(
                user=request.user,
                community=params["community"],
                period=params["period"],
                order=params["order"],
            )[: params["limit"]]
        )
        for rank, row in enumerate(rows, 1):
            row.rank = rank
        names = life.Names(request.user)
        context = {"request": request, "names": names}
        data = serializers.VolunteerRankingRowSerializer(rows, many=True, context=context).data
        log_revealed(request.user, names)
        return Response(
            {
                "community": params["community"].pk,
                "start": params["period"].start,
                "end": params["period"].end,
                "order": params["order"],
                "results": data,
            }
        )
