"""Residents' personal data: the keyed hash of ID numbers, and masking of names and phones.

An ID number is normalised, checked (GB 11643: 17 digits and a check character) and kept
only as HMAC-SHA256 under ``settings.RESIDENT_ID_HASH_KEY`` (or a key derived from
SECRET_KEY): a number can be matched against the register, never read back from it.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext_lazy as _

from personnel.selectors import mask_phone

__all__ = [
    "id_check_character",
    "id_number_hash",
    "mask_name",
    "mask_phone",
    "normalise_id_number",
]

_ID_PATTERN = re.compile(r"^[0-9]{17}[0-9X]$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def id_check_character(first17: str) -> str:
    """The check character (GB 11643, ISO 7064 MOD 11-2) of the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def normalise_id_number(value: str) -> str:
    """The 18-character resident ID number in ``value`` (spaces dropped, ``x`` upper-cased);
    ValidationError unless it is well formed with a correct check character."""
    number = "".join(str(value).split()).upper()
    if not _ID_PATTERN.match(number):
        raise ValidationError(
            _("An ID number has 17 digits and a check digit or X."), code="id_number_format"
        )
    if id_check_character(number[:17]) != number[-1]:
        raise ValidationError(_("This ID number's check digit is wrong."), code="id_number_check")
    return number


def _key() -> bytes:
    if settings.RESIDENT_ID_HASH_KEY:
        return settings.RESIDENT_ID_HASH_KEY.encode()
    if not settings.SECRET_KEY:
        raise ImproperlyConfigured("Set RESIDENT_ID_HASH_KEY (or SECRET_KEY) to hash ID numbers.")
    label = b"gridgov.participation.resident-id-number"
    return hmac.new(settings.SECRET_KEY.encode(), label, hashlib.sha256).digest()


def id_number_hash(value: str) -> str:
    """The keyed hash (64 hex characters) of a valid ID number; ValidationError otherwise."""
    number = normalise_id_number(value)
    return hmac.new(_key(), number.encode(), hashlib.sha256).hexdigest()


def mask_name(name: str) -> str:
    """``张三丰`` → ``张**``: the family name only."""
    return f"{name[:1]}{'*' * max(len(name) - 1, 1)}" if name else ""
