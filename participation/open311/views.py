"""Open311 GeoReport v2 endpoints. Reads are public; posting a request needs an active API
key (403 otherwise) and is rate-limited per key. Errors follow the spec: a list of
{code, description} with 400 (a request that cannot be fulfilled), 403 (API key) or 404
(no such resource), in the format the URL asked for.

Which cases GET requests shows, and which of their fields, is the selectors' and the
serializers' business (only categories offered to the public; nothing personal).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from gridgov.ratelimits import over_limit, retry_after_seconds
from participation.choices import ReportChannel
from participation.models import PublicService
from participation.open311 import serializers
from participation.open311.renderers import JSON, XML, errors, render, w3c
from participation.selectors.public import (
    OPEN311_DEFAULT_DAYS,
    geocode_address,
    open311_request_list,
    open311_tickets,
    public_service_list,
    report_by_token,
)
from participation.services.open311 import open311_key_check
from participation.services.public_reports import public_report_submit

ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
STATUSES = ("open", "closed")


class BadRequest(Exception):
    """A request the endpoint cannot fulfil (400), with what to tell the client."""

    def __init__(self, *descriptions: str) -> None:
        super().__init__(*descriptions)
        self.descriptions = descriptions


class Open311View(View):
    """The format suffix (``.json`` or ``.xml``; none reads as XML, the required format)
    and the spec's error documents for every refusal."""

    http_method_names = ["get", "head", "options"]

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.fmt = JSON if kwargs.pop("format", None) == JSON else XML
        try:
            return super().dispatch(request, *args, **kwargs)
        except BadRequest as refusal:
            return errors(self.fmt, 400, *refusal.descriptions)

    def http_method_not_allowed(self, request, *args, **kwargs) -> HttpResponse:
        return errors(
            self.fmt,
            400,
            _("This resource does not answer %(method)s.") % {"method": request.method},
        )

    def not_found(self, what: str) -> HttpResponse:
        return errors(self.fmt, 404, what)


class DiscoveryView(Open311View):
    def get(self, request: HttpRequest) -> HttpResponse:
        changed = PublicService.objects.aggregate(at=Max("updated_at"))["at"]
        here = reverse("open311-discovery", kwargs={"format": self.fmt})
        url = request.build_absolute_uri(here.rsplit("/", 1)[0])
        payload = serializers.discovery_payload(url=url, changeset=w3c(changed) or "")
        return render("discovery", payload, self.fmt)


class ServiceListView(Open311View):
    def get(self, request: HttpRequest) -> HttpResponse:
        services = [serializers.service_payload(s) for s in public_service_list()]
        return render("services", services, self.fmt)


class ServiceDefinitionView(Open311View):
    def get(self, request: HttpRequest, service_code: str) -> HttpResponse:
        service = public_service_list().filter(category__code=service_code).first()
        if service is None:
            return self.not_found(_("No service has the code %(code)s.") % {"code": service_code})
        return render("service_definition", serializers.definition_payload(service), self.fmt)


def _listed(request: HttpRequest, name: str) -> list[str]:
    """A parameter that may be comma-delimited and declared several times."""
    return [
        item.strip()
        for value in request.GET.getlist(name)
        for item in value.split(",")
        if item.strip()
    ]


def _moment(request: HttpRequest, name: str) -> datetime | None:
    text = request.GET.get(name, "").strip()
    if not text:
        return None
    # A "+" sent unescaped in a query string arrives as a space.
    try:
        moment = parse_datetime(re.sub(r" ([0-9]{2}:?[0-9]{2})$", r"+\1", text))
        if moment is not None:
            # PostgreSQL refuses offsets Python accepts (beyond ±15:59): compare in UTC.
            aware = moment if timezone.is_aware(moment) else timezone.make_aware(moment)
            return aware.astimezone(UTC)
    except (ValueError, OverflowError):
        pass
    raise BadRequest(
        _("%(name)s must be a W3C date and time such as 2026-01-01T00:00:00+08:00.")
        % {"name": name}
    )


def _window(request: HttpRequest) -> tuple[datetime, datetime]:
    start, end = _moment(request, "start_date"), _moment(request, "end_date")
    span = timedelta(days=OPEN311_DEFAULT_DAYS)
    if start is None and end is None:
        end = timezone.now()
    try:
        if start is None:
            start = end - span
        if end is None:
            end = start + span
    except OverflowError:
        raise BadRequest(_("The dates are out of range.")) from None
    if end < start:
        raise BadRequest(_("end_date comes before start_date."))
    if end - start > span:
        raise BadRequest(
            _("A search may not span more than %(days)d days.") % {"days": OPEN311_DEFAULT_DAYS}
        )
    return start, end


def _attributes(post) -> dict[str, list[str] | str]:
    answers: dict[str, list[str] | str] = {}
    for key in post:
        match = ATTRIBUTE.match(key)
        if match:
            values = post.getlist(key)
            answers[match.group(1)] = values if match.group(2) else values[-1]
    return answers


