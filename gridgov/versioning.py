"""Saving rows of versioned models (``gridgov.models.VersionedModel``) without lost updates."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import F
from django.utils import timezone

from gridgov.exceptions import StaleObjectError
from gridgov.models import VersionedModel

V = TypeVar("V", bound=VersionedModel)


def save_versioned(instance: V, *, expected_version: int | None) -> V:
    """Compare-and-swap save of an existing versioned row; raises StaleObjectError."""
    model = type(instance)
    seen = instance.version if expected_version is None else expected_version
    values = {
        f.attname: getattr(instance, f.attname)
        for f in model._meta.concrete_fields
        if not f.primary_key and f.attname not in ("version", "created_at")
    }
    values["updated_at"] = timezone.now()
    changed = model.objects.filter(pk=instance.pk, version=seen).update(
        version=F("version") + 1, **values
    )
    if not changed:
        raise StaleObjectError(f"{model.__name__} {instance.pk} changed since version {seen}")
    instance.version = seen + 1
    instance.updated_at = values["updated_at"]
    return instance
