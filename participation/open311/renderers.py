"""Open311 documents in XML and JSON, after the spec's "Spark convention": a JSON array is
an XML element whose children are its items under one fixed name (``services`` holds
``service`` elements), a JSON object an element with one child per key, null an empty
element. UTF-8 throughout, with the XML declaration the spec asks for."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from xml.etree.ElementTree import Element, tostring

from django.http import HttpResponse
from django.utils import timezone

XML = "xml"
JSON = "json"
CONTENT_TYPES = {XML: "text/xml; charset=utf-8", JSON: "application/json; charset=utf-8"}
# Characters XML 1.0 cannot carry (a client may post them in a description).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# The element name of each list's items.
ITEMS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}


def w3c(moment: datetime | None) -> str | None:
    """A time as the spec's W3C subset of ISO 8601, in the site's zone (+08:00)."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _element(name: str, value: Any) -> Element:
    element = Element(name)
    if isinstance(value, list):
        for item in value:
            element.append(_element(ITEMS[name], item))
    elif isinstance(value, dict):
        for key, item in value.items():
            element.append(_element(key, item))
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = NOT_XML.sub("", str(value))
    return element


def render(root: str, payload: list | dict, fmt: str, *, status: int = 200) -> HttpResponse:
    """``payload`` as the document ``root`` (XML) or as itself (JSON)."""
    if fmt == JSON:
        body = json.dumps(payload, ensure_ascii=False).encode()
    else:
        body = (
            b'<?xml version="1.0" encoding="utf-8"?>\n'
            + tostring(_element(root, payload), encoding="unicode").encode()
        )
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def errors(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    """The spec's error document: a list of {code, description}, the code the HTTP status."""
    payload = [{"code": status, "description": str(text)} for text in descriptions]
    return render("errors", payload, fmt, status=status)
