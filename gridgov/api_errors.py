"""One JSON error shape for the whole API: ``{"type", "errors": [{"code", "detail", "attr"}]}``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.fields import get_error_detail
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from gridgov.exceptions import StaleObjectError


class StaleVersion(exceptions.APIException):
    """The client's If-Match names a version that is no longer current."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("This object was changed by someone else. Reload it and try again.")
    default_code = "stale_version"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "payload_too_large"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = _("Send the If-Match header with the ETag of the version you edited.")
    default_code = "if_match_required"


def _flatten(detail: Any, attr: str | None, out: list[dict[str, Any]]) -> None:
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = None if key in ("non_field_errors", "__all__") else str(key)
            _flatten(value, f"{attr}.{name}" if attr and name else (name or attr), out)
    elif isinstance(detail, list):
        for index, item in enumerate(detail):
            nested = isinstance(item, dict | list)
            _flatten(item, f"{attr}.{index}" if nested and attr else attr, out)
    else:
        out.append(
            {
                "code": getattr(detail, "code", None) or "invalid",
                "detail": str(detail),
                "attr": attr,
            }
        )


def _as_drf_exception(exc: Exception) -> Exception:
    if isinstance(exc, DjangoValidationError):
        # get_error_detail keeps each message's code ("unique", "max_length", …).
        return exceptions.ValidationError(get_error_detail(exc))
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        # A service's refusal says which rule refused; keep its words.
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, StaleObjectError):
        return StaleVersion()
    if isinstance(exc, RequestDataTooBig):  # over DATA_UPLOAD_MAX_MEMORY_SIZE
        return PayloadTooLarge()
    return exc


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """One error shape everywhere: ``{"type", "errors": [{"code", "detail", "attr"}]}``."""
    exc = _as_drf_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    errors: list[dict[str, Any]] = []
    _flatten(
        exc.detail if isinstance(exc, exceptions.APIException) else response.data, None, errors
    )
    if isinstance(exc, exceptions.ValidationError):
        kind = "validation_error"
    else:
        kind = "server_error" if response.status_code >= 500 else "client_error"
    # An exception may carry more for the client (e.g. the actions a ticket allows now).
    response.data = {"type": kind, "errors": errors, **getattr(exc, "extra", {})}
    return response
