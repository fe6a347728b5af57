"""Receipts and vouchers of expenditure requests: PDFs and images, checked by their content
(never by the name or the type the client claims) and stored under names of our own.
A receipt can be added at any time before or after payment, but not to a request that was
rejected or withdrawn."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from funding.choices import ExpenditureStatus
from funding.models import ExpenditureRequest, Receipt
from funding.services.budgets import books_check
from personnel.models import User

MAX_BYTES = 10 * 1024 * 1024
# An image wider or taller than this is refused before it is decoded (decompression bombs).
MAX_PIXELS = 80_000_000
# A PDF ends with %%EOF, possibly followed by a little whitespace or an incremental update's
# trailer: look for it in the last kilobyte, as PDF readers do.
PDF_TAIL = 1024
IMAGE_TYPES = {
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "WEBP": ("image/webp", ".webp"),
}
PDF_TYPE = ("application/pdf", ".pdf")


class ReceiptTooLarge(Exception):
    """A file over ``MAX_BYTES`` (the API answers 413)."""

    def __init__(self, name: str, size: int) -> None:
        super().__init__(f"{name}: {size} bytes")
        self.name, self.size = name, size


def _is_pdf(file: UploadedFile, size: int) -> bool:
    file.seek(0)
    if file.read(5) != b"%PDF-":
        return False
    file.seek(max(0, size - PDF_TAIL))
    return b"%%EOF" in file.read()


def _image_kind(file: UploadedFile) -> str | None:
    """The image's format if it decodes fully as JPEG, PNG or WebP."""
    file.seek(0)
    try:
        with Image.open(file) as image:
            kind = image.format
            width, height = image.size
            if kind not in IMAGE_TYPES or width * height > MAX_PIXELS:
                return None
            image.load()  # a truncated or corrupt file fails here
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    return kind


def receipt_check(file: UploadedFile) -> tuple[str, str]:
    """The content type and file extension of an acceptable receipt; refuses anything but
    a PDF or a JPEG, PNG or WebP image that decodes."""
    size = file.size or 0
    if size > MAX_BYTES:
        raise ReceiptTooLarge(file.name or "", size)
    try:
        if size and _is_pdf(file, size):
            return PDF_TYPE
        kind = _image_kind(file)
    finally:
        file.seek(0)
    if kind is None:
        raise ValidationError({"file": _("Upload a PDF, or a JPEG, PNG or WebP image.")})
    return IMAGE_TYPES[kind]


@transaction.atomic
def receipt_add(*, request: ExpenditureRequest, file: UploadedFile, uploaded_by: User) -> Receipt:
    """Check ``file`` and keep it as a receipt of ``request``."""
    books_check(user=uploaded_by, row=request.budget_line.budget)
    if request.status in (ExpenditureStatus.REJECTED, ExpenditureStatus.WITHDRAWN):
        raise ValidationError({"file": _("A rejected or withdrawn request takes no receipts.")})
    content_type, extension = receipt_check(file)
    receipt = Receipt(
        request=request,
        stored_name=f"{uuid.uuid4().hex}{extension}",
        content_type=content_type,
        size=file.size or 0,
        uploaded_by=uploaded_by,
    )
    receipt.file.save(receipt.stored_name, file, save=False)
    receipt.save()
    return receipt
