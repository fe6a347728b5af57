"""The budget API: budgets of the books the caller reads, with their lines. Keepers of the
books (finance officers, administrators) open budgets and set lines."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from funding import selectors
from funding.api import serializers as s
from funding.choices import EntityKind
from funding.models import Budget
from funding.services.budgets import budget_create, budget_line_add, budget_line_amount_change
from gridgov.api import BaseViewSet
from gridgov.filters import FilterSet
from grids import selectors as places

PLACES = {
    EntityKind.STREET: places.street_list,
    EntityKind.COMMUNITY: places.community_list,
    EntityKind.GRID: places.grid_list,
}


class BudgetFilterSet(FilterSet):
    class Meta:
        model = Budget
        fields = ("fiscal_year", "street", "community", "grid", "entity_key")


class BudgetViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, BaseViewSet
):
    """Budgets per entity (street, community or grid) and fiscal year, newest year first."""

    selector = selectors.budget_list
    serializer_class = s.BudgetSerializer
    filterset_class = BudgetFilterSet

    def _answer(self, budget: Budget, code: int = status.HTTP_200_OK) -> Response:
        budget = self.get_queryset().get(pk=budget.pk)
        return Response(self.get_serializer(budget).data, status=code)

    @extend_schema(request=s.BudgetCreateSerializer, responses={201: s.BudgetSerializer})
    def create(self, request, *args, **kwargs):
        """Open the budget of a street, community or grid for a year, with its lines."""
        body = s.BudgetCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        entity = PLACES[data["entity_kind"]](user=request.user).filter(pk=data["entity"]).first()
        if entity is None:
            raise serializers.ValidationError({"entity": _("No such place.")})
        budget = budget_create(
            entity=entity,
            fiscal_year=data["fiscal_year"],
            created_by=request.user,
            lines=[
                (line["category"], line["source"], line["amount"]) for line in data.get("lines", [])
            ],
        )
        return self._answer(budget, status.HTTP_201_CREATED)

    @extend_schema(request=s.BudgetLineInputSerializer, responses={200: s.BudgetSerializer})
    @action(detail=True, methods=["post"])
    def lines(self, request, pk=None):
        """Set a line: add the category and fund source, or change the amount of its line
        (raised freely, lowered no further than what approved and paid requests take)."""
        budget = self.get_object()
        body = s.BudgetLineInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        line = budget.lines.filter(category=data["category"], source=data["source"]).first()
        if line is None:
            budget_line_add(budget=budget, added_by=request.user, **data)
        else:
            budget_line_amount_change(line=line, amount=data["amount"], changed_by=request.user)
        return self._answer(budget)


router = SimpleRouter(trailing_slash=True)
router.register("budgets", BudgetViewSet, basename="funding-budget")

urlpatterns = router.urls
