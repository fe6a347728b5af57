"""Shared pieces of the participation API viewsets."""

from __future__ import annotations

READ_AND_EDIT = ["get", "post", "put", "patch", "head", "options"]
READ_AND_ACT = ["get", "post", "head", "options"]


class ServiceWritesMixin:
    """Create and update through the app's services, then read the row back through the
    viewset's selector, so the response shows it as the caller may see it:
    ``create_service(created_by=user, **data)`` and
    ``update_service(<update_kwarg>=row, by=user, expected_version=..., **data)``.
    ``update_serializer_class`` serves PUT and PATCH (fields fixed at creation left out)."""

    create_service = None
    update_service = None
    update_kwarg = ""
    update_serializer_class = None

    def get_serializer_class(self):
        if self.action in ("update", "partial_update") and self.update_serializer_class:
            return self.update_serializer_class
        return super().get_serializer_class()

    def _read_back(self, serializer, row) -> None:
        serializer.instance = self._etag_instance = self.get_queryset().get(pk=row.pk)

    def perform_create(self, serializer) -> None:
        row = type(self).create_service(created_by=self.request.user, **serializer.validated_data)
        self._read_back(serializer, row)

    def perform_update(self, serializer) -> None:
        row = type(self).update_service(
            **{self.update_kwarg: serializer.instance},
            by=self.request.user,
            expected_version=self._expected_version,
            **serializer.validated_data,
        )
        self._read_back(serializer, row)
