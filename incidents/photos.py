"""Photos of a case: checked by decoding them, stored through Django's storage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from incidents.choices import PhotoPhase
from incidents.models import Attachment, Ticket
from personnel.models import User

CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# A photo wider or taller than this is refused before it is decoded (decompression bombs).
MAX_PIXELS = 80_000_000


class PhotoTooLarge(Exception):
    """A photo over ``PHOTO_MAX_BYTES`` (the API answers 413)."""

    def __init__(self, name: str, size: int) -> None:
        super().__init__(f"{name}: {size} bytes")
        self.name, self.size = name, size


@dataclass(frozen=True)
class Photo:
    """An uploaded photo with its phase (before or after handling)."""

    file: UploadedFile
    phase: str


@dataclass(frozen=True)
class CheckedPhoto:
    file: UploadedFile
    phase: str
    content_type: str
    width: int
    height: int


def photo_check(photo: Photo, *, field: str = "photos") -> CheckedPhoto:
    """Decode ``photo`` fully: only JPEG, PNG and WebP that decode are accepted."""
    if photo.phase not in PhotoPhase.values:
        raise ValidationError({"phase": _("A photo is taken before or after handling.")})
    size = photo.file.size or 0
    if size > settings.PHOTO_MAX_BYTES:
        raise PhotoTooLarge(photo.file.name or "", size)
    refused = ValidationError({field: _("Upload a JPEG, PNG or WebP photo.")})
    try:
        photo.file.seek(0)
        with Image.open(photo.file) as image:
            kind = image.format
            width, height = image.size
            if kind not in CONTENT_TYPES or width * height > MAX_PIXELS:
                raise refused
            image.load()  # a truncated or corrupt file fails here, not when shown
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise refused from None
    finally:
        photo.file.seek(0)
    return CheckedPhoto(photo.file, photo.phase, CONTENT_TYPES[kind], width, height)


def photos_check(photos: list[Photo]) -> list[CheckedPhoto]:
    """Check every photo before any is stored, so a bad one leaves nothing half-written."""
    if len(photos) > settings.PHOTO_MAX_COUNT:
        raise ValidationError(
            {
                "photos": _("At most %(count)d photos at a time.")
                % {"count": settings.PHOTO_MAX_COUNT}
            }
        )
    return [photo_check(photo) for photo in photos]


def photos_store(
    *, ticket: Ticket, photos: list[CheckedPhoto], uploaded_by: User | None, now: datetime
) -> list[Attachment]:
    """Store checked photos on ``ticket``. Call inside the transaction of the action they
    belong to; the files are written under names of our own."""
    stored = []
    for photo in photos:
        attachment = Attachment(
            ticket=ticket,
            phase=photo.phase,
            content_type=photo.content_type,
            size=photo.file.size or 0,
            width=photo.width,
            height=photo.height,
            uploaded_by=uploaded_by,
            uploaded_at=now,
        )
        attachment.file.save("photo", photo.file, save=False)
        attachment.save()
        stored.append(attachment)
    return stored
