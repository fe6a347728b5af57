"""Abstract base models shared by every app, and the idempotency-key store of the API."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Creation and last-change times, stored in UTC."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(TimeStampedModel):
    """A row edited through the API with optimistic locking.

    ``version`` is the ETag of the detail response; services update with a compare-and-swap
    on it (``filter(pk=..., version=seen).update(version=seen + 1, ...)``) so that a client
    holding a stale copy gets 412 instead of silently overwriting someone else's change.
    """

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True


class IdempotencyRecord(models.Model):
    """The first response to a POST carrying an ``Idempotency-Key`` header.

    Phones on bad networks retry writes; the same user, key and request body get the stored
    response back instead of a second write. A row is ``pending`` while the first request is
    still being processed, so a concurrent retry is told 409 rather than running twice.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        DONE = "done", _("done")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    response_headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_user_key"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
