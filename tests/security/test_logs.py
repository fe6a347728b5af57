"""Logs hold no secrets and no personal data: everything logged at DEBUG level over a
realistic day (a failed and a good sign-in in the browser, a phone's token sign-in and its
use, a resident registered and looked up by ID number, a case reported by phone with the
caller's number, a public report and an Open311 request with contact details, refused
inputs) is searched for the passwords, the token, SECRET_KEY, the resident's name, phone
and ID number (and its hash), and the reporters' numbers and e-mail.

SQL is not logged: Django logs queries only with DEBUG on, which production never is.
"""

from __future__ import annotations

import logging

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from incidents.models import Category
from incidents.services.tickets import ticket_create
from participation.personal_data import id_check_character, id_number_hash
from participation.services.open311 import open311_key_create
from personnel.services.roles import role_assignment_grant
from tests import people
from tests.participation.public_world import public_world

pytestmark = pytest.mark.django_db

PASSWORD = "Lantern-Quartz-7731-unique"
WRONG_PASSWORD = "Wrong-Password-4411-unique"
NAME = "欧阳秀兰"
PHONE = "13987654321"
ID_FIRST17 = "37083019850612004"
ID_NUMBER = ID_FIRST17 + id_check_character(ID_FIRST17)
CALLER_PHONE = "13711112222"
REPORTER_NAME = "司马文静"
REPORTER_PHONE = "13633334444"
OPEN311_PHONE = "13555556666"
OPEN311_EMAIL = "private.person@example.org"


def everything_logged(records: list[logging.LogRecord]) -> str:
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    lines = []
    for record in records:
        lines.append(formatter.format(record))
        lines.append(repr(record.args))
        extra = {
            k: v
            for k, v in vars(record).items()
            if k not in logging.LogRecord("", 0, "", 0, "", (), None).__dict__
        }
        lines.append(repr(extra))
    return "\n".join(lines)


def test_a_day_of_work_logs_no_secret_and_no_personal_data(caplog):
    caplog.set_level(logging.DEBUG)
    world = public_world()
    grid = world["grid"]
    worker = people.user("log.worker")
    worker.set_password(PASSWORD)
    worker.save()
    role_assignment_grant(granted_by=people.root(), user=worker, role="grid_worker", scope=grid)

    # The browser: a wrong password, then the right one.
    browser = Client()
    browser.post("/accounts/login/", {"username": "log.worker", "password": WRONG_PASSWORD})
    signed_in = browser.post("/accounts/login/", {"username": "log.worker", "password": PASSWORD})
    assert signed_in.status_code == 302

    # The phone: a token, used for the register.
    phone = APIClient()
    login = phone.post(
        "/api/v1/auth/login/",
        {"username": "log.worker", "password": PASSWORD, "device": "Pixel 7"},
        format="json",
    )
    assert login.status_code in (200, 201), login.content
    token = login.json()["token"]
    phone.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    body = {
        "grid": grid.pk,
        "building": "3",
        "name": NAME,
        "phone": PHONE,
        "id_number": ID_NUMBER,
    }
    created = phone.post("/api/v1/residents/", body, format="json")
    assert created.status_code == 201, created.content
    found = phone.post("/api/v1/residents/lookup/", {"id_number": ID_NUMBER}, format="json")
    assert found.status_code == 200 and len(found.json()) == 1
    wrong_digit = ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1")
    refused = phone.post("/api/v1/residents/", {**body, "id_number": wrong_digit}, format="json")
    assert refused.status_code == 400
    assert phone.get("/api/v1/residents/").status_code == 200

    # A case from the hotline with the caller's number, read back.
    ticket = ticket_create(
        reporter=None,
        source="hotline",
        category=Category.objects.get(code="E0101"),
        lat=grid.centroid_lat,
        lng=grid.centroid_lng,
        reporter_phone=CALLER_PHONE,
    )
    assert phone.get(f"/api/v1/tickets/{ticket.pk}/").status_code == 200

    # The public: a named report on the web form and an Open311 request.
    report = Client().post(
        "/public/report/",
        {
            "service": str(world["rubbish"].pk),
            "lat": str(grid.centroid_lat),
            "lng": str(grid.centroid_lng),
            "description": "垃圾桶满了",
            f"attr-{world['rubbish'].pk}-kind": "household",
            "name": REPORTER_NAME,
            "phone": REPORTER_PHONE,
            "email": "",
            "website": "",
        },
    )
    assert report.status_code == 302
    open311 = Client().post(
        "/open311/v2/requests.json",
        {
            "api_key": open311_key_create(name="Civic app")[1],
            "service_code": "E0201",
            "lat": str(grid.centroid_lat),
            "long": str(grid.centroid_lng),
            "description": "违停",
            "phone": OPEN311_PHONE,
            "email": OPEN311_EMAIL,
        },
    )
    assert open311.status_code == 200, open311.content
    assert phone.post("/api/v1/auth/logout/").status_code in (200, 204)

    logged = everything_logged(caplog.records)
    assert len(caplog.records) > 10 and "log.worker" in logged  # the capture works
    secrets = {
        "password": PASSWORD,
        "wrong password": WRONG_PASSWORD,
        "token": token,
        "token start": token[:12],
        "SECRET_KEY": settings.SECRET_KEY,
        "resident name": NAME,
        "resident phone": PHONE,
        "ID number": ID_NUMBER,
        "ID number hash": id_number_hash(ID_NUMBER),
        "caller phone": CALLER_PHONE,
        "reporter name": REPORTER_NAME,
        "reporter phone": REPORTER_PHONE,
        "Open311 phone": OPEN311_PHONE,
        "Open311 e-mail": OPEN311_EMAIL,
    }
    leaked = sorted(label for label, value in secrets.items() if value in logged)
    assert not leaked, f"the logs hold {leaked}"
