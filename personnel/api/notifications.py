"""The inbox API: one's own notifications, the unread count, marking them read.

No create or delete: notifications come from the services, and the inbox is their history.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from gridgov.api import BaseViewSet
from personnel import selectors
from personnel.models import Notification
from personnel.services import notifications as services


class NotificationSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Notification
        fields = ("id", "kind", "kind_display", "title", "body", "url", "created_at", "read_at")
        read_only_fields = fields


class NotificationFilterSet(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(
        field_name="read_at", lookup_expr="isnull", label=_("unread only")
    )

    class Meta:
        model = Notification
        fields = ("unread", "kind")


UnreadCount = inline_serializer("UnreadCount", {"unread": serializers.IntegerField()})
Marked = inline_serializer("MarkedRead", {"marked": serializers.IntegerField()})


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """The signed-in user's inbox, newest first. Anyone else's notification is 404, for
    superusers too: an inbox is private."""

    selector = selectors.notification_list
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilterSet
    # Reading and marking one's own messages needs no model permission.
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark one notification read (again: no change, the first read time stays)."""
        notification = services.notification_mark_read(notification=self.get_object())
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=None, responses=Marked)
    @action(detail=False, methods=["post"], url_path="read-all", url_name="read-all")
    def read_all(self, request):
        """Mark every unread notification read; answers how many were marked."""
        return Response({"marked": services.notifications_mark_all_read(user=request.user)})

    @extend_schema(responses=UnreadCount)
    @action(detail=False, methods=["get"], url_path="unread-count", url_name="unread-count")
    def unread_count(self, request):
        """How many notifications are unread (the badge on the phone)."""
        return Response({"unread": selectors.unread_count(user=request.user)})


router = SimpleRouter(trailing_slash=True)
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = router.urls
