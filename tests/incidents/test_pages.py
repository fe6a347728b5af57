"""The incidents pages in the browser's place: queue, map, ticket page and its actions,
photos, the department inbox and the supervision orders."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from incidents.models import LinkageTask, Ticket, TicketEvent
from incidents.photos import Photo
from tests import people
from tests.incidents.cases import act, report

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def png_bytes(colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def png_upload(name: str = "photo.png", colour: str = "red") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(colour), content_type="image/png")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def filed(place, **fields) -> Ticket:
    ticket = report(place, **fields)
    ticket = act(ticket, place["staff"], "accept")
    return act(ticket, place["staff"], "file")


def in_handling(place) -> Ticket:
    ticket = act(filed(place), place["staff"], "dispatch")
    return act(ticket, place["handler"], "take")


def post_action(client: Client, ticket: Ticket, action: str, **fields):
    body = {"version": ticket.version, **fields}
    return client.post(f"/incidents/{ticket.pk}/act/{action}/", body)


# --------------------------------------------------------------------------- the pages


def test_every_page_renders_for_street_staff_and_shows_the_ticket(place):
    ticket = report(place, title="井盖缺失")
    due = (timezone.now() + timedelta(days=1)).isoformat()
    act(ticket, place["supervisor"], "supervise", note="太慢", data={"level": "red", "due_at": due})
    staff = client_for(place["staff"])

    for url in ("/incidents/", "/incidents/map/", f"/incidents/{ticket.pk}/"):
        response = staff.get(url)
        assert response.status_code == 200, url
        assert ticket.number in response.content.decode(), url
    supervision = staff.get("/incidents/supervision/")
    assert supervision.status_code == 200
    assert ticket.number in supervision.content.decode() and "太慢" in supervision.content.decode()
    assert staff.get("/incidents/inbox/").status_code == 200

    page = staff.get(f"/incidents/{ticket.pk}/").content.decode()
    assert "井盖缺失" in page and 'id="ticket-map"' in page
    # Only what street staff may do on a new report: accept it, not dispatch it.
    assert "/act/accept/" in page and "/act/dispatch/" not in page


def test_pages_need_signing_in(place):
    ticket = report(place)
    for url in ("/incidents/", "/incidents/map/", f"/incidents/{ticket.pk}/", "/incidents/inbox/"):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_ticket_outside_the_users_scope_is_a_404(place):
    ticket = report(place)
    outsider = client_for(place["outsider"])
    assert outsider.get(f"/incidents/{ticket.pk}/").status_code == 404
    assert post_action(outsider, ticket, "comment", note="x").status_code == 404
    assert ticket.number not in outsider.get("/incidents/").content.decode()
    assert ticket.number not in outsider.get("/incidents/map/").content.decode()
    # Actions that are not the ticket page's, or no action at all, are not found either.
    staff = client_for(place["staff"])
    assert post_action(staff, ticket, "report").status_code == 404
    assert post_action(staff, ticket, "nonsense").status_code == 404
    assert staff.get(f"/incidents/{ticket.pk}/act/accept/").status_code == 405


# --------------------------------------------------------------------------- the queue


def test_the_queue_filters_and_counts_by_status(place):
    first = report(place, title="垃圾一")
    report(place, title="垃圾二")
    act(report(place, title="井盖"), place["staff"], "accept")
    staff = client_for(place["staff"])

    everything = staff.get("/incidents/")
    chips = {chip["status"]: chip["count"] for chip in everything.context["chips"]}
    assert chips == {"reported": 2, "accepted": 1}
    assert everything.context["total"] == 3
    assert len(everything.context["page"].object_list) == 3

    reported = staff.get("/incidents/", {"status": "reported"})
    assert {t.title for t in reported.context["page"]} == {"垃圾一", "垃圾二"}
    # The chips count across statuses under the other filters.
    assert {c["status"]: c["count"] for c in reported.context["chips"]} == chips

    text = staff.get("/incidents/", {"q": "井盖"})  # in the title
    assert {c["status"]: c["count"] for c in text.context["chips"]} == {"accepted": 1}
    assert staff.get("/incidents/", {"q": first.number}).context["total"] == 1
    assert staff.get("/incidents/", {"mine": "on"}).context["total"] == 0
    # A filter that does not validate is left out and shown, not a 500 or an empty queue.
    bad = staff.get("/incidents/", {"grid": "abc", "status": "reported"})
    assert bad.status_code == 200 and bad.context["form"].errors["grid"]
    assert bad.context["page"].paginator.count == 2


def test_the_queue_puts_red_first_then_the_earliest_due(place):
    late, early, red = (report(place, title=name) for name in ("late", "early", "red"))
    now = timezone.now()
    Ticket.objects.filter(pk=late.pk).update(stage_due_at=now + timedelta(hours=5))
    Ticket.objects.filter(pk=early.pk).update(stage_due_at=now + timedelta(hours=1))
    Ticket.objects.filter(pk=red.pk).update(stage_due_at=now + timedelta(hours=9), sla_colour="red")
    page = client_for(place["staff"]).get("/incidents/").context["page"]
    assert [t.title for t in page] == ["red", "early", "late"]


def test_the_queue_reads_a_fixed_number_of_queries_whatever_the_rows(place):
    staff = client_for(place["staff"])

    def queue_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = staff.get("/incidents/")
        assert response.status_code == 200
        return len(queries)

    def add(count: int) -> None:
        for _n in range(count):
            # With a lead department and an assignee, the relations the rows show.
            act(act(filed(place), place["staff"], "dispatch"), place["handler"], "take")

    add(5)
    few = queue_queries()
    add(25)
    assert queue_queries() == few


# --------------------------------------------------------------------------- the map


def test_the_map_shows_open_tickets_only_and_says_when_it_is_capped(place, monkeypatch):
    tickets = [report(place, title=f"case {n}") for n in range(4)]
    act(tickets[0], place["staff"], "reject", note="not ours")
    Ticket.objects.filter(pk=tickets[3].pk).update(sla_colour="red")
    staff = client_for(place["staff"])

    response = staff.get("/incidents/map/")
    markers = response.context["map_data"]["tickets"]
    assert {marker["id"] for marker in markers} == {t.pk for t in tickets[1:]}
    assert markers[0]["id"] == tickets[3].pk and markers[0]["colour"] == "red"
    grid_ids = {f["id"] for f in response.context["map_data"]["grids"]["features"]}
    assert place["grid"].pk in grid_ids  # the street's grids are drawn
    assert not response.context["capped"] and 'id="map-capped"' not in response.content.decode()

    monkeypatch.setattr("incidents.views.maps.MAP_TICKET_LIMIT", 2)
    capped = staff.get("/incidents/map/")
    assert capped.context["capped"] and capped.context["total"] == 3
    shown = capped.context["map_data"]["tickets"]
    assert len(shown) == 2 and shown[0]["id"] == tickets[3].pk
    assert "Showing the 2 most urgent of 3 open tickets" in capped.content.decode()


# --------------------------------------------------------------------------- actions


def test_an_action_changes_the_status_and_says_so(place):
    ticket = report(place)
    staff = client_for(place["staff"])
    response = post_action(staff, ticket, "accept")
    assert response.status_code == 302 and response["Location"] == f"/incidents/{ticket.pk}/"
    ticket.refresh_from_db()
    assert ticket.status == "accepted"
    page = staff.get(response["Location"]).content.decode()
    assert "Done: accept." in page


def test_a_stale_page_changes_nothing_and_asks_to_reload(place):
    ticket = report(place)
    seen = ticket.version
    act(ticket, place["staff"], "comment", note="someone else was quicker")
    events = TicketEvent.objects.filter(ticket=ticket).count()

    response = client_for(place["staff"]).post(
        f"/incidents/{ticket.pk}/act/accept/", {"version": seen}
    )
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "reported" and ticket.version == seen + 1
    assert TicketEvent.objects.filter(ticket=ticket).count() == events


def test_a_refused_action_shows_why_and_changes_nothing(place):
    ticket = report(place)
    response = post_action(client_for(place["staff"]), ticket, "reject", note="  ")
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "reported"
    # An action the status does not offer is a 409 naming both.
    refused = post_action(client_for(place["staff"]), ticket, "dispatch")
    assert refused.status_code == 409
    assert "is not possible while the ticket is reported" in refused.content.decode()


def test_the_dispatch_form_creates_the_lead_and_cooperating_tasks(place):
    ticket = filed(place)
    helper = people.department(district=place["grid"].district)
    staff = client_for(place["staff"])
    form = staff.get(f"/incidents/{ticket.pk}/").content.decode()
    assert f'value="{helper.pk}"' in form and 'name="cooperating_departments"' in form

    response = post_action(
        staff,
        ticket,
        "dispatch",
        lead_department=place["department"].pk,
        cooperating_departments=[helper.pk],
    )
    assert response.status_code == 302, response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "dispatched" and ticket.lead_department == place["department"]
    assert set(LinkageTask.objects.filter(ticket=ticket).values_list("department", "role")) == {
        (place["department"].pk, "lead"),
        (helper.pk, "cooperating"),
    }


def test_the_dispatch_form_refuses_a_lead_that_also_cooperates(place):
    ticket = filed(place)
    department = place["department"].pk
    response = post_action(
        client_for(place["staff"]),
        ticket,
        "dispatch",
        lead_department=department,
        cooperating_departments=[department],
    )
    assert response.status_code == 400
    assert "The lead department cannot also cooperate." in response.content.decode()
    assert not LinkageTask.objects.filter(ticket=ticket).exists()


def test_the_inbox_shows_the_cooperating_department_its_task(place):
    ticket = filed(place, title="联动案件")
    helper = people.department(district=place["grid"].district)
    helper_handler = people.with_role("dept_handler", helper)
    act(
        ticket,
        place["staff"],
        "dispatch",
        data={"lead_department": place["department"].pk, "cooperating_departments": [helper.pk]},
    )
    inbox = client_for(helper_handler).get("/incidents/inbox/")
    assert inbox.status_code == 200
    rows = list(inbox.context["page"])
    assert [(task.ticket_id, task.role) for task in rows] == [(ticket.pk, "cooperating")]
    assert ticket.number in inbox.content.decode()
    assert (
        client_for(place["outsider"]).get("/incidents/inbox/").context["page"].paginator.count == 0
    )

    # The cooperating department opens the ticket and accepts its own task there.
    page = client_for(helper_handler).get(f"/incidents/{ticket.pk}/").content.decode()
    assert "/act/task_accept/" in page
    ticket.refresh_from_db()
    task = rows[0]
    response = post_action(client_for(helper_handler), ticket, "task_accept", task=task.pk)
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "accepted"


def test_the_extension_form_previews_through_the_calendar_api(place):
    ticket = in_handling(place)
    page = client_for(place["staff"]).get(f"/incidents/{ticket.pk}/").content.decode()
    assert (
        "data-extension-form" in page and 'data-deadline-url="/api/v1/calendar/deadline/"' in page
    )
    response = post_action(
        client_for(place["staff"]), ticket, "approve_extension", amount=2, unit="hours"
    )
    assert response.status_code == 302
    before = ticket.stage_due_at
    ticket.refresh_from_db()
    assert ticket.stage_due_at == before + timedelta(hours=2)


def test_submitting_with_an_after_photo_through_the_page(place):
    ticket = in_handling(place)
    handler = client_for(place["handler"])
    without = post_action(handler, ticket, "submit")
    assert without.status_code == 400
    assert "Add at least one photo taken after handling." in without.content.decode()

    response = handler.post(
        f"/incidents/{ticket.pk}/act/submit/",
        {"version": ticket.version, "photos": [png_upload()]},
    )
    assert response.status_code == 302, response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "handled"
    assert ticket.attachments.filter(phase="after").count() == 1


def test_a_photo_too_large_is_a_form_error(place, settings):
    ticket = report(place)
    settings.PHOTO_MAX_BYTES = 10
    response = client_for(place["staff"]).post(
        f"/incidents/{ticket.pk}/act/attach/",
        {"version": ticket.version, "phase": "before", "photos": [png_upload()]},
    )
    assert response.status_code == 400
    assert "Photo too large" in response.content.decode()
    assert not ticket.attachments.exists()


def test_duplicates_are_suggested_and_merged_from_the_page(place):
    original = report(place, title="原案")
    duplicate = report(place, title="重复")
    staff = client_for(place["staff"])
    page = staff.get(f"/incidents/{duplicate.pk}/")
    assert [other.pk for other, _metres in page.context["duplicates"]] == [original.pk]
    assert 'id="duplicates"' in page.content.decode() and page.context["may_merge"]

    response = post_action(staff, duplicate, "merge", duplicate_of=original.pk)
    assert response.status_code == 302, response.content.decode()
    duplicate.refresh_from_db()
    assert duplicate.status == "rejected" and duplicate.duplicate_of == original


def test_the_ticket_page_offers_every_form_along_the_closed_loop(place, admin_user):
    """A superuser holds every role: each status's forms are built and rendered."""
    admin = client_for(admin_user)
    upload = SimpleUploadedFile("after.png", png_bytes(), content_type="image/png")
    steps = [
        ("staff", "accept", {}),
        ("staff", "file", {}),
        ("staff", "dispatch", {}),
        ("handler", "take", {}),
        ("handler", "submit", {"data": {"photos": [Photo(file=upload, phase="after")]}}),
        ("worker", "start_check", {}),
        ("worker", "close", {}),
    ]
    ticket = report(place)
    for actor, action, kwargs in [(None, None, None), *steps]:
        if action:
            ticket = act(ticket, place[actor], action, **kwargs)
        response = admin.get(f"/incidents/{ticket.pk}/")
        assert response.status_code == 200, ticket.status
        shown = {form.action for form in response.context["action_forms"]}
        assert shown, ticket.status
    assert "rate" in shown and 'name="satisfaction"' in response.content.decode()


