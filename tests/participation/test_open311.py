"""Open311 GeoReport v2: the round trip (list the services, post a request, read it back by
id and by token, filter by status) in XML and JSON, the spec's errors in both formats, and
what GET requests shows of a case (nothing personal)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.test import Client
from django.utils import timezone

from incidents.models import Ticket
from incidents.services.tickets import ticket_create
from incidents.workflow import ticket_act
from participation.models import PublicReport
from tests.participation.public_world import api_key, public_world, submit

BASE = "/open311/v2"
W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")


@pytest.fixture
def world(db):
    return {**public_world(), "key": api_key()}


def parse(response, fmt: str):
    """The document as plain Python: lists of dicts of strings (XML) or the JSON itself."""
    if fmt == "json":
        assert response["Content-Type"] == "application/json; charset=utf-8"
        return json.loads(response.content)
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return element(ElementTree.fromstring(response.content))  # noqa: S314 - our own output


def element(node):
    children = list(node)
    if not children:
        return node.text
    if node.tag in ("services", "service_requests", "errors", "attributes", "values"):
        return [element(child) for child in children]
    return {child.tag: element(child) for child in children}


def post(world, fmt: str, **fields):
    body = {
        "api_key": world["key"],
        "service_code": "E0101",
        "lat": str(world["grid"].centroid_lat),
        "long": str(world["grid"].centroid_lng),
        "description": "垃圾桶旁边堆满了垃圾",
        "first_name": "Alex",
        "last_name": "Chen",
        "email": "alex@example.org",
        "phone": "13906351234",
        "attribute[kind]": "household",
        **fields,
    }
    return Client().post(f"{BASE}/requests.{fmt}", body)


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_round_trip(world, fmt):
    client = Client()
    services = parse(client.get(f"{BASE}/services.{fmt}"), fmt)
    assert [s["service_code"] for s in services] == ["E0101", "E0201"]
    rubbish = services[0]
    assert rubbish["service_name"] == "Exposed rubbish"
    assert rubbish["group"] == "City appearance"
    assert rubbish["type"] == "realtime"
    assert rubbish["metadata"] in (True, "true")

    definition = parse(client.get(f"{BASE}/services/E0101.{fmt}"), fmt)
    assert definition["service_code"] == "E0101"
    (question,) = definition["attributes"]
    assert question["code"] == "kind"
    assert question["datatype"] == "singlevaluelist"
    assert question["required"] in (True, "true")
    assert question["variable"] in (True, "true")
    assert [v["key"] for v in question["values"]] == ["household", "construction"]

    response = post(world, fmt)
    assert response.status_code == 200
    (created,) = parse(response, fmt)
    number, token = created["service_request_id"], created["token"]
    assert number.startswith("GD-") and token
    assert number in created["service_notice"]

    (by_id,) = parse(client.get(f"{BASE}/requests/{number}.{fmt}"), fmt)
    assert by_id["service_request_id"] == number
    assert by_id["status"] == "open"
    assert by_id["service_code"] == "E0101"
    assert by_id["description"] == "垃圾桶旁边堆满了垃圾"
    assert W3C.match(by_id["requested_datetime"]) and W3C.match(by_id["updated_datetime"])
    assert float(by_id["lat"]) == pytest.approx(world["grid"].centroid_lat)
    assert float(by_id["long"]) == pytest.approx(world["grid"].centroid_lng)

    (by_token,) = parse(client.get(f"{BASE}/tokens/{token}.{fmt}"), fmt)
    assert by_token == {"service_request_id": number, "token": token}

    open_ones = parse(client.get(f"{BASE}/requests.{fmt}", {"status": "open"}), fmt)
    assert [r["service_request_id"] for r in open_ones] == [number]
    assert parse(client.get(f"{BASE}/requests.{fmt}", {"status": "closed"}), fmt) in ([], None)

    ticket = Ticket.objects.get(number=number)
    ticket_act(
        ticket=ticket, actor=world["staff"], action="reject", expected_version=1, note="重复"
    )
    closed = parse(client.get(f"{BASE}/requests.{fmt}", {"status": "closed"}), fmt)
    assert [(r["service_request_id"], r["status"]) for r in closed] == [(number, "closed")]


def test_a_request_without_a_suffix_answers_xml(world):
    response = Client().get(f"{BASE}/services")
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert b"<services>" in response.content


def test_discovery_lists_this_endpoint_in_both_formats(world):
    client = Client()
    found = parse(client.get(f"{BASE}/discovery.json"), "json")
    (endpoint,) = found["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert found["changeset"] and found["contact"] and found["key_service"]
    xml = ElementTree.fromstring(client.get(f"{BASE}/discovery.xml").content)  # noqa: S314
    assert xml.tag == "discovery"
    assert xml.findtext("endpoints/endpoint/url") == "http://testserver/open311/v2"
    formats = [f.text for f in xml.findall("endpoints/endpoint/formats/format")]
    assert formats == ["text/xml", "application/json"]


def errors_of(response, fmt):
    found = parse(response, fmt)
    return [(int(e["code"]), e["description"]) for e in found]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_errors_in_both_formats(world, fmt):
    client = Client()
    missing = post(world, fmt, api_key="")
    assert missing.status_code == 403
    assert errors_of(missing, fmt)[0][0] == 403

    invalid = post(world, fmt, api_key="not-a-key")
    assert invalid.status_code == 403
    assert "Invalid api_key" in errors_of(invalid, fmt)[0][1]

    unknown = post(world, fmt, service_code="X9999")
    assert unknown.status_code == 404
    assert errors_of(unknown, fmt) == [(404, "No service has the code X9999.")]

    outside = post(world, fmt, lat="10.0", long="10.0")
    assert outside.status_code == 400
    assert "outside every grid" in errors_of(outside, fmt)[0][1]

    unanswered = post(world, fmt, **{"attribute[kind]": ""})
    assert unanswered.status_code == 400
    assert "什么垃圾？" in errors_of(unanswered, fmt)[0][1]

    nowhere = post(world, fmt, lat="", long="")
    assert nowhere.status_code == 400

    for url in (f"{BASE}/requests/GD-20000101-000001.{fmt}", f"{BASE}/services/X9999.{fmt}"):
        not_found = client.get(url)
        assert not_found.status_code == 404
        assert errors_of(not_found, fmt)[0][0] == 404
    assert client.get(f"{BASE}/tokens/nope.{fmt}").status_code == 404
    assert client.get(f"{BASE}/nothing-here.{fmt}").status_code == 404
    assert client.get(f"{BASE}/requests.{fmt}", {"status": "sleeping"}).status_code == 400
    assert client.get(f"{BASE}/requests.{fmt}", {"start_date": "yesterday"}).status_code == 400
    assert not PublicReport.objects.exists()


def test_an_address_naming_a_community_places_the_request(world):
    # Both streets have a 社区1: a name that is not unique locates nothing.
    ambiguous = post(world, "json", lat="", long="", address_string="社区1")
    assert ambiguous.status_code == 400
    community = world["grid"].community
    community.name = "光明社区"
    community.save()
    response = post(world, "json", lat="", long="", address_string="光明社区3号楼")
    assert response.status_code == 200
    report = PublicReport.objects.get()
    assert report.grid.community == community and report.address.endswith("3号楼")
    unknown = post(world, "json", lat="", long="", address_string="月球背面")
    assert unknown.status_code == 400


def test_list_answers_and_multiple_values_are_read_from_attribute_fields(world):
    response = post(
        world,
        "json",
        service_code="E0201",
        **{"attribute[kind]": "", "attribute[plate]": "鲁H12345"},
    )
    assert response.status_code == 400  # the parking service asks no "kind"
    response = Client().post(
        f"{BASE}/requests.json",
        {
            "api_key": world["key"],
            "service_code": "E0201",
            "lat": str(world["grid"].centroid_lat),
            "long": str(world["grid"].centroid_lng),
            "attribute[plate]": "鲁H12345",
        },
    )
    assert response.status_code == 200
    report = PublicReport.objects.get()
    assert report.attributes == {"plate": "鲁H12345"}
    assert report.anonymous  # no name nor contact: filed anonymously, still a case
    assert report.ticket.description.startswith("Illegal parking")


def test_get_requests_shows_public_categories_only_and_nothing_personal(world):
    web, _token = submit(world, description="我的电话13906351234，请回电")
    internal = ticket_create(
        reporter=world["staff"],
        source="patrol",
        category=world["internal_category"],
        lat=world["grid"].centroid_lat,
        lng=world["grid"].centroid_lng,
    )
    listed = json.loads(Client().get(f"{BASE}/requests.json").content)
    assert [r["service_request_id"] for r in listed] == [web.ticket.number]
    body = json.dumps(listed, ensure_ascii=False)
    assert "13906351234" not in body and "刘女士" not in body
    assert listed[0]["description"] is None  # a resident's words stay inside GridGov
    assert Client().get(f"{BASE}/requests/{internal.number}.json").status_code == 404


def test_get_requests_defaults_to_90_days_and_names_override_filters(world):
    old, _token = submit(world)
    Ticket.objects.filter(pk=old.ticket_id).update(created_at=timezone.now() - timedelta(days=120))
    recent, _token = submit(world)
    client = Client()
    listed = json.loads(client.get(f"{BASE}/requests.json").content)
    assert [r["service_request_id"] for r in listed] == [recent.ticket.number]
    named = json.loads(
        client.get(
            f"{BASE}/requests.json",
            {
                "service_request_id": f"{old.ticket.number},{recent.ticket.number}",
                "status": "closed",
            },
        ).content
    )
    assert [r["service_request_id"] for r in named] == [recent.ticket.number, old.ticket.number]
    too_long = client.get(
        f"{BASE}/requests.json",
        {"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-06-01T00:00:00+08:00"},
    )
    assert too_long.status_code == 400
    by_code = json.loads(client.get(f"{BASE}/requests.json", {"service_code": "E0201"}).content)
    assert by_code == []


def test_posting_is_rate_limited_per_key(world, settings):
    settings.OPEN311_KEY_RATE = "2/m"
    assert post(world, "json").status_code == 200
    assert post(world, "json").status_code == 200
    limited = post(world, "xml")
    assert limited.status_code == 429
    assert errors_of(limited, "xml")[0][0] == 429
    other = api_key("Another app")
    assert post({**world, "key": other}, "json").status_code == 200


def test_a_description_with_control_characters_still_reads_as_xml(world):
    response = post(world, "json", description="井盖松动\x01\x1b了")
    (created,) = json.loads(response.content)
    read = Client().get(f"{BASE}/requests/{created['service_request_id']}.xml")
    (request,) = parse(read, "xml")
    assert request["description"] == "井盖松动了"


@pytest.mark.parametrize(
    ("name", "value", "status"),
    [
        ("start_date", "2443-05-07T07:42:55+19:47", 200),
        ("start_date", "0001-01-10T00:00:00Z", 200),
        ("end_date", "0001-01-10T00:00:00Z", 400),
        ("start_date", "0001-01-01T00:00:00+05:00", 400),
        ("end_date", "2026-13-01T00:00:00+08:00", 400),
    ],
)
def test_a_search_date_answers_200_or_400_never_500(world, name, value, status):
    response = Client().get(f"{BASE}/requests.json", {name: value})
    assert response.status_code == status, response.content
