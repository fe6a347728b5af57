"""Rate limits of the public pages (django-ratelimit, counted in the default cache per
client address) and the friendly page a visitor over the limit sees."""

from __future__ import annotations

from axes.helpers import get_client_ip_address
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit import ALL

from gridgov.ratelimits import over_limit, retry_after_seconds


def client_address(group: str, request: HttpRequest) -> str:
    """The visitor's address as the sign-in lockout reads it (it honours
    TRUSTED_PROXY_COUNT, so a forged X-Forwarded-For dodges nothing)."""
    return get_client_ip_address(request) or "unknown"


def visitor_over_limit(request: HttpRequest, *, group: str, rate, method=ALL) -> bool:
    """Count this visit in ``group`` per client address; True when it goes over ``rate``
    (never while the cache is unreachable: gridgov.ratelimits)."""
    return over_limit(request, group=group, key=client_address, rate=rate, method=method)


def limited(request: HttpRequest, *, group: str, rate) -> HttpResponse:
    """The 429 page, with Retry-After: the seconds until the visitor's current window of
    ``rate`` in ``group`` ends (django-ratelimit counts in fixed windows)."""
    response = render(request, "public/limited.html", status=429)
    seconds = retry_after_seconds(request, group=group, key=client_address, rate=rate)
    response["Retry-After"] = str(seconds)
    return response
