"""The expenditure API: requests against budget lines, one POST route per step (approve,
reject, pay, withdraw), and their receipts.

Steps accept ``If-Match`` (412 when stale) and, like every POST, ``Idempotency-Key``: a
retried "pay" replays the first answer and posts nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from funding import selectors
from funding.api import serializers as s
from funding.api.permissions import ChangePermission
from funding.models import Budget, ExpenditureRequest
from funding.services import expenditures as services
from funding.services.receipts import MAX_BYTES, ReceiptTooLarge, receipt_add
from gridgov.api import BaseViewSet
from gridgov.api_errors import PayloadTooLarge
from gridgov.filters import FilterSet
from grids.models import Community, Grid, Street


class ExpenditureFilterSet(FilterSet):
    budget = django_filters.ModelChoiceFilter(
        field_name="budget_line__budget", queryset=Budget.objects.all(), label=_("Budget")
    )
    street = django_filters.ModelChoiceFilter(
        field_name="budget_line__budget__street", queryset=Street.objects.all(), label=_("Street")
    )
    community = django_filters.ModelChoiceFilter(
        field_name="budget_line__budget__community",
        queryset=Community.objects.all(),
        label=_("Community"),
    )
    grid = django_filters.ModelChoiceFilter(
        field_name="budget_line__budget__grid", queryset=Grid.objects.all(), label=_("Grid")
    )

    class Meta:
        model = ExpenditureRequest
        fields = {
            "status": ["exact"],
            "payee_kind": ["exact"],
            "budget_line": ["exact"],
            "requested_by": ["exact"],
            "created_at": ["gte", "lte"],
            "paid_at": ["gte", "lte"],
        }


@contextmanager
def receipt_limits():
    """A file over the size cap answers 413, naming it."""
    try:
        yield
    except ReceiptTooLarge as refusal:
        raise PayloadTooLarge(
            _("The file %(name)s is larger than %(limit)d MB.")
            % {"name": refusal.name, "limit": MAX_BYTES // (1024 * 1024)}
        ) from None


class ExpenditureViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, BaseViewSet
):
    """Expenditure requests of the books the caller reads, newest first: requested →
    approved (one approval; two above the threshold, one at street level) → paid, or
    rejected or withdrawn."""

    selector = selectors.expenditure_list
    serializer_class = s.ExpenditureSerializer
    filterset_class = ExpenditureFilterSet

    def _answer(self, expenditure: ExpenditureRequest, code: int = status.HTTP_200_OK):
        expenditure = self.get_queryset().get(pk=expenditure.pk)
        self._etag_instance = expenditure
        return Response(self.get_serializer(expenditure).data, status=code)

    def _step(self, step: Callable[..., ExpenditureRequest], **arguments) -> Response:
        expenditure = self.get_object()
        expected = expenditure.version
        if self.request.headers.get("If-Match"):
            expected = self.expected_version(expenditure)
        changed = step(request=expenditure, expected_version=expected, **arguments)
        return self._answer(changed)

    @extend_schema(request=s.ExpenditureCreateSerializer, responses={201: s.ExpenditureSerializer})
    def create(self, request, *args, **kwargs):
        """Ask to spend from a budget line (no more than the line has left)."""
        body = s.ExpenditureCreateSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        expenditure = services.expenditure_request(requested_by=request.user, **body.validated_data)
        return self._answer(expenditure, status.HTTP_201_CREATED)

    @extend_schema(request=s.ApproveSerializer, responses={200: s.ExpenditureSerializer})
    @action(detail=True, methods=["post"], permission_classes=[ChangePermission])
    def approve(self, request, pk=None):
        """Approve (never one's own request)."""
        body = s.ApproveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._step(
            services.expenditure_approve,
            approver=request.user,
            note=body.validated_data.get("note", ""),
        )

    @extend_schema(request=s.RejectSerializer, responses={200: s.ExpenditureSerializer})
    @action(detail=True, methods=["post"], permission_classes=[ChangePermission])
    def reject(self, request, pk=None):
        """Refuse the request before payment, saying why."""
        body = s.RejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._step(
            services.expenditure_reject,
            rejected_by=request.user,
            note=body.validated_data["note"],
        )

    @extend_schema(request=None, responses={200: s.ExpenditureSerializer})
    @action(detail=True, methods=["post"], permission_classes=[ChangePermission])
    def pay(self, request, pk=None):
        """Pay an approved request; its ledger transaction is posted at once."""
        return self._step(services.expenditure_pay, paid_by=request.user)

    @extend_schema(request=None, responses={200: s.ExpenditureSerializer})
    @action(detail=True, methods=["post"], permission_classes=[ChangePermission])
    def withdraw(self, request, pk=None):
        """The requester takes the request back before payment."""
        return self._step(services.expenditure_withdraw, withdrawn_by=request.user)

    @extend_schema(methods=["GET"], responses={200: s.ReceiptSerializer(many=True)})
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": s.ReceiptUploadSerializer},
        responses={201: s.ReceiptSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        permission_classes=[ChangePermission],
        pagination_class=None,
        filter_backends=[],
    )
    def receipts(self, request, pk=None):
        """The request's receipts, oldest first; POST adds one (multipart ``file``: a PDF
        or a JPEG, PNG or WebP image), also after payment."""
        expenditure = self.get_object()
        if request.method == "GET":
            return Response(s.ReceiptSerializer(expenditure.receipts.all(), many=True).data)
        body = s.ReceiptUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with receipt_limits():
            receipt = receipt_add(
                request=expenditure, file=body.validated_data["file"], uploaded_by=request.user
            )
        return Response(s.ReceiptSerializer(receipt).data, status=status.HTTP_201_CREATED)


router = SimpleRouter(trailing_slash=True)
router.register("expenditures", ExpenditureViewSet, basename="funding-expenditure")

urlpatterns = router.urls
