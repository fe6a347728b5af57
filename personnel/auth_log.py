"""The sign-in log: every success, failure and sign-out, from the browser, the admin and the
phone, on logger ``gridgov.auth`` with the username, the client address and the time.

Only the username leaves the credentials: Django masks the password before it signals a
failure, and nothing here reads the request body or its headers (where tokens travel).
django-axes keeps its own rows of the same events (AccessLog, AccessFailureLog).
"""

from __future__ import annotations

import logging

from axes.helpers import get_client_ip_address
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.utils import timezone

logger = logging.getLogger("gridgov.auth")

# Typed usernames can be anything (a password typed into the wrong box, a megabyte): cut them.
MAX_LOGGED_USERNAME = 150


def _client_ip(request) -> str:
    if request is None:
        return "-"
    # The address axes locks out (it honours TRUSTED_PROXY_COUNT), so log and lockout agree.
    address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    return address or "-"


def _now() -> str:
    return timezone.now().isoformat(timespec="seconds")


def _log_success(sender, request, user, **kwargs) -> None:
    logger.info(
        "sign-in succeeded: user=%r ip=%s at=%s",
        user.get_username(),
        _client_ip(request),
        _now(),
    )


def _log_failure(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username") or "")[:MAX_LOGGED_USERNAME]
    # axes' receiver runs first (its app is installed before ours) and flags a lockout.
    locked = bool(getattr(request, "axes_locked_out", False))
    logger.warning(
        "sign-in failed: user=%r ip=%s at=%s%s",
        username,
        _client_ip(request),
        _now(),
        " (locked out)" if locked else "",
    )


def _log_sign_out(sender, request, user, **kwargs) -> None:
    logger.info(
        "signed out: user=%r ip=%s at=%s",
        user.get_username() if user is not None else "",
        _client_ip(request),
        _now(),
    )


def connect_login_logging() -> None:
    """Connect the receivers that log every sign-in success and failure, and sign-outs."""
    user_logged_in.connect(_log_success, dispatch_uid="gridgov-auth-log-success")
    user_login_failed.connect(_log_failure, dispatch_uid="gridgov-auth-log-failure")
    user_logged_out.connect(_log_sign_out, dispatch_uid="gridgov-auth-log-sign-out")
