"""The case catalogue over the API, read-only: categories with their SLA policies nested.

Every signed-in user reads the whole catalogue (a phone offers the categories when reporting,
a department reads the limits it is held to). Editing happens in the back office.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers
from rest_framework.routers import SimpleRouter

from gridgov.api import BaseViewSet
from gridgov.api_policy import CursorPagination
from gridgov.filters import FilterSet
from incidents import selectors
from incidents.models import Category, SlaPolicy


class SlaPolicySerializer(serializers.ModelSerializer):
    class Meta:
        model = SlaPolicy
        fields = ("id", "priority", "stage", "amount", "unit", "updated_at")
        read_only_fields = fields


class CategorySerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", read_only=True, allow_null=True)
    lead_department_name = serializers.CharField(
        source="lead_department.name", read_only=True, allow_null=True
    )
    is_major = serializers.BooleanField(read_only=True)
    policies = SlaPolicySerializer(many=True, read_only=True)

    class Meta:
        model = Category
        fields = (
            "id",
            "code",
            "kind",
            "parent",
            "parent_code",
            "is_major",
            "name",
            "name_en",
            "default_priority",
            "lead_department",
            "lead_department_name",
            "filing_criteria",
            "closing_criteria",
            "active",
            "policies",
        )
        read_only_fields = fields


class CategoryFilterSet(FilterSet):
    major = django_filters.BooleanFilter(
        field_name="parent",
        lookup_expr="isnull",
        label=_("Major classes only (true) or minor classes only (false)"),
    )

    class Meta:
        model = Category
        fields = ("kind", "parent", "major", "active", "code")


class CodeOrderPagination(CursorPagination):
    """The catalogue in code order: a major class, then its minor classes (codes never
    change once saved, as cursor ordering needs)."""

    ordering = "code"


class CategoryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Event and component categories (major and minor classes), each with its time limits
    per priority and stage."""

    serializer_class = CategorySerializer
    filterset_class = CategoryFilterSet
    pagination_class = CodeOrderPagination

    def get_queryset(self):
        return selectors.category_list(user=self.request.user, with_policies=True)


router = SimpleRouter(trailing_slash=True)
router.register("categories", CategoryViewSet, basename="category")

urlpatterns = router.urls
