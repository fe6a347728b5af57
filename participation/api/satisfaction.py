"""API of satisfaction: ratings of closed cases (read-only, scoped like the cases) and
surveys (keepers make, change, open and close them; results per community).

The public rates through its link and answers surveys on the public pages, not here.
"""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions
from rest_framework.decorators import action
from rest_framework.response import Response

from gridgov.api import BaseViewSet
from gridgov.filters import FilterSet, UTCDateTimeFilter
from participation.api import satisfaction_serializers as s
from participation.choices import RatingChannel, SurveyStatus
from participation.models import Rating, Survey
from participation.selectors import satisfaction as ratings
from participation.selectors import surveys as selectors
from participation.services import surveys as services


class RatingFilterSet(FilterSet):
    channel = django_filters.ChoiceFilter(choices=RatingChannel.choices)
    score_max = django_filters.NumberFilter(field_name="score", lookup_expr="lte")
    since = UTCDateTimeFilter(field_name="at", lookup_expr="gte")

    class Meta:
        model = Rating
        fields = ("community", "grid", "ticket", "score", "reopened", "channel")


class RatingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Ratings of the cases in the caller's reach: the score, the comment, how it came
    (the reporter's link or a staff call-back) and whether it reopened the case."""

    selector = ratings.rating_list
    serializer_class = s.RatingSerializer
    filterset_class = RatingFilterSet
    permission_classes = [permissions.IsAuthenticated]


class CanKeepSurveys(permissions.BasePermission):
    """Opening and closing a survey needs the permission to change surveys."""

    def has_permission(self, request, view) -> bool:
        return request.user.has_perm("participation.change_survey")


class SurveyFilterSet(FilterSet):
    status = django_filters.ChoiceFilter(choices=SurveyStatus.choices)

    class Meta:
        model = Survey
        fields = ("street", "community", "status")


class SurveyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    BaseViewSet,
):
    """Surveys of the places the caller works in, with their questions. Keepers make
    drafts, change them (PATCH with If-Match; questions replace the old ones), open and
    close them; ``results`` aggregates the answers per community of the respondents."""

    selector = selectors.survey_list
    filterset_class = SurveyFilterSet
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_permissions(self):
        if self.action in ("open", "close"):
            return [permissions.IsAuthenticated(), CanKeepSurveys()]
        if self.action == "results":
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return s.SurveyUpdateSerializer
        return s.SurveySerializer

    def _reload(self, survey: Survey) -> Survey:
        self._etag_instance = self.get_queryset().get(pk=survey.pk)
        return self._etag_instance

    def perform_create(self, serializer) -> None:
        survey = services.survey_create(created_by=self.request.user, **serializer.validated_data)
        serializer.instance = self._reload(survey)

    def perform_update(self, serializer) -> None:
        survey = services.survey_update(
            survey=serializer.instance,
            by=self.request.user,
            expected_version=self._expected_version,
            **serializer.validated_data,
        )
        serializer.instance = self._reload(survey)

    def _step(self, request, step) -> Response:
        survey = self.get_object()
        expected = survey.version
        if request.headers.get("If-Match"):
            expected = self.expected_version(survey)
        survey = step(survey=survey, by=request.user, expected_version=expected)
        return Response(self.get_serializer(self._reload(survey)).data)

    @extend_schema(request=None, responses={200: s.SurveySerializer})
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None) -> Response:
        """Open a draft survey to the public (its page is /public/surveys/<id>/)."""
        return self._step(request, services.survey_open)

    @extend_schema(request=None, responses={200: s.SurveySerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None) -> Response:
        """Close an open survey: it takes no more answers."""
        return self._step(request, services.survey_close)

    @extend_schema(responses={200: s.CommunityResultSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def results(self, request, pk=None) -> Response:
        """Results over all respondents (community null) and per community: per question
        the number of answers, for ratings the mean and the 1–5 distribution, for choices
        each choice's count, for free text the texts."""
        survey = self.get_object()
        self._etag_instance = None
        rows = selectors.survey_results(survey=survey)
        return Response(s.CommunityResultSerializer(rows, many=True).data)
