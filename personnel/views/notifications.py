"""The inbox page: the signed-in user's notifications, newest first, and marking them read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from personnel import selectors
from personnel.services import notifications as services

PAGE_SIZE = 50


def _safe(request: HttpRequest, url: str) -> str:
    """``url`` if it stays on this site (or is a plain http(s) link to it), else ``""``: a
    stored link must never become a ``javascript:`` href or a redirect elsewhere."""
    allowed = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if url and allowed else ""


@login_required
@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    notifications = selectors.notification_list(user=request.user).order_by("-created_at", "-pk")
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"notification": item, "link": _safe(request, item.url)} for item in page]
    return render(request, "personnel/inbox.html", {"page": page, "rows": rows})


def _back(request: HttpRequest) -> HttpResponse:
    return redirect(_safe(request, request.POST.get("next", "")) or reverse("inbox"))


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(selectors.notification_list(user=request.user), pk=pk)
    services.notification_mark_read(notification=notification)
    return _back(request)


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_all_read(user=request.user)
    return _back(request)


urlpatterns = [
    path("inbox/", inbox, name="inbox"),
    path("inbox/<int:pk>/read/", mark_read, name="inbox-read"),
    path("inbox/read-all/", mark_all_read, name="inbox-read-all"),
]
