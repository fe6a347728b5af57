"""API authentication by per-device token (``Authorization: Token <token>``)."""

from __future__ import annotations

import binascii
from datetime import timedelta
from hmac import compare_digest

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS, knox_settings
from knox.signals import token_expired
from rest_framework import exceptions

from personnel.selectors import device_tokens_with_key

LAST_USED_RESOLUTION = timedelta(minutes=5)


class DeviceTokenAuthentication(TokenAuthentication):
    """django-rest-knox's token check (hashed, expiring, one row per device), which also
    records when a device was last seen, at most once per few minutes to spare writes."""

    def authenticate_credentials(self, token: bytes):
        """knox's check of a presented token, with two differences. The rows come from
        ``device_tokens_with_key`` (one prepared statement, not a queryset built for every
        request). A token that is not UTF-8 is refused (401) rather than left to knox's
        decoding error, which answered 500."""
        refused = exceptions.AuthenticationFailed(_("Invalid token."))
        try:
            text = token.decode()
        except UnicodeDecodeError:
            raise refused from None
        for auth_token in device_tokens_with_key(text[: CONSTANTS.TOKEN_KEY_LENGTH]):
            if self._cleanup_token(auth_token):
                continue
            try:
                digest = hash_token(text)
            except (TypeError, binascii.Error):
                raise refused from None
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                return self.validate_user(auth_token)
        raise refused

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
