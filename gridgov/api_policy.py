"""API defaults named in settings.REST_FRAMEWORK: pagination, permissions, throttling.

Kept apart from gridgov.api because DRF imports these while rest_framework.views is still
being imported.
"""

from __future__ import annotations

import logging

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, pagination, parsers, permissions, throttling

from gridgov.ratelimits import CACHE_UNREACHABLE

logger = logging.getLogger(__name__)

UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


class CursorPagination(pagination.CursorPagination):
    """Stable, count-free pagination: fast on tables with millions of rows."""

    ordering = "-pk"
    page_size_query_param = "page_size"
    max_page_size = 500


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, except that a document nested deeper than Python's decoder can go
    (``[[[[…``) is a 400 like any other malformed JSON instead of a RecursionError (500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(
                _("JSON parse error - the document is nested too deeply.")
            ) from None


class ScopedModelPermissions(permissions.DjangoModelPermissions):
    """Signed-in users read (the selectors decide what); writes need the model permission.

    DRF reads only the model from the view's queryset. A viewset that names its
    ``permission_model`` is spared building its scoped queryset on requests that never
    read it: a report, whose scope filter cost more than the permission check itself."""

    def _queryset(self, view):
        model = getattr(view, "permission_model", None)
        return super()._queryset(view) if model is None else model._default_manager.none()


class FailOpenThrottleMixin:
    """A throttle that lets requests through while its cache (Redis) cannot be reached.

    The counts are a guard against floods, not part of any record: a Redis restart must
    not turn every report from the field into a 500 while the database is up.
    """

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except CACHE_UNREACHABLE as error:
            logger.warning("%s throttle not applied: cache unreachable (%s)", self.scope, error)
            return True


class WriteRateThrottle(FailOpenThrottleMixin, throttling.UserRateThrottle):
    """Throttles writes per user (or per IP when anonymous); reads are not throttled."""

    scope = "write"

    def allow_request(self, request, view) -> bool:
        if request.method not in UNSAFE_METHODS:
            return True
        return super().allow_request(request, view)
