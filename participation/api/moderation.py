"""The moderation API: public reports of the streets the caller moderates, and the two
moderation steps. Approving makes a pending report a case; rejecting needs a note. Both
act only on a pending report: the second of two clicks answers 409 and changes nothing."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, permissions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from gridgov.api import BaseViewSet
from gridgov.filters import FilterSet, UTCDateTimeFilter
from participation.api.moderation_serializers import PublicReportSerializer, ReportRejectSerializer
from participation.models import PublicReport
from participation.selectors.public import public_report_list
from participation.services.public_reports import (
    AlreadyModerated,
    public_report_approve,
    public_report_reject,
)


class CanModerate(permissions.BasePermission):
    """Moderating needs the permission to change public reports (street staff, admins)."""

    def has_permission(self, request, view) -> bool:
        return request.user.has_perm("participation.change_publicreport")


class AlreadyModeratedConflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "already_moderated"
    default_detail = _("This report was moderated already: nothing was changed.")


class PublicReportFilterSet(FilterSet):
    created_after = UTCDateTimeFilter(field_name="created_at", lookup_expr="gte")

    class Meta:
        model = PublicReport
        fields = ("status", "channel", "street", "community", "grid", "created_after")


class PublicReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Public reports of the streets the caller moderates, newest first (``status=pending``
    is the moderation queue)."""

    selector = public_report_list
    serializer_class = PublicReportSerializer
    filterset_class = PublicReportFilterSet

    def get_permissions(self):
        if self.action in ("approve", "reject"):
            return [permissions.IsAuthenticated(), CanModerate()]
        return super().get_permissions()

    def _moderated(self, step) -> Response:
        try:
            report = step()
        except AlreadyModerated:
            raise AlreadyModeratedConflict() from None
        fresh = self.get_queryset().get(pk=report.pk)
        context = self.get_serializer_context()
        return Response(PublicReportSerializer(fresh, context=context).data)

    @extend_schema(request=None, responses=PublicReportSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None) -> Response:
        """Approve a pending report: it becomes a case of its street."""
        report = self.get_object()
        return self._moderated(lambda: public_report_approve(report=report, by=request.user))

    @extend_schema(request=ReportRejectSerializer, responses=PublicReportSerializer)
    @action(detail=True, methods=["post"], serializer_class=ReportRejectSerializer)
    def reject(self, request, pk=None) -> Response:
        """Reject a pending report, saying why."""
        report = self.get_object()
        body = ReportRejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        note = body.validated_data["note"]
        return self._moderated(
            lambda: public_report_reject(report=report, by=request.user, note=note)
        )
