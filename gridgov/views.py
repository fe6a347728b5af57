from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from gridgov.health import health_report

API_PREFIX = "/api/"


@require_safe
@never_cache
def healthz(request):
    healthy, report = health_report()
    return JsonResponse(report, status=200 if healthy else 503)


@require_safe
def home(request):
    return render(request, "home.html")


def _api_error(kind: str, code: str, detail: str, status: int) -> JsonResponse:
    body = {"type": kind, "errors": [{"code": code, "detail": detail, "attr": None}]}
    return JsonResponse(body, status=status)


def not_found(request, exception=None):
    """Unknown URLs under /api/ answer in the API's error shape; pages get the HTML 404."""
    if request.path.startswith(API_PREFIX):
        return _api_error("client_error", "not_found", _("Not found."), 404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """A 500 under /api/ still answers in the API's error shape (and is a bug to fix)."""
    if request.path.startswith(API_PREFIX):
        return _api_error("server_error", "error", _("A server error occurred."), 500)
    return defaults.server_error(request)
