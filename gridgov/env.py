"""Strict, file-aware reading of environment variables for settings.py.

django-environ quietly turns a misspelt boolean into False and lets an unknown database
scheme through; a misconfigured production box should refuse to start instead, naming the
variable. Every secret can also come from ``NAME_FILE`` (Docker and Kubernetes secrets).
"""

from __future__ import annotations

import re
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_DATABASE_SCHEMES = ("postgres", "postgresql", "pgsql", "psql", "sqlite")
_BROKER_SCHEMES = ("redis", "rediss", "filesystem", "memory", "amqp", "pyamqp")

_UNSET = object()
# A request rate as django-ratelimit reads it: a count per period, the period optionally
# with a multiplier (5/10m: five per ten minutes); s, m, h or d.
_RATE = re.compile(r"^[1-9][0-9]*/(?:[1-9][0-9]*)?[smhd]$")


def require_secret_key() -> None:
    """Refuse to serve without a secret key, at start-up rather than on the first request."""
    from django.conf import settings

    if not settings.SECRET_KEY:  # Django itself raises ImproperlyConfigured when it is empty
        raise ImproperlyConfigured("Set the SECRET_KEY environment variable (or SECRET_KEY_FILE).")


class StrictEnv(environ.FileAwareEnv):
    """Environment reader that raises ImproperlyConfigured naming the variable."""

    def _raw(self, name: str, default: Any) -> Any:
        try:
            return self.str(name) if default is _UNSET else self.str(name, default=default)
        except ImproperlyConfigured:
            raise ImproperlyConfigured(f"Set the {name} environment variable.") from None

    def strict_bool(self, name: str, default: bool) -> bool:
        value = self._raw(name, "1" if default else "0").strip().lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off.")

    def strict_int(self, name: str, default: int, *, minimum: int = 0) -> int:
        value = self._raw(name, str(default)).strip()
        try:
            number = int(value)
        except ValueError:
            raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
        if number < minimum:
            raise ImproperlyConfigured(f"{name} must be at least {minimum}.")
        return number

    def strict_url(self, name: str, default: str, *, schemes: tuple[str, ...]) -> str:
        value = self._raw(name, default).strip()
        scheme = value.split("://", 1)[0] if "://" in value else ""
        if scheme not in schemes:
            allowed = ", ".join(schemes)
            raise ImproperlyConfigured(f"{name} must be a URL with one of the schemes {allowed}.")
        return value

    def database(self, name: str, default: str) -> dict[str, Any]:
        url = self.strict_url(name, default, schemes=_DATABASE_SCHEMES)
        try:
            return self.db_url_config(url)
        except Exception as exc:  # django-environ raises assorted errors on malformed URLs
            raise ImproperlyConfigured(f"{name} is not a valid database URL: {exc}") from None

    def broker(self, name: str, default: str) -> str:
        return self.strict_url(name, default, schemes=_BROKER_SCHEMES)

    def strict_rate(self, name: str, default: str) -> str:
        value = self._raw(name, default).strip()
        if not _RATE.match(value):
            raise ImproperlyConfigured(
                f"{name} must be a rate like 5/10m (a count per s, m, h or d), not {value!r}."
            )
        return value

    def csv(self, name: str, default: str) -> list[str]:
        return [item.strip() for item in self._raw(name, default).split(",") if item.strip()]