# --------------------------------------------------------------------------- photos


def test_a_photo_is_streamed_to_the_scope_only(place):
    ticket = report(place)
    content = png_bytes("blue")
    upload = SimpleUploadedFile("x.png", content, content_type="image/png")
    act(ticket, place["staff"], "attach", data={"photos": [Photo(file=upload, phase="before")]})
    photo = ticket.attachments.get()

    response = client_for(place["staff"]).get(f"/incidents/photos/{photo.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == content
    assert "private" in response["Cache-Control"]

    assert client_for(place["outsider"]).get(f"/incidents/photos/{photo.pk}/").status_code == 404
    assert Client().get(f"/incidents/photos/{photo.pk}/").status_code == 302  # sign in first
    page = client_for(place["staff"]).get(f"/incidents/{ticket.pk}/").content.decode()
    assert f'src="/incidents/photos/{photo.pk}/"' in page


# --------------------------------------------------------------------------- supervision


def test_a_supervisor_issues_an_order_from_the_ticket_page(place):
    ticket = report(place)
    response = post_action(
        client_for(place["supervisor"]),
        ticket,
        "supervise",
        level="red",
        due_at="2099-01-01T10:00",
        note="逾期未处理",
    )
    assert response.status_code == 302, response.content.decode()
    order = ticket.supervision_orders.get()
    assert order.level == "red" and order.reason == "逾期未处理"
    assert timezone.localtime(order.due_at).strftime("%Y-%m-%d %H:%M") == "2099-01-01 10:00"


def test_supervision_orders_show_overdue_ones_and_are_answered_on_the_ticket(place):
    ticket = report(place)
    due = (timezone.now() + timedelta(hours=1)).isoformat()
    act(
        ticket,
        place["supervisor"],
        "supervise",
        note="请尽快",
        data={"level": "yellow", "due_at": due},
    )
    order = ticket.supervision_orders.get()
    type(order).objects.filter(pk=order.pk).update(due_at=timezone.now() - timedelta(minutes=5))

    listing = client_for(place["supervisor"]).get("/incidents/supervision/")
    assert [row["overdue"] for row in listing.context["rows"]] == [True]

    ticket.refresh_from_db()
    response = post_action(
        client_for(place["staff"]), ticket, "answer_supervision", order=order.pk, note="已处理"
    )
    assert response.status_code == 302, response.content.decode()
    order.refresh_from_db()
    assert order.status == "answered" and order.answer == "已处理"


def test_category_names_follow_the_readers_language(place):
    category = place["category"]
    category.name_en = "Exposed rubbish"
    category.save(update_fields=["name_en"])
    ticket = report(place)
    client = Client()
    client.force_login(place["staff"])
    pages = {}
    for language in ("en", "zh-hans"):
        client.cookies["django_language"] = language
        pages[language] = client.get(f"/incidents/{ticket.pk}/").content.decode()
    assert "Exposed rubbish" in pages["en"]
    assert "暴露垃圾" in pages["zh-hans"] and "Exposed rubbish" not in pages["zh-hans"]
