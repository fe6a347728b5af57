"""The API's error answers in the OpenAPI schema.

Every operation lists the error statuses it may answer besides its success, each with the
one error shape of gridgov/api_errors.py, so that clients (and the schema fuzz,
tests/gridgov/test_schema_fuzz.py) know them. Statuses an operation declares itself are kept.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import get_view_model
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS

from gridgov.api import BaseViewSet


class ErrorItemSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("A stable code (required, invalid, not_found, …)"))
    detail = serializers.CharField(help_text=_("The message, in the request's language"))
    attr = serializers.CharField(
        allow_null=True, help_text=_("The field the message is about (dotted), or null")
    )


class ErrorSerializer(serializers.Serializer):
    type = serializers.CharField(help_text=_("validation_error, client_error or server_error"))
    errors = ErrorItemSerializer(many=True)


ERRORS = {
    400: _("The request is invalid: each error names its field."),
    401: _("Not signed in, or the token has expired or been revoked."),
    403: _("Not allowed for your role."),
    404: _("Not found, or outside your scope."),
    409: _("In conflict with the object's state, or a retry still running."),
    412: _("The object changed since the version in If-Match."),
    413: _("The request body is too large."),
    415: _("The request body's media type is not accepted."),
    422: _("The Idempotency-Key was used with another request."),
    428: _("If-Match with the object's ETag is required."),
    429: _("Too many requests: wait and try again."),
}


def _versioned(view) -> bool:
    model = get_view_model(view, emit_warnings=False)
    return model is not None and any(field.name == "version" for field in model._meta.fields)


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's AutoSchema, adding the error statuses of each operation."""

    def _error_statuses(self) -> list[int]:
        view, method = self.view, self.method.upper()
        writes = method not in SAFE_METHODS
        detail = "{" in self.path
        statuses = {400}
        if view.authentication_classes:
            statuses |= {401, 403}
        if detail or self._get_paginator() is not None:
            statuses.add(404)  # an object out of reach, or a stale page cursor
        if writes:
            statuses |= {413, 415, 429}
        elif any(getattr(throttle, "scope", None) != "write" for throttle in view.throttle_classes):
            statuses.add(429)  # a read with a throttle of its own
        if isinstance(view, BaseViewSet):
            if method == "POST":
                statuses |= {409, 422}  # a retry still running, or a key reused elsewhere
            if writes and detail and _versioned(view):
                statuses |= {412, 428}  # If-Match: stale, or missing
        return sorted(statuses)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for status in self._error_statuses():
            if str(status) not in responses:
                responses[str(status)] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, ERRORS[status]), str(status)
                )
        return responses
