"""Phone sign-in: a per-device token for a username and password, signing out, and the list
of the caller's signed-in devices.

The same django-axes lockout as the browser applies: ``authenticate`` runs with the Django
request, so axes counts each failure per username and address and refuses a locked pair.
"""

from __future__ import annotations

import math
import unicodedata
from datetime import timedelta

from axes.helpers import get_client_ip_address, get_cool_off
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models import Q, QuerySet
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from gridgov.api import BaseViewSet
from gridgov.api_policy import CursorPagination, FailOpenThrottleMixin
from personnel.models import DeviceToken
from personnel.services.auth import device_token_issue, device_token_revoke

# A token's public id: the start of knox's digest (a SHA-512 of the token). 64 bits tell a
# user's devices apart, and unlike knox's token_key it gives away nothing of the token.
TOKEN_ID_LENGTH = 16


def device_token_list(*, user) -> QuerySet[DeviceToken]:
    """The user's own tokens still in force (knox deletes expired ones only lazily)."""
    if not user.is_authenticated:
        return DeviceToken.objects.none()
    now = timezone.now()
    return DeviceToken.objects.select_related("user").filter(
        Q(expiry__isnull=True) | Q(expiry__gt=now), user=user
    )


class LoginRateThrottle(FailOpenThrottleMixin, AnonRateThrottle):
    """Sign-in attempts per client address, at the rate named "login" in the settings
    (not applied while Redis is unreachable: django-axes, in the database, still locks out)."""

    scope = "login"

    def get_ident(self, request) -> str:
        # The address axes locks out (it honours TRUSTED_PROXY_COUNT), not DRF's reading of
        # X-Forwarded-For, which a client could change on every attempt.
        return get_client_ip_address(request._request) or super().get_ident(request)


class LockedOut(exceptions.APIException):
    """Too many failed sign-ins for this username from this address (django-axes)."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"

    def __init__(self, cool_off: timedelta) -> None:
        minutes = max(1, math.ceil(cool_off.total_seconds() / 60))
        # DRF's exception handler turns ``wait`` into a Retry-After header.
        self.wait = int(cool_off.total_seconds())
        super().__init__(
            ngettext(
                "Too many failed sign-in attempts: signing in with this username from this "
                "address is locked for %(minutes)d minute. Try again later.",
                "Too many failed sign-in attempts: signing in with this username from this "
                "address is locked for %(minutes)d minutes. Try again later.",
                minutes,
            )
            % {"minutes": minutes}
        )


class TokenRequired(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "token_required"
    default_detail = _("Sign out here with the device token you signed in with.")


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        max_length=4096, trim_whitespace=False, write_only=True, style={"input_type": "password"}
    )
    device = serializers.CharField(
        max_length=100, help_text=_("A name for this device, shown in the list of devices.")
    )

    def validate_username(self, value: str) -> str:
        # As the browser's sign-in form does, and as usernames are stored.
        return unicodedata.normalize("NFKC", value)


class DeviceTokenSerializer(serializers.ModelSerializer):
    id = serializers.SerializerMethodField()
    current = serializers.SerializerMethodField(
        help_text=_("Whether this is the token of the request.")
    )

    class Meta:
        model = DeviceToken
        fields = ("id", "device", "created", "expiry", "last_used_at", "current")
        read_only_fields = fields

    def get_id(self, token: DeviceToken) -> str:
        return token.digest[:TOKEN_ID_LENGTH]

    def get_current(self, token: DeviceToken) -> bool:
        request = self.context.get("request")
        return token.pk == getattr(getattr(request, "auth", None), "pk", None)


class IssuedTokenSerializer(DeviceTokenSerializer):
    token = serializers.CharField(
        help_text=_("Send it as 'Authorization: Token <token>'. It is shown only this once.")
    )

    class Meta(DeviceTokenSerializer.Meta):
        fields = ("id", "token", "expiry", "device")
        read_only_fields = fields


def _send_auth_signal(signal, http_request, user) -> None:
    """Send Django's signed-in or signed-out signal for a token request.

    django-axes hashes the request's session into its access log, opening one if there is
    none. A phone keeps no session, so one opened for that alone is closed again (no row, no
    cookie in the answer); a session the client brought is left as it was.
    """
    opened_here = http_request.session.session_key is None
    signal.send(sender=type(user), request=http_request, user=user)
    if opened_here:
        http_request.session.flush()


class TokenLoginView(APIView):
    """Sign in with username and password; answers a new token for this device."""

    # A stale or revoked token still in the header must not stand in the way of signing in.
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginRateThrottle]

    @extend_schema(request=LoginSerializer, responses={201: IssuedTokenSerializer})
    def post(self, request):
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        http_request = request._request  # axes reads and flags the Django request
        user = authenticate(http_request, username=data["username"], password=data["password"])
        if getattr(http_request, "axes_locked_out", False):
            # Answered here in the API's error shape; left set, AxesMiddleware would replace
            # this answer with its HTML lockout page.
            http_request.axes_locked_out = False
            raise LockedOut(get_cool_off(http_request))
        if user is None:
            raise serializers.ValidationError(
                _("The username or password is incorrect."), code="invalid_credentials"
            )
        token, secret = device_token_issue(user=user, device=data["device"])
        # As django.contrib.auth.login() would: axes records the sign-in and forgets the
        # pair's failures, Django stamps last_login, and the sign-in log gets its line.
        _send_auth_signal(user_logged_in, http_request, user)
        token.token = secret
        return Response(IssuedTokenSerializer(token).data, status=status.HTTP_201_CREATED)


class TokenLogoutView(APIView):
    """Sign this device out: revoke the token the request carries."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        if not isinstance(request.auth, DeviceToken):
            raise TokenRequired()
        device_token_revoke(token=request.auth, revoked_by=request.user)
        _send_auth_signal(user_logged_out, request._request, request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenPagination(CursorPagination):
    ordering = "-created"


@extend_schema_view(
    destroy=extend_schema(
        parameters=[
            OpenApiParameter(
                "id",
                str,
                OpenApiParameter.PATH,
                description=_("The token's id, as in the list of devices."),
            )
        ]
    )
)
class DeviceTokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, BaseViewSet):
    """The caller's signed-in devices; deleting one revokes its token."""

    selector = device_token_list
    serializer_class = DeviceTokenSerializer
    # Everyone manages their own devices; the selector keeps out everyone else's.
    permission_classes = [IsAuthenticated]
    pagination_class = TokenPagination
    lookup_field = "digest__startswith"
    lookup_url_kwarg = "pk"
    lookup_value_regex = f"[0-9a-f]{{{TOKEN_ID_LENGTH}}}"

    def perform_destroy(self, instance: DeviceToken) -> None:
        device_token_revoke(token=instance, revoked_by=self.request.user)


router = SimpleRouter(trailing_slash=True)
router.register("auth/tokens", DeviceTokenViewSet, basename="auth-token")

urlpatterns = [
    path("auth/login/", TokenLoginView.as_view(), name="auth-login"),
    path("auth/logout/", TokenLogoutView.as_view(), name="auth-logout"),
    *router.urls,
]
