"""The ticket API: report, list and read tickets, read their history, and one POST route
per workflow action (``/api/v1/tickets/{id}/<action>/``), all through the workflow."""

from __future__ import annotations

from contextlib import contextmanager

import django_filters
from django.conf import settings
from django.db.models import Q
from django.http import FileResponse, Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from gridgov.api import NOT_FILTERS, BaseViewSet
from gridgov.api_errors import PayloadTooLarge
from gridgov.filters import FilterSet
from incidents import selectors
from incidents.api import ticket_serializers as s
from incidents.api.ticket_rows import ticket_list_base, ticket_list_rows, ticket_row
from incidents.choices import Action, PhotoPhase, Status
from incidents.models import Ticket
from incidents.photos import Photo, PhotoTooLarge
from incidents.services.tickets import ticket_create, ticket_update
from incidents.workflow import ActionNotAllowed, actions_for, ticket_act


class ActionConflict(exceptions.APIException):
    """The ticket's status does not offer this action (409), with those it does."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "action_not_allowed"

    def __init__(self, refusal: ActionNotAllowed) -> None:
        super().__init__(
            _("“%(action)s” is not possible while the ticket is %(status)s.")
            % {"action": Action(refusal.action).label, "status": Status(refusal.status).label}
        )
        self.extra = {"allowed_actions": refusal.allowed}


class TicketFilterSet(FilterSet):
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("Assigned to me"))
    q = django_filters.CharFilter(
        method="filter_text", label=_("Text in number, title or description")
    )

    class Meta:
        model = Ticket
        fields = {
            "status": ["exact"],
            "sla_colour": ["exact"],
            "grid": ["exact"],
            "community": ["exact"],
            "street": ["exact"],
            "category": ["exact"],
            "priority": ["exact"],
            "source": ["exact"],
            "created_at": ["gte", "lte"],
        }

    def filter_mine(self, queryset, name, value):
        user = self.request.user
        return queryset.filter(assignee=user) if value else queryset.exclude(assignee=user)

    def filter_text(self, queryset, name, value):
        value = value.strip()[:100]
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value) | Q(title__icontains=value) | Q(description__icontains=value)
        )


class TicketViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    BaseViewSet,
):
    """Tickets in the caller's scope. Reporting needs the permission to add tickets;
    actions are open to any signed-in user in scope and the workflow decides who may act."""

    selector = selectors.ticket_list
    permission_model = Ticket  # the selector's model (gridgov.api_policy)
    serializer_class = s.TicketSerializer
    filterset_class = TicketFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    if_match_actions = ("partial_update",)

    def get_permissions(self):
        if self.action in ACTION_METHODS or self.action in (
            "events",
            "attachments",
            "photo",
            "tasks",
        ):
            return [IsAuthenticated()]
        return super().get_permissions()

    def select(self):
        if self.action != "list":
            return super().select()
        # The list reads plain rows (ticket_rows): scoped the same way, without joins.
        return selectors.ticket_list(user=self.request.user, tickets=ticket_list_base())

    def get_object(self):
        """The ticket of a detail route. Without filters in the query, read by key through
        ``selectors.ticket_in_scope`` (the same rows as the list's selector, its SQL written
        once per scope); outside the caller's scope, or no such key, 404."""
        if self.request.query_params.keys() - NOT_FILTERS:
            return super().get_object()
        ticket = selectors.ticket_in_scope(user=self.request.user, pk=_key(self.kwargs["pk"]))
        if ticket is None:
            raise Http404
        self.check_object_permissions(self.request, ticket)
        self._etag_instance = ticket
        return ticket

    def get_serializer_class(self):
        return s.TicketDetailSerializer if self.action == "retrieve" else s.TicketSerializer

    def list(self, request, *args, **kwargs):
        """A page of tickets in the caller's scope, newest first (cursor pages)."""
        rows = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(ticket_list_rows(rows))

    def retrieve(self, request, *args, **kwargs):
        ticket = self.get_object()
        ticket.allowed_actions = actions_for(request.user, ticket)
        return Response(self.get_serializer(ticket).data)

    @extend_schema(
        request={
            "multipart/form-data": s.TicketCreateSerializer,
            "application/json": s.TicketCreateSerializer,
        },
        responses={201: s.TicketCreatedSerializer},
    )
    def create(self, request, *args, **kwargs):
        """Report a case (JSON, or multipart with photos); the answer lists open tickets
        it may duplicate."""
        body = s.TicketCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        photos = [Photo(f, PhotoPhase.BEFORE) for f in data.pop("photos", [])]
        photos += [Photo(f, PhotoPhase.AFTER) for f in data.pop("after_photos", [])]
        with photo_limits():
            ticket = ticket_create(reporter=request.user, photos=photos, **data)
        suggestions = [
            {
                "id": other.pk,
                "number": other.number,
                "title": other.title,
                "status": other.status,
                "distance_m": round(metres, 1),
            }
            for other, metres in selectors.duplicate_suggestions(user=request.user, ticket=ticket)
        ]
        self._etag_instance = ticket
        # TicketCreatedSerializer's shape (the schema says so), without building its fields.
        body = ticket_row(ticket) | {"duplicate_suggestions": suggestions}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.TicketUpdateSerializer, responses={200: s.TicketSerializer})
    def partial_update(self, request, *args, **kwargs):
        """Correct description, address, location or category; needs If-Match."""
        ticket = self.get_object()
        body = s.TicketUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        ticket = ticket_update(
            ticket=ticket,
            actor=request.user,
            expected_version=self._expected_version,
            **body.validated_data,
        )
        self._etag_instance = ticket
        return Response(self.get_serializer(ticket).data)

    @extend_schema(responses=s.TicketEventSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def events(self, request, pk=None):
        """The ticket's history, oldest first."""
        ticket = self.get_object()
        events = selectors.ticket_event_list(user=request.user, ticket=ticket)
        return Response(s.TicketEventSerializer(events, many=True).data)

    @extend_schema(responses=s.AttachmentSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def attachments(self, request, pk=None):
        """The ticket's photos, oldest first; add photos with the ``attach`` action."""
        ticket = self.get_object()
        photos = selectors.attachment_list(user=request.user, ticket=ticket)
        return Response(
            s.AttachmentSerializer(photos, many=True, context={"request": request}).data
        )

    @extend_schema(responses={(200, "image/*"): OpenApiTypes.BINARY})
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment_id>[0-9]{1,18})/file",
        url_name="photo",
    )
    def photo(self, request, pk=None, attachment_id=None):
        """One photo's image, for readers of the ticket only."""
        ticket = self.get_object()
        photo = (
            selectors.attachment_list(user=request.user, ticket=ticket)
            .filter(pk=attachment_id)
            .first()
        )
        if photo is None:
            raise exceptions.NotFound()
        return FileResponse(photo.file.open("rb"), content_type=photo.content_type)

    @extend_schema(responses=s.LinkageTaskSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def tasks(self, request, pk=None):
        """The departments' linked tasks on the ticket (lead and cooperating)."""
        ticket = self.get_object()
        tasks = selectors.linkage_task_list(user=request.user, ticket=ticket)
        return Response(s.LinkageTaskSerializer(tasks, many=True).data)

    def _act(self, request, name: str) -> Response:
        ticket = self.get_object()
        body = s.ActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        note = data.pop("note", "")
        phase = data.pop("phase", PhotoPhase.AFTER)
        data["photos"] = [Photo(f, phase) for f in data.pop("photos", [])]
        expected = ticket.version
        if request.headers.get("If-Match"):
            expected = self.expected_version(ticket)
        try:
            with photo_limits():
                ticket = ticket_act(
                    ticket=ticket,
                    actor=request.user,
                    action=name,
                    expected_version=expected,
                    note=note,
                    data=data,
                )
        except ActionNotAllowed as refusal:
            raise ActionConflict(refusal) from None
        self._etag_instance = ticket
        return Response(ticket_row(ticket))


_LARGEST_KEY = 2**63 - 1


def _key(text: str) -> int:
    """A ticket key from the URL; a word or a number no key column holds is 404, as the
    ORM's lookup would answer."""
    if not text.isascii() or not text.isdigit() or not 0 < int(text) <= _LARGEST_KEY:
        raise Http404
    return int(text)


@contextmanager
def photo_limits():
    """A photo over the size cap answers 413, naming the file."""
    try:
        yield
    except PhotoTooLarge as refusal:
        raise PayloadTooLarge(
            _("The photo %(name)s is larger than %(limit)d MB.")
            % {"name": refusal.name, "limit": settings.PHOTO_MAX_BYTES // (1024 * 1024)}
        ) from None


def _action_view(name: str):
    @extend_schema(
        request={"application/json": s.ActionSerializer, "multipart/form-data": s.ActionSerializer},
        responses={200: s.TicketSerializer},
    )
    def view(self, request, pk=None):
        return self._act(request, name)

    # Methods are prefixed: an action named "dispatch" must not replace APIView.dispatch.
    view.__name__ = f"act_{name}"
    view.__doc__ = f"Workflow action “{name}” on the ticket (see incidents.workflow)."
    slug = name.replace("_", "-")
    return action(detail=True, methods=["post"], url_path=slug, url_name=slug)(view)


ACTION_METHODS = {f"act_{name}": str(name) for name in Action if name != Action.REPORT}
for _method, _name in ACTION_METHODS.items():
    setattr(TicketViewSet, _method, _action_view(_name))

router = SimpleRouter(trailing_slash=True)
router.register("tickets", TicketViewSet, basename="ticket")

urlpatterns = router.urls
