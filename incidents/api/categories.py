"""The case catalogue over the API, read-only: categories with their SLA policies nested.

Every signed-in user reads the whole catalogue (a phone offers the categories when reporting,
a department reads the limits it is held to). Editing happens in the back office.
"""

from __future__ import annotations

import hashlib
import logging

import django_filters
from django.core.cache import cache
from django.utils.cache import get_conditional_response, patch_cache_control, quote_etag
from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from gridgov.api import BaseViewSet
from gridgov.api_policy import CursorPagination
from gridgov.filters import FilterSet
from gridgov.ratelimits import CACHE_UNREACHABLE
from incidents import selectors
from incidents.models import Category, SlaPolicy

logger = logging.getLogger(__name__)

# A page is kept under its ETag, which changes with the catalogue: an entry is never stale,
# only unused once the catalogue moves on, and then it expires.
PAGE_CACHE_SECONDS = 24 * 3600


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

    def list(self, request, *args, **kwargs):
        """Every phone reads the whole catalogue when it starts, and the catalogue changes a
        few times a year. So a page carries an ETag from the catalogue's stamp: a phone that
        sends it back in If-None-Match gets 304 and no body, and a page once built is served
        from the cache to every other caller until the catalogue changes."""
        key = f"{selectors.catalogue_stamp()} {request.build_absolute_uri()}"
        tag = quote_etag(hashlib.sha256(key.encode()).hexdigest()[:32])
        response = get_conditional_response(request._request, etag=tag)
        if response is None:
            data = _cache_get(f"catalogue:{tag}")
            if data is None:
                response = super().list(request, *args, **kwargs)
                data = {**response.data, "results": list(response.data["results"])}
                _cache_set(f"catalogue:{tag}", data)
            response = Response(data)
        response["ETag"] = tag
        patch_cache_control(response, private=True, no_cache=True)
        return response


def _cache_get(key: str) -> dict | None:
    try:
        return cache.get(key)
    except CACHE_UNREACHABLE as error:
        logger.warning("catalogue page not read from the cache: unreachable (%s)", error)
        return None


def _cache_set(key: str, data: dict) -> None:
    try:
        cache.set(key, data, PAGE_CACHE_SECONDS)
    except CACHE_UNREACHABLE as error:
        logger.warning("catalogue page not kept in the cache: unreachable (%s)", error)


router = SimpleRouter(trailing_slash=True)
router.register("categories", CategoryViewSet, basename="category")

urlpatterns = router.urls
