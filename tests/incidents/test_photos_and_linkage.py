"""Photos of a case (checked by decoding, capped in size, before and after), and linked
handling by a lead and cooperating departments, as phones and departments use them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from incidents.models import Attachment, LinkageTask, Ticket, TicketEvent
from tests import factories, people
from tests.incidents.cases import act, image_bytes, report, upload

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _report_body(place, **extra):
    grid = place["grid"]
    return {
        "category": place["category"].pk,
        "description": "井盖破损",
        "lat": grid.centroid_lat,
        "lng": grid.centroid_lng,
        **extra,
    }


def _in_handling(place, **dispatch):
    ticket = report(place)
    for action in ("accept", "file"):
        ticket = act(ticket, place["staff"], action)
    ticket = act(ticket, place["staff"], "dispatch", data=dispatch)
    return act(ticket, place["handler"], "take")


def test_a_phone_reports_with_photos_and_reads_them_back(place):
    phone = client_for(place["worker"])
    response = phone.post(
        "/api/v1/tickets/",
        _report_body(place, photos=[upload("JPEG", "a.jpg"), upload("WEBP", "b.webp")]),
        format="multipart",
    )
    assert response.status_code == 201, response.content
    ticket_id = response.json()["id"]

    photos = phone.get(f"/api/v1/tickets/{ticket_id}/attachments/").json()
    assert [(p["phase"], p["content_type"]) for p in photos] == [
        ("before", "image/jpeg"),
        ("before", "image/webp"),
    ]
    image = phone.get(photos[0]["file_url"])
    assert image.status_code == 200
    assert image["Content-Type"] == "image/jpeg"
    assert b"".join(image.streaming_content) == image_bytes("JPEG")
    # Another grid's worker cannot read the case's photos.
    assert client_for(place["outsider"]).get(photos[0]["file_url"]).status_code == 404


def test_a_photo_reaches_a_phone_as_stored_with_its_length_not_recompressed(place):
    phone = client_for(place["worker"])
    response = phone.post(
        "/api/v1/tickets/",
        _report_body(place, photos=[upload("JPEG", "a.jpg")]),
        format="multipart",
    )
    [photo] = phone.get(f"/api/v1/tickets/{response.json()['id']}/attachments/").json()

    image = phone.get(photo["file_url"], HTTP_ACCEPT_ENCODING="gzip, deflate")

    assert image.status_code == 200
    assert not image.has_header("Content-Encoding")
    assert int(image["Content-Length"]) == len(image_bytes("JPEG"))
    assert b"".join(image.streaming_content) == image_bytes("JPEG")


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_written(place):
    fake = SimpleUploadedFile("evil.png", b"<?php echo 1; ?>", content_type="image/png")
    response = client_for(place["worker"]).post(
        "/api/v1/tickets/", _report_body(place, photos=[fake]), format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "photos"
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()


def test_a_photo_over_the_size_cap_answers_413(place, settings):
    settings.PHOTO_MAX_BYTES = 50
    response = client_for(place["worker"]).post(
        "/api/v1/tickets/", _report_body(place, photos=[upload()]), format="multipart"
    )
    assert response.status_code == 413
    assert "photo.png" in response.json()["errors"][0]["detail"]
    assert not Ticket.objects.exists()


def test_self_handling_needs_an_after_photo(place):
    phone = client_for(place["worker"])
    without = phone.post(
        "/api/v1/tickets/", _report_body(place, source="self_handled"), format="multipart"
    )
    assert without.status_code == 400
    assert without.json()["errors"][0]["attr"] == "photos"
    with_photo = phone.post(
        "/api/v1/tickets/",
        _report_body(place, source="self_handled", after_photos=[upload()]),
        format="multipart",
    )
    assert with_photo.status_code == 201, with_photo.content
    assert with_photo.json()["status"] == "checking"


def test_submitting_a_result_needs_an_after_photo(place):
    ticket = _in_handling(place)
    handler = client_for(place["handler"])
    refused = handler.post(f"/api/v1/tickets/{ticket.pk}/submit/", {}, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["attr"] == "photos"

    done = handler.post(
        f"/api/v1/tickets/{ticket.pk}/submit/", {"photos": [upload()]}, format="multipart"
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "handled"
    attach_event = TicketEvent.objects.get(ticket=ticket, action="submit")
    assert len(attach_event.data["photos"]) == 1
    assert Attachment.objects.get(ticket=ticket).phase == "after"


def test_photos_can_be_added_before_or_after(place):
    ticket = report(place)
    response = client_for(place["worker"]).post(
        f"/api/v1/tickets/{ticket.pk}/attach/",
        {"photos": [upload()], "phase": "before"},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    assert list(Attachment.objects.values_list("phase", flat=True)) == ["before"]
    assert TicketEvent.objects.filter(ticket=ticket, action="attach").count() == 1


def test_dispatch_gives_the_lead_and_each_cooperating_department_a_task(place):
    helper = people.department(district=place["grid"].district)
    ticket = _in_handling(place, lead_department=place["department"].pk)
    assert ticket.status == "in_handling"
    ticket = report(place)
    for action in ("accept", "file"):
        ticket = act(ticket, place["staff"], action)
    response = client_for(place["staff"]).post(
        f"/api/v1/tickets/{ticket.pk}/dispatch/",
        {"lead_department": place["department"].pk, "cooperating_departments": [helper.pk]},
        format="json",
    )
    assert response.status_code == 200, response.content
    tasks = client_for(place["staff"]).get(f"/api/v1/tickets/{ticket.pk}/tasks/").json()
    assert sorted((t["department"], t["role"], t["status"]) for t in tasks) == sorted(
        [(place["department"].pk, "lead", "pending"), (helper.pk, "cooperating", "pending")]
    )
    assert all(t["due_at"] == response.json()["stage_due_at"] for t in tasks)


def test_a_cooperating_department_sees_only_tickets_it_has_a_task_on(place):
    helper = people.department(district=place["grid"].district)
    cooperator = people.with_role("dept_handler", helper)
    linked = _in_handling(place, cooperating_departments=[helper.pk])
    other = _in_handling(place)

    seen = client_for(cooperator).get("/api/v1/tickets/").json()["results"]
    assert [row["id"] for row in seen] == [linked.pk]
    assert client_for(cooperator).get(f"/api/v1/tickets/{other.pk}/").status_code == 404


def test_the_lead_submits_only_when_cooperating_tasks_are_done_or_closed_out(place):
    helper = people.department(district=place["grid"].district)
    cooperator = people.with_role("dept_handler", helper)
    ticket = _in_handling(place, cooperating_departments=[helper.pk])
    handler = client_for(place["handler"])

    waiting = handler.post(
        f"/api/v1/tickets/{ticket.pk}/submit/", {"photos": [upload()]}, format="multipart"
    )
    assert waiting.status_code == 400
    assert waiting.json()["errors"][0]["attr"] == "close_out_reason"

    coop = client_for(cooperator)
    assert coop.post(f"/api/v1/tickets/{ticket.pk}/task-accept/", {}).status_code == 200
    # The lead may not finish another department's task.
    assert (
        handler.post(f"/api/v1/tickets/{ticket.pk}/task-done/", {"note": "ok"}).status_code == 403
    )
    done = coop.post(f"/api/v1/tickets/{ticket.pk}/task-done/", {"note": "管线已修复"})
    assert done.status_code == 200, done.content

    submitted = handler.post(
        f"/api/v1/tickets/{ticket.pk}/submit/", {"photos": [upload()]}, format="multipart"
    )
    assert submitted.status_code == 200, submitted.content
    statuses = dict(LinkageTask.objects.filter(ticket=ticket).values_list("role", "status"))
    assert statuses == {"lead": "done", "cooperating": "done"}


def test_the_lead_can_close_out_a_silent_cooperating_department_with_a_reason(place):
    helper = people.department(district=place["grid"].district)
    ticket = _in_handling(place, cooperating_departments=[helper.pk])
    submitted = client_for(place["handler"]).post(
        f"/api/v1/tickets/{ticket.pk}/submit/",
        {"photos": [upload()], "close_out_reason": "协办单位未响应，主办已完成"},
        format="multipart",
    )
    assert submitted.status_code == 200, submitted.content
    task = LinkageTask.objects.get(ticket=ticket, role="cooperating")
    assert (task.status, task.note) == ("closed_out", "协办单位未响应，主办已完成")


def test_dispatch_refuses_unknown_or_repeated_departments(place):
    ticket = report(place)
    for action in ("accept", "file"):
        ticket = act(ticket, place["staff"], action)
    staff = client_for(place["staff"])
    for body in (
        {"cooperating_departments": [999999]},
        {
            "lead_department": place["department"].pk,
            "cooperating_departments": [place["department"].pk],
        },
        {"to_grid": True, "cooperating_departments": [place["department"].pk]},
    ):
        response = staff.post(f"/api/v1/tickets/{ticket.pk}/dispatch/", body, format="json")
        assert response.status_code == 400, body
        assert response.json()["errors"][0]["attr"] == "cooperating_departments"
    assert not LinkageTask.objects.exists()
    assert Ticket.objects.get(pk=ticket.pk).status == "filed"


def test_a_case_is_not_dispatched_to_another_streets_office(place):
    other_street = factories.street(parent=place["grid"].district, number=2)
    elsewhere = people.department(district=place["grid"].district, street=other_street)
    ticket = report(place)
    for action in ("accept", "file"):
        ticket = act(ticket, place["staff"], action)
    response = client_for(place["staff"]).post(
        f"/api/v1/tickets/{ticket.pk}/dispatch/", {"lead_department": elsewhere.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "lead_department"
