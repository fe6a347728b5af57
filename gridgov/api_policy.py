"""API defaults named in settings.REST_FRAMEWORK: pagination, permissions, throttling.

Kept apart from gridgov.api because DRF imports these while rest_framework.views is still
being imported.
"""

from __future__ import annotations

from rest_framework import pagination, permissions, throttling

UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


class CursorPagination(pagination.CursorPagination):
    """Stable, count-free pagination: fast on tables with millions of rows."""

    ordering = "-pk"
    page_size_query_param = "page_size"
    max_page_size = 500


class ScopedModelPermissions(permissions.DjangoModelPermissions):
    """Signed-in users read (the selectors decide what); writes need the model permission."""


class WriteRateThrottle(throttling.UserRateThrottle):
    """Throttles writes per user (or per IP when anonymous); reads are not throttled."""

    scope = "write"

    def allow_request(self, request, view) -> bool:
        if request.method not in UNSAFE_METHODS:
            return True
        return super().allow_request(request, view)
