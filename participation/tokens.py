"""Secrets handed to people who do not sign in (follow tokens, rating links) and to Open311
clients (API keys). Only a token's SHA-256 is stored: the token itself is random enough
that a keyed hash adds nothing, and a leaked table opens nothing."""

from __future__ import annotations

import hashlib
import secrets


def token_digest(token: str) -> str:
    """The stored form of ``token`` (64 hex characters)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(nbytes: int = 18) -> tuple[str, str]:
    """A new URL-safe token and its digest."""
    token = secrets.token_urlsafe(nbytes)
    return token, token_digest(token)
