"""The shared API kernel: the base viewset with scoping, ETags and idempotency.

Every app's viewsets derive from :class:`BaseViewSet`; nothing here knows about any app.
"""

from __future__ import annotations

from typing import Any

from rest_framework import viewsets
from rest_framework.response import Response

from gridgov import idempotency
from gridgov.api_errors import PreconditionRequired, StaleVersion

# Query parameters that page or render a list rather than filter it.
NOT_FILTERS = frozenset({"cursor", "page", "page_size", "format"})


def etag_for(instance: Any) -> str | None:
    version = getattr(instance, "version", None)
    return None if version is None else f'"{instance.pk}-{version}"'


class BaseViewSet(viewsets.GenericViewSet):
    """Base for every API viewset.

    * ``selector`` (a ``selectors.py`` function taking ``user``) supplies the queryset, so every
      list and detail is scoped; objects outside it are 404.
    * Detail responses of versioned models carry an ETag; writes to them need ``If-Match``.
    * POSTs with an ``Idempotency-Key`` header are replayed instead of repeated.
    """

    selector = None
    if_match_actions = ("update", "partial_update", "destroy")

    def get_queryset(self):
        if self.selector is None:
            return super().get_queryset()
        # DRF asks twice per request (the permission check, then the view): build it once.
        # ``.all()`` hands out a fresh copy, so no caller sees another's evaluated rows.
        if getattr(self, "_selected", None) is None:
            self._selected = self.select()
        return self._selected.all()

    def select(self):
        """This request's queryset from the selector; a viewset may give the selector more
        (the ticket list passes the rows it reads)."""
        return type(self).selector(user=self.request.user)

    def filter_queryset(self, queryset):
        # With nothing to filter by, a FilterSet and its form would change nothing, yet
        # building them cost more than the rest of a page of the ticket list.
        if not self.request.query_params.keys() - NOT_FILTERS:
            return queryset
        return super().filter_queryset(queryset)

    def expected_version(self, instance: Any) -> int:
        """The version the client edited, from If-Match; 428 if missing, 412 if stale."""
        header = self.request.headers.get("If-Match")
        if not header:
            raise PreconditionRequired()
        current = etag_for(instance)
        offered = [tag.strip().removeprefix("W/") for tag in header.split(",")]
        if "*" in offered or current in offered:
            return instance.version
        raise StaleVersion()

    def check_object_permissions(self, request, obj) -> None:
        super().check_object_permissions(request, obj)
        if self.action in self.if_match_actions and etag_for(obj) is not None:
            self._expected_version = self.expected_version(obj)

    def initial(self, request, *args, **kwargs) -> None:
        self._idempotency_record = None
        key = request.headers.get(idempotency.HEADER)
        fingerprint = None
        if request.method == "POST" and key is not None:
            # Read the body before authentication: the CSRF check of a session may parse a
            # multipart body, after which its raw bytes can no longer be read.
            fingerprint = idempotency.request_fingerprint(
                method=request.method, path=request.get_full_path(), body=request._request.body
            )
        super().initial(request, *args, **kwargs)
        if fingerprint is not None and request.user.is_authenticated:
            claim = idempotency.idempotency_claim(
                user=request.user, key=key, fingerprint=fingerprint
            )
            if claim.replay is not None:
                raise _Replay(claim.replay)
            self._idempotency_record = claim.record

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, _Replay):
            return exc.response
        try:
            return super().handle_exception(exc)
        except Exception:
            record = getattr(self, "_idempotency_record", None)
            if record is not None:
                idempotency.idempotency_release(record=record)
            raise

    def finalize_response(self, request, response, *args, **kwargs):
        # The ETag first: it is one of the headers the idempotency record keeps for replays.
        instance = getattr(self, "_etag_instance", None)
        tag = etag_for(instance) if instance is not None else None  # None: not versioned
        if (
            tag is not None
            and getattr(response, "data", None) is not None
            and response.status_code < 300
            and not response.has_header("ETag")
        ):
            response["ETag"] = tag
        record = getattr(self, "_idempotency_record", None)
        if record is not None:
            if isinstance(response, Response):
                idempotency.idempotency_complete(record=record, response=response)
            else:
                idempotency.idempotency_release(record=record)
        return super().finalize_response(request, response, *args, **kwargs)

    def get_object(self):
        instance = super().get_object()
        self._etag_instance = instance
        return instance


class _Replay(Exception):
    def __init__(self, response: Response) -> None:
        super().__init__("idempotent replay")
        self.response = response
