"""Work queues: a worker's own tasks (``/me/tasks/``) and supervision orders."""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import SimpleRouter

from gridgov.api import BaseViewSet
from gridgov.filters import FilterSet
from incidents import selectors
from incidents.api.ticket_rows import ticket_list_rows, ticket_list_values
from incidents.api.ticket_serializers import SupervisionOrderSerializer, TicketSerializer
from incidents.models import SupervisionOrder, Ticket

DUE_SOON = timedelta(hours=2)
TASK_KINDS = (("verify", _("verify")), ("check", _("check")), ("handle", _("handle")))


class MyTaskSerializer(TicketSerializer):
    task = serializers.ChoiceField(choices=TASK_KINDS, read_only=True)

    class Meta(TicketSerializer.Meta):
        fields = (*TicketSerializer.Meta.fields, "task")
        read_only_fields = fields


class MyTaskFilterSet(FilterSet):
    task = django_filters.ChoiceFilter(choices=TASK_KINDS, label=_("Kind of task"))
    due_soon = django_filters.BooleanFilter(
        method="filter_due_soon", label=_("Due within two hours (or overdue)")
    )

    class Meta:
        model = Ticket
        fields = ("task", "sla_colour", "status")

    def filter_due_soon(self, queryset, name, value):
        soon = timezone.now() + DUE_SOON
        if value:
            return queryset.filter(stage_due_at__lte=soon, paused_at__isnull=True)
        return queryset.exclude(stage_due_at__lte=soon, paused_at__isnull=True)


class QueuePagination(PageNumberPagination):
    """Pages in the queue's own order (soonest due first). A personal queue is short, so
    counting it is cheap; cursor pages would need a non-null, unique sort key."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class MyTaskViewSet(mixins.ListModelMixin, BaseViewSet):
    """The caller's queue: tickets to verify, to check and to handle, soonest due first."""

    pagination_class = QueuePagination
    selector = selectors.my_task_list
    serializer_class = MyTaskSerializer
    filterset_class = MyTaskFilterSet
    permission_classes = [IsAuthenticated]

    def list(self, request, *args, **kwargs):
        """A page of the caller's queue, soonest due first (the phone's main screen)."""
        values = ticket_list_values(
            self.filter_queryset(self.get_queryset()), "task", names_after_sort=True
        )
        page = self.paginate_queryset(values)
        return self.get_paginated_response(ticket_list_rows(page, "task"))


class SupervisionOrderFilterSet(FilterSet):
    class Meta:
        model = SupervisionOrder
        fields = {
            "status": ["exact"],
            "level": ["exact"],
            "automatic": ["exact"],
            "ticket": ["exact"],
            "due_at": ["gte", "lte"],
        }


class SupervisionOrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Supervision orders on tickets in the caller's scope, newest first. Issue, answer
    and close them with the ticket actions ``supervise``, ``answer-supervision`` and
    ``close-supervision``."""

    selector = selectors.supervision_order_list
    serializer_class = SupervisionOrderSerializer
    filterset_class = SupervisionOrderFilterSet
    permission_classes = [IsAuthenticated]


router = SimpleRouter(trailing_slash=True)
router.register("me/tasks", MyTaskViewSet, basename="my-task")
router.register("supervision-orders", SupervisionOrderViewSet, basename="supervision-order")

urlpatterns = router.urls
