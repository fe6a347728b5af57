"""What the assessment pages share: reading the scope and period a page asks for."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone

from assessment.dashboard import default_scope, month_label
from assessment.scopes import Period, Scope, parse_period, parse_scope


@dataclass
class Asked:
    """The scope and period a page shows, and the reasons it fell back from what the
    query asked (shown beside the pickers)."""

    scope: Scope
    period: Period
    errors: list[str]


def asked(request: HttpRequest) -> Asked:
    """The ``scope`` and ``period`` of the query: a bad one falls back to the user's widest
    place and this month, with the reason; a user with no place at all is a 404."""
    errors: list[str] = []
    scope = None
    if request.GET.get("scope"):
        try:
            scope = parse_scope(request.GET["scope"])
        except ValidationError as refusal:
            errors += refusal.messages
    scope = scope or default_scope(request.user)
    if scope is None:
        raise Http404
    period = None
    if request.GET.get("period"):
        try:
            period = parse_period(request.GET["period"])
        except ValidationError as refusal:
            errors += refusal.messages
    period = period or parse_period(month_label(timezone.localdate()))
    return Asked(scope=scope, period=period, errors=errors)
