"""Counting requests in the cache (django-ratelimit) without making the cache a single
point of failure.

The counts guard against floods; they are not part of any record. While Redis restarts, a
resident's report or a rating must still go through (django-ratelimit itself only forgives
a failed DNS lookup), so a limit whose count cannot be read lets the request pass and says
so in the log.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest
from django_ratelimit import ALL
from django_ratelimit.core import get_usage, is_ratelimited
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

CACHE_UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


def over_limit(request: HttpRequest, *, group: str, key, rate, method=ALL) -> bool:
    """Count this request in ``group`` and tell whether it went over ``rate``; False (let it
    through) when the cache cannot be reached. ``method`` limits what is counted, as in
    django-ratelimit (other methods are neither counted nor refused)."""
    try:
        return is_ratelimited(
            request, group=group, key=key, rate=rate, method=method, increment=True
        )
    except CACHE_UNREACHABLE as error:
        logger.warning("%s limit not applied: cache unreachable (%s)", group, error)
        return False


def retry_after_seconds(request: HttpRequest, *, group: str, key, rate) -> int:
    """Seconds until the caller's current window of ``rate`` in ``group`` ends
    (django-ratelimit counts in fixed windows); 60 when the window cannot be read."""
    try:
        usage = get_usage(request, group=group, key=key, rate=rate)
    except CACHE_UNREACHABLE:
        usage = None
    return max(1, usage["time_left"] if usage else 60)
