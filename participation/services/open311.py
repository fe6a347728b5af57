"""Open311 API keys: made, checked and withdrawn. A key is shown once, when it is made;
only its SHA-256 is kept, with its first characters to tell keys apart."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from participation.models import Open311Key
from participation.tokens import token_digest

KEY_BYTES = 24
PREFIX_LENGTH = 8


@transaction.atomic
def open311_key_create(*, name: str) -> tuple[Open311Key, str]:
    """A new active key for the client application ``name``; returns it with the key."""
    name = name.strip()
    if Open311Key.objects.filter(name=name).exists():
        raise ValidationError({"name": _("A key with this name exists already.")})
    plain = secrets.token_urlsafe(KEY_BYTES)
    key = Open311Key(name=name, prefix=plain[:PREFIX_LENGTH], key_hash=token_digest(plain))
    key.full_clean()
    key.save()
    return key, plain


@transaction.atomic
def open311_key_deactivate(*, key: Open311Key) -> bool:
    """Withdraw ``key``; whether it was active until now."""
    return bool(Open311Key.objects.filter(pk=key.pk, active=True).update(active=False))


def open311_key_check(plain: str) -> Open311Key | None:
    """The active key ``plain`` is, or None; its last use is recorded."""
    key = Open311Key.objects.filter(key_hash=token_digest(plain), active=True).first()
    if key is not None:
        Open311Key.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key
