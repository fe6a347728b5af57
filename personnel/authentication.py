"""API authentication by per-device token (``Authorization: Token <token>``)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication
from knox.signals import token_expired

LAST_USED_RESOLUTION = timedelta(minutes=5)


class DeviceTokenAuthentication(TokenAuthentication):
    """django-rest-knox's token check (hashed, expiring, one row per device), which also
    records when a device was last seen, at most once per few minutes to spare writes."""

    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            type(token).objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return user, token

    def _cleanup_token(self, auth_token) -> bool:
        """Refuse and remove the presented token if it has expired. knox also sweeps the
        user's other expired tokens here, which costs a query and a row per device on every
        request; GridGov sweeps them when the user signs in again (device_token_issue)."""
        if auth_token.expiry is None or auth_token.expiry >= timezone.now():
            return False
        auth_token.delete()
        username = auth_token.user.get_username()
        token_expired.send(sender=type(self), username=username, source="auth_token")
        return True


class DeviceTokenScheme(OpenApiAuthenticationExtension):
    """Describes the device token in the OpenAPI schema (``Authorization: Token <token>``)."""

    target_class = "personnel.authentication.DeviceTokenAuthentication"
    name = "deviceToken"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=self.target.authenticate_header(None)
        )
