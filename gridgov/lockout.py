"""The answer to a locked-out sign-in (django-axes' AXES_LOCKOUT_CALLABLE): axes' own
lockout page, with a Retry-After header saying how long the lock holds."""

from __future__ import annotations

import math
from datetime import timedelta

from axes.helpers import (
    get_client_username,
    get_cool_off,
    get_cool_off_iso8601,
    get_failure_limit,
)
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    cool_off = get_cool_off(request) or timedelta(0)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "username": get_client_username(request, credentials) or "",
        "cooloff_time": get_cool_off_iso8601(cool_off),
        "cooloff_timedelta": cool_off,
    }
    response = render(
        request, settings.AXES_LOCKOUT_TEMPLATE, context, status=settings.AXES_HTTP_RESPONSE_CODE
    )
    response["Retry-After"] = str(max(1, math.ceil(cool_off.total_seconds())))
    return response