def _point(post) -> tuple[float, float]:
    lat, lng = post.get("lat", "").strip(), post.get("long", "").strip()
    if lat or lng:
        try:
            return float(lat), float(lng)
        except ValueError:
            raise BadRequest(_("lat and long must both be given, as decimal degrees.")) from None
    if post.get("address_string", "").strip():
        point = geocode_address(post["address_string"])
        if point is None:
            raise BadRequest(
                _("address_string names no community GridGov serves; send lat and long instead.")
            )
        return point
    if post.get("address_id", "").strip():
        raise BadRequest(_("address_id is not supported; send lat and long instead."))
    raise BadRequest(_("Give the location: lat and long, or address_string."))


def _refusal(error: ValidationError) -> list[str]:
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    names = {"lat": "lat", "lng": "long", "name": "first_name", "attributes": "attribute"}
    described = []
    for field, messages in error.message_dict.items():
        for message in messages:
            known = field not in ("location", "__all__")
            described.append(f"{names.get(field, field)}: {message}" if known else message)
    return described


@method_decorator(csrf_exempt, name="dispatch")  # clients authenticate with api_key alone
class RequestListView(Open311View):
    http_method_names = ["get", "post", "head", "options"]

    def get(self, request: HttpRequest) -> HttpResponse:
        numbers = _listed(request, "service_request_id")
        statuses = _listed(request, "status")
        unknown = [status for status in statuses if status not in STATUSES]
        if unknown:
            raise BadRequest(_("status is open or closed."))
        start, end = (None, None) if numbers else _window(request)
        tickets = open311_request_list(
            numbers=numbers,
            codes=_listed(request, "service_code"),
            start=start,
            end=end,
            statuses=statuses,
        )
        return render(
            "service_requests", [serializers.request_payload(t) for t in tickets], self.fmt
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        post = request.POST
        plain_key = post.get("api_key", "").strip()
        if not plain_key:
            return errors(self.fmt, 403, _("api_key is missing: a request needs an API key."))
        key = open311_key_check(plain_key)
        if key is None:
            return errors(self.fmt, 403, _("Invalid api_key received: no request was created."))
        limit = {
            "group": "open311-requests",
            "key": lambda group, request: str(key.pk),
            "rate": lambda group, request: settings.OPEN311_KEY_RATE,
        }
        if over_limit(request, **limit):
            refused = errors(self.fmt, 429, _("Too many requests with this API key: try later."))
            refused["Retry-After"] = str(retry_after_seconds(request, **limit))
            return refused
        code = post.get("service_code", "").strip()
        if not code:
            raise BadRequest(_("service_code was not provided."))
        service = public_service_list().filter(category__code=code).first()
        if service is None:  # the spec's POST errors: an unknown service_code is a 404
            return self.not_found(_("No service has the code %(code)s.") % {"code": code})
        lat, lng = _point(post)
        parts = (post.get("first_name", "").strip(), post.get("last_name", "").strip())
        name = " ".join(part for part in parts if part)
        phone, email = post.get("phone", "").strip(), post.get("email", "").strip()
        try:
            report, token = public_report_submit(
                channel=ReportChannel.OPEN311,
                service=service,
                description=post.get("description", "").strip() or service.category.local_name,
                lat=lat,
                lng=lng,
                address=post.get("address_string", "").strip(),
                anonymous=not (name and (phone or email)),
                name=name,
                phone=phone,
                email=email,
                attributes=_attributes(post),
                api_key=key,
                device_id=post.get("device_id", "").strip(),
                account_id=post.get("account_id", "").strip(),
                media_url=post.get("media_url", "").strip(),
            )
        except ValidationError as error:
            raise BadRequest(*_refusal(error)) from None
        return render("service_requests", [serializers.created_payload(report, token)], self.fmt)


class RequestDetailView(Open311View):
    def get(self, request: HttpRequest, pk: str) -> HttpResponse:
        ticket = open311_tickets().filter(number=pk).first()
        if ticket is None:
            return self.not_found(_("No service request has the id %(id)s.") % {"id": pk})
        return render("service_requests", [serializers.request_payload(ticket)], self.fmt)


class TokenView(Open311View):
    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        report = report_by_token(token)
        if report is None:
            return self.not_found(_("No service request has this token."))
        return render("service_requests", [serializers.token_payload(report, token)], self.fmt)


class NotFoundView(Open311View):
    """Anything else under /open311/v2/: the spec's 404, not an HTML page."""

    http_method_names = ["get", "post", "head", "options"]

    def get(self, request: HttpRequest, path: str = "") -> HttpResponse:
        self.fmt = JSON if path.endswith(".json") else XML
        return self.not_found(_("There is no such Open311 resource."))

    post = get
