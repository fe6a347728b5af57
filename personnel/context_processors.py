"""Template context for every page: the unread count behind the inbox badge in the header."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from personnel.selectors import unread_count


def inbox(request: HttpRequest) -> dict:
    """``unread_notifications`` for signed-in users, nothing for anonymous visitors.

    Lazy: the COUNT runs only on pages that show the badge (not on admin pages, API
    responses or redirects that never render it), and at most once per page.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user=user))}
