"""The resident register's API: residents and households of the caller's reach, visits, the
lookup by ID number and the care list.

Every response that shows a resident's name and phone unmasked writes PersonalDataView
rows for those residents first (one insert per response, whatever the page size).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from gridgov.api import BaseViewSet
from participation import selectors, services
from participation.api import filtersets, serializers
from participation.api.common import READ_AND_EDIT
from participation.models import Resident
from participation.personal_data import id_number_hash


class CanRecordVisits(permissions.BasePermission):
    """Recording a visit needs the permission to add visits (grid workers, street staff)."""

    def has_permission(self, request, view) -> bool:
        return request.user.has_perm("participation.add_visit")


class RevealingMixin:
    """Serializes residents with the caller's personal-data access and logs every unmasked
    one (``_reveal``) before the response goes out."""

    def access(self) -> selectors.PersonalDataAccess:
        if not hasattr(self, "_access"):  # once per request, not once per row
            self._access = selectors.personal_data_access(user=self.request.user)
        return self._access

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "access": self.access()}

    def _reveal(self, residents: Iterable[Resident]) -> None:
        shown = [resident for resident in residents if self.access().covers(resident)]
        if shown:
            services.personal_data_views_record(viewer=self.request.user, residents=shown)

    def list(self, request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        self._reveal(page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ResidentViewSet(
    RevealingMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    BaseViewSet,
):
    """Residents of the grids in the caller's reach. Grid workers and street staff keep them
    current (PATCH with If-Match); names and phones are masked for everyone else."""

    selector = selectors.resident_list
    serializer_class = serializers.ResidentSerializer
    filterset_class = filtersets.ResidentFilterSet
    http_method_names = READ_AND_EDIT

    def get_permissions(self):
        if self.action == "lookup":
            return [permissions.IsAuthenticated()]
        if self.action == "visits":
            return [permissions.IsAuthenticated(), CanRecordVisits()]
        return super().get_permissions()

    def retrieve(self, request, *args, **kwargs) -> Response:
        resident = self.get_object()
        self._reveal([resident])
        return Response(self.get_serializer(resident).data)

    def perform_create(self, serializer) -> None:
        serializer.instance = services.resident_create(**serializer.validated_data)
        self._etag_instance = serializer.instance
        self._reveal([serializer.instance])

    def perform_update(self, serializer) -> None:
        serializer.instance = services.resident_update(
            resident=serializer.instance,
            expected_version=self._expected_version,
            **serializer.validated_data,
        )
        self._etag_instance = serializer.instance
        self._reveal([serializer.instance])

    @extend_schema(request=serializers.VisitSerializer, responses=serializers.VisitSerializer)
    @action(detail=True, methods=["post"], serializer_class=serializers.VisitSerializer)
    def visits(self, request, pk=None) -> Response:
        """Record a visit to this resident (by the caller, now unless ``at`` says when)."""
        resident = self.get_object()
        self._etag_instance = None  # the response is the visit, not the resident
        body = serializers.VisitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        visit = services.visit_record(
            resident=resident, visited_by=request.user, **body.validated_data
        )
        return Response(serializers.VisitSerializer(visit).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.LookupSerializer,
        responses=serializers.ResidentSerializer(many=True),
    )
    @action(detail=False, methods=["post"], serializer_class=serializers.LookupSerializer)
    def lookup(self, request) -> Response:
        """Residents in the caller's reach registered with this ID number. A POST, so that
        the number never appears in a URL (and so in no access log); throttled as a write."""
        body = serializers.LookupSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            digest = id_number_hash(body.validated_data["id_number"])
        except DjangoValidationError as error:
            raise ValidationError({"id_number": error.messages}) from None
        found = list(self.get_queryset().filter(id_number_hash=digest))
        self._reveal(found)
        context = self.get_serializer_context()
        return Response(serializers.ResidentSerializer(found, many=True, context=context).data)


class HouseholdViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    BaseViewSet,
):
    """Households of the grids in the caller's reach (addresses only, no personal data)."""

    selector = selectors.household_list
    filterset_class = filtersets.HouseholdFilterSet
    http_method_names = READ_AND_EDIT

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return serializers.HouseholdUpdateSerializer
        return serializers.HouseholdSerializer

    def perform_create(self, serializer) -> None:
        serializer.instance = services.household_create(**serializer.validated_data)
        self._etag_instance = serializer.instance

    def perform_update(self, serializer) -> None:
        serializer.instance = services.household_update(
            household=serializer.instance,
            expected_version=self._expected_version,
            **serializer.validated_data,
        )
        self._etag_instance = serializer.instance


class CarePagination(PageNumberPagination):
    """Pages in the care list's own order (never visited, then the oldest visit first): a
    cursor would need a non-null, unique sort key."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class CareListViewSet(RevealingMixin, mixins.ListModelMixin, BaseViewSet):
    """Cared-for residents in the caller's reach not visited in ``days`` days (default 30),
    optionally of one ``grid``."""

    serializer_class = serializers.CareListSerializer
    pagination_class = CarePagination
    permission_classes = [permissions.IsAuthenticated]
    filter_backends = []

    def get_queryset(self):
        query = serializers.CareListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.care_list(
            user=self.request.user,
            days=query.validated_data["days"],
            grid_id=query.validated_data.get("grid"),
        )

    @extend_schema(parameters=[serializers.CareListQuerySerializer])
    def list(self, request, *args, **kwargs) -> Response:
        return super().list(request, *args, **kwargs)
