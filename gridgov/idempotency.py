"""Idempotency-Key handling for API POSTs (see ARCHITECTURE.md, REST API).

Same user, key and body: the first response is replayed. Same key, other body: 422.
A second request while the first is still running: 409. Keys live IDEMPOTENCY_TTL.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from gridgov.models import IdempotencyRecord
from gridgov.prepared import fetch_all

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
REPLAYED_HEADER = "Idempotent-Replayed"
_REPLAYED_RESPONSE_HEADERS = ("Location", "ETag")


class IdempotencyKeyInvalid(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("The Idempotency-Key header must be 1 to 255 printable characters.")
    default_code = "idempotency_key_invalid"


class IdempotencyKeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("This Idempotency-Key was already used with a different request.")
    default_code = "idempotency_key_reused"


class IdempotencyKeyInProgress(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("A request with this Idempotency-Key is still being processed.")
    default_code = "idempotency_key_in_progress"


@dataclass(frozen=True)
class Claim:
    """Either a fresh claim on a key (record set) or a stored response to replay."""

    record: IdempotencyRecord | None = None
    replay: Response | None = None


def request_fingerprint(*, method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


_CLAIM_COLUMNS = ("user", "key", "fingerprint", "state", "response_headers", "created_at")


@functools.cache
def _claim_sql(vendor: str) -> str:
    """Inserts a pending claim unless the user already holds the key; returns its id."""
    table = IdempotencyRecord._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(table.get_field(name).column) for name in _CLAIM_COLUMNS)
    conflict = ", ".join(quote(table.get_field(name).column) for name in ("user", "key"))
    marks = ", ".join(["%s"] * len(_CLAIM_COLUMNS))
    return (
        f"INSERT INTO {quote(table.db_table)} ({columns}) VALUES ({marks}) "  # noqa: S608 - names
        f"ON CONFLICT ({conflict}) DO NOTHING RETURNING {quote(table.pk.column)}"
    )


@functools.cache
def _complete_sql(vendor: str) -> str:
    """Stores a response on a pending claim. The body and headers are passed as JSON text,
    encoded once with DRF's encoder as the response itself was."""
    table = IdempotencyRecord._meta
    quote = connection.ops.quote_name
    assignments = ", ".join(
        f"{quote(table.get_field(name).column)} = %s"
        for name in ("state", "status_code", "response_body", "response_headers")
    )
    pk = quote(table.pk.column)
    table_name = quote(table.db_table)
    return f"UPDATE {table_name} SET {assignments} WHERE {pk} = %s RETURNING {pk}"  # noqa: S608


def _record_insert(*, user, key: str, fingerprint: str) -> IdempotencyRecord | None:
    """The new claim on ``key``, or None when a record of it already exists.

    One statement that cannot fail on the key (ON CONFLICT DO NOTHING, on PostgreSQL and
    SQLite alike), prepared once per session: no transaction or savepoint around it, and
    nothing to roll back when the key is taken. ``created_at`` is set here, as no ``save()``
    runs to fill it."""
    record = IdempotencyRecord(
        user=user, key=key, fingerprint=fingerprint, created_at=timezone.now()
    )
    values = [
        field.get_db_prep_save(getattr(record, field.attname), connection)
        for field in map(IdempotencyRecord._meta.get_field, _CLAIM_COLUMNS)
    ]
    rows = fetch_all("gridgov_idempotency_claim", _claim_sql(connection.vendor), values)
    if not rows:
        return None
    record.pk = rows[0][0]
    record._state.adding = False
    return record


def idempotency_claim(*, user, key: str, fingerprint: str) -> Claim:
    """Claim ``key`` for this request, or return what an earlier request with it answered.

    A key older than IDEMPOTENCY_TTL is free again. It is looked for only when the claim
    collides, so a first use (nearly every request) costs one INSERT."""
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise IdempotencyKeyInvalid()
    record = _record_insert(user=user, key=key, fingerprint=fingerprint)
    if record is not None:
        return Claim(record=record)
    cutoff = timezone.now() - settings.IDEMPOTENCY_TTL
    if IdempotencyRecord.objects.filter(user=user, key=key, created_at__lt=cutoff).delete()[0]:
        record = _record_insert(user=user, key=key, fingerprint=fingerprint)
        if record is not None:
            return Claim(record=record)
    existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if existing is None:  # the holder failed and released the key in between: let it retry
        raise IdempotencyKeyInProgress()
    if existing.fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    if existing.state == IdempotencyRecord.State.PENDING:
        raise IdempotencyKeyInProgress()
    response = Response(existing.response_body, status=existing.status_code)
    for name, value in existing.response_headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return Claim(replay=response)


def idempotency_complete(*, record: IdempotencyRecord, response: Response) -> None:
    """Store the response for replay; release the key when the request failed on our side."""
    if response.status_code >= 500 or response.status_code in (409, 412, 428, 429):
        # Worth retrying with the same key: do not pin a transient answer to it.
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        return
    body = None if response.data is None else json.dumps(response.data, cls=JSONEncoder)
    headers = {
        name: response[name] for name in _REPLAYED_RESPONSE_HEADERS if response.has_header(name)
    }
    fetch_all(
        "gridgov_idempotency_complete",
        _complete_sql(connection.vendor),
        [IdempotencyRecord.State.DONE, response.status_code, body, json.dumps(headers), record.pk],
    )


def idempotency_release(*, record: IdempotencyRecord) -> None:
    IdempotencyRecord.objects.filter(pk=record.pk, state=IdempotencyRecord.State.PENDING).delete()


def idempotency_purge_expired() -> int:
    """Delete keys older than IDEMPOTENCY_TTL; returns how many went."""
    cutoff = timezone.now() - settings.IDEMPOTENCY_TTL
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
