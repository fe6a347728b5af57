"""Open311 payloads: GridGov's services and cases in GeoReport v2's field names.

A case is shown without anything personal: no reporter, no contact, no photos (they may
show people or number plates), no notes. Its ``description`` is given only for a request
that an Open311 client posted itself, since the client posted it to a public API; a
resident's words on the web page, a hotline call or a patrol report stay inside GridGov.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from incidents.choices import Stage
from incidents.models import Ticket
from participation.choices import ReportChannel
from participation.models import PublicReport, PublicService
from participation.open311.renderers import w3c
from participation.selectors.public import PUBLIC_STATUS, open311_status

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"


def service_payload(service: PublicService) -> dict[str, Any]:
    category = service.category
    return {
        "service_code": category.code,
        "service_name": category.local_name,
        "description": service.description or category.local_name,
        "metadata": bool(service.attributes.all()),
        "type": "realtime",
        "keywords": service.keywords,
        "group": category.parent.local_name if category.parent_id else "",
    }


def definition_payload(service: PublicService) -> dict[str, Any]:
    return {
        "service_code": service.category.code,
        "attributes": [
            {
                "variable": True,
                "code": attribute.code,
                "datatype": attribute.datatype,
                "required": attribute.required,
                "datatype_description": attribute.datatype_description or None,
                "order": attribute.order,
                "description": attribute.description,
                "values": [
                    {"key": str(option.get("key")), "name": str(option.get("name"))}
                    for option in attribute.values
                ],
            }
            for attribute in service.attributes.all()
        ],
    }


def _report(ticket: Ticket) -> PublicReport | None:
    try:
        return ticket.public_report
    except PublicReport.DoesNotExist:
        return None


def request_payload(ticket: Ticket) -> dict[str, Any]:
    report = _report(ticket)
    posted_here = report is not None and report.channel == ReportChannel.OPEN311
    closed = open311_status(ticket) == "closed"
    in_handling = ticket.stage == Stage.HANDLE
    return {
        "service_request_id": ticket.number,
        "status": open311_status(ticket),
        "status_notes": str(PUBLIC_STATUS[ticket.status]),
        "service_name": ticket.category.local_name,
        "service_code": ticket.category.code,
        "description": report.description if posted_here else None,
        "agency_responsible": ticket.lead_department.name if ticket.lead_department_id else None,
        "service_notice": None,
        "requested_datetime": w3c(ticket.created_at),
        "updated_datetime": w3c(
            ticket.closed_at if closed and ticket.closed_at else ticket.updated_at
        ),
        "expected_datetime": w3c(ticket.stage_due_at) if in_handling else None,
        "address": ticket.address or None,
        "address_id": None,
        "zipcode": None,
        "lat": ticket.lat,
        "long": ticket.lng,
        "media_url": (report.media_url or None) if posted_here else None,
    }


def created_payload(report: PublicReport, token: str) -> dict[str, Any]:
    """The answer to POST requests: the case's number at once (GridGov files Open311
    requests in real time) and the token, with which tokens/{token} finds it again."""
    return {
        "service_request_id": report.ticket.number,
        "token": token,
        "service_notice": _(
            "Registered as case %(number)s; the command centre of its street will accept it "
            "and send it to the team that handles it."
        )
        % {"number": report.ticket.number},
        "account_id": report.account_id or None,
    }


def token_payload(report: PublicReport, token: str) -> dict[str, Any]:
    return {
        "service_request_id": report.ticket.number if report.ticket_id else None,
        "token": token,
    }


def discovery_payload(*, url: str, changeset: str) -> dict[str, Any]:
    return {
        "changeset": changeset,
        "contact": _("The grid-management office of the city, through its public pages."),
        "key_service": _("API keys are issued by the office's administrators on request."),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url,
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
