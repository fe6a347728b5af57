"""Signing in from a phone: issuing and revoking per-device tokens.

django-rest-knox keeps only a hash of each token; the plain token exists once, in the answer
to the sign-in, and is never stored or logged.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from personnel.models import DeviceToken, User

logger = logging.getLogger("gridgov.auth")


@transaction.atomic
def device_token_issue(*, user: User, device: str) -> tuple[DeviceToken, str]:
    """Issue a token for one of ``user``'s devices, expiring after knox's ``TOKEN_TTL``.

    Returns the stored row and the plain token, which the caller hands to the device once.
    The user's expired tokens are removed on the way (authentication only refuses them).
    """
    device = device.strip()
    # Validate what the caller chose; the digest and key are knox's, made in create().
    DeviceToken(user=user, device=device).full_clean(exclude=["digest", "token_key"])
    DeviceToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    token, secret = DeviceToken.objects.create(user=user, device=device)
    logger.info("device token issued: user=%r device=%r", user.get_username(), device)
    return token, secret


@transaction.atomic
def device_token_revoke(*, token: DeviceToken, revoked_by: User) -> bool:
    """Revoke ``token`` (its device must sign in again). Revoking twice is harmless: returns
    whether this call removed it."""
    removed, _ = DeviceToken.objects.filter(pk=token.pk).delete()
    if removed:
        logger.info(
            "device token revoked: user=%r device=%r by=%r",
            token.user.get_username(),
            token.device,
            revoked_by.get_username(),
        )
    return bool(removed)
