"""Every browser (HTML) route and method against every kind of caller.

The API has its matrix (tests/gridgov/test_authorization_matrix.py); this one covers the rest
of the URLconf: every named route outside /api/, /open311/, /admin/ and /i18n/ (Django's
admin and set_language are Django's own, and keep Django's own checks), as listed by
``tests.api_routes.html_routes()``. A new route without an entry fails
``test_html_matrix_covers_every_route``, and so does an entry for a route that is gone. A
route whose path names a step or an action (``incidents:act``, ``funding:request-step``,
``participation:survey-step``) has a row per step, keyed ``name[step]``; a page whose query
changes what it shows (the dashboard's scope, the reports' CSV export) has a row per query.

Columns are callers, in the world of ``tests.matrix_world`` (see the API matrix):

* anonymous: not signed in; plain: signed in, no role;
* worker: grid_worker on G (reported the ticket, owns the notification and the score);
* outsider: grid_worker on G2, the next grid of the same community;
* department: dept_handler of a department of the district with no task on the ticket;
* staff: street_staff of G's street; supervisor: supervisor of the district (issued the
  ticket's supervision order);
* finance: finance_officer of G's street, keeper of its books (asked for the expenditure);
* other_finance: finance_officer of the district's other street (keeps other books);
* admin: superuser.

Outcomes: OK (2xx); LOGIN (302 to the sign-in page: anonymous on a staff page, and
anyone signing out); REDIRECT (another 302: done, then back to a page); DENIED (403: in
scope, but not allowed); HIDDEN (404: outside the caller's scope, or nothing there);
INVALID (400: a form re-rendered with its errors; a page that re-renders a refused form
with 200, as Django's sign-in does, counts as OK); CONFLICT (409: the object's state does
not offer the step). Expected outcomes follow the scope rules (ARCHITECTURE.md,
Permissions: outside one's scope is a 404, never a 403), not what the code happened to do.

A status is not enough for a page that answers 200 to everyone: ``SHOWN`` names what some
pages must show of the world, and to whom exactly: the links to its objects (a list must
not show a row its reader could not open), the forms of its actions (offered to those
whose post would go through), and personal data unmasked (to the roles that need it).

GET is asked of every route, POST of every route whose view takes it, with a small valid
body where one can be written (so that a write's authorization is really exercised, not
stopped by form validation first) and an empty one otherwise; views without a method
restriction answer a POST as a GET. The world is built once for the module inside a
transaction that is rolled back at the end; each caller's request runs in a savepoint that
is rolled back, so one caller's write never changes what the next one meets. Each caller
comes from an address of their own, as different people do, so the public pages' limits
per address are not what is tested here (tests/security/test_rate_limits.py is).
"""

from __future__ import annotations

import re
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from funding.models import ExpenditureRequest
from funding.services.ledger import chart_ensure
from funding.services.receipts import receipt_add
from incidents.models import Ticket
from participation.models import Activity, PublicReport, PublicReportPhoto, PublicService
from participation.services.community import activity_signup, volunteer_create
from participation.services.public_reports import public_report_submit
from tests import factories, people
from tests.api_routes import Route
from tests.incidents.cases import upload
from tests.matrix_world import build_world
from tests.security.html_matrix_expected import (
    CALLERS,
    CASES,
    CONFLICT,
    DENIED,
    HIDDEN,
    INVALID,
    LOGIN,
    MATRIX,
    OK,
    PATH_VARIANTS,
    REDIRECT,
    VARIANT_ARGUMENT,
    _label,
)
from tests.security.html_matrix_requests import (
    BODY,
    QUERY,
    SHOWN,
    URL_KWARGS,
)


def test_html_matrix_covers_every_route():
    keys = {(_label(route, variant), method) for route, method, variant in CASES}
    missing = sorted(keys - MATRIX.keys())
    stale = sorted(MATRIX.keys() - keys)
    assert not missing, f"HTML routes without an authorization-matrix entry: {missing}"
    assert not stale, f"matrix entries for HTML routes that no longer exist: {stale}"
    unbuilt = sorted(
        {route.name for route, _m, _v in CASES if "<" in route.pattern} - URL_KWARGS.keys()
    )
    assert not unbuilt, f"HTML routes with path arguments the matrix cannot fill: {unbuilt}"
    assert not [label for label in SHOWN if (label, "GET") not in MATRIX]


def _more(w: dict) -> dict:
    """What the browser pages need beyond the API matrix's world: the other street's
    finance officer (with books of their own), a receipt of the expenditure, a public report
    with a photo, a second volunteer signed up for the activity, and the ids and versions
    the forms carry."""
    grid = w["refs"]["grid"]
    other_street = factories.street(parent=grid.district, number=2)
    w["callers"]["other_finance"] = people.with_role(
        "finance_officer", other_street, "matrix-other-finance"
    )
    chart_ensure(entity=other_street)  # books of their own, so the ledger has theirs to show
    w["callers"]["finance"] = w["refs"]["finance"]
    expenditure = ExpenditureRequest.objects.get(pk=w["ids"]["funding-expenditure"])
    receipt = receipt_add(request=expenditure, file=upload(), uploaded_by=w["refs"]["finance"])
    service = PublicService.objects.get()
    with_photo, _token = public_report_submit(
        channel="web",
        service=service,
        description="井盖缺失",
        lat=grid.centroid_lat,
        lng=grid.centroid_lng,
        anonymous=True,
        photos=[upload()],
    )
    report = PublicReport.objects.get(pk=w["ids"]["public-report"])
    activity = Activity.objects.get(pk=w["ids"]["activity"])
    helper = volunteer_create(
        created_by=people.root(), community=grid.community, user=people.user("matrix-helper")
    )
    signup = activity_signup(activity=activity, volunteer=helper, by=people.root())
    expenditure.refresh_from_db()
    return {
        "ticket_version": Ticket.objects.get(pk=w["ids"]["ticket"]).version,
        "case": w["refs"]["case"].pk,
        "budget_line": expenditure.budget_line_id,
        "expenditure_version": expenditure.version,
        "receipt": receipt.pk,
        "report_photo": PublicReportPhoto.objects.get(report=with_photo).pk,
        "report_reference": report.reference,
        "service": service.pk,
        "signup": signup.pk,
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, _media_dir):
    """The world, built once for the module in a transaction rolled back at its end, with a
    signed-in session per caller (the session rows live in that transaction too)."""
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=hashers, MEDIA_ROOT=str(_media_dir)),
        translation.override("en"),
        transaction.atomic(),
    ):
        w = build_world()
        w["more"] = _more(w)
        sessions = {}
        for name, user in w["callers"].items():
            client = Client()
            client.force_login(user)
            sessions[name] = client.cookies[settings.SESSION_COOKIE_NAME].value
        w["sessions"] = sessions
        # One client per caller for the module: each new Client loads the middleware afresh,
        # and WhiteNoise's scans every static file when it loads (a client per request
        # spent most of this file's time there). Each caller comes from an address of
        # their own, as different people do.
        w["clients"] = {
            name: Client(REMOTE_ADDR=f"10.20.30.{number + 1}", raise_request_exception=False)
            for number, name in enumerate(CALLERS)
        }
        yield w
        transaction.set_rollback(True)


def _client(w: dict, caller: str) -> Client:
    """The caller's client with only their session cookie: whatever an earlier request set
    (a message, a new session after signing out) must not follow them into this one."""
    client = w["clients"][caller]
    client.cookies = SimpleCookie()
    if caller != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = w["sessions"][caller]
    return client


def _outcome(response) -> str:
    status = response.status_code
    # The health probe answers 503 while a service is slow (a loaded CI machine): it was
    # still served, which is all the matrix asks of it.
    if 200 <= status < 300 or (status == 503 and response.request["PATH_INFO"] == "/healthz"):
        return OK
    if status in (301, 302, 303):
        to_login = response["Location"].split("?")[0] == reverse("login")
        return LOGIN if to_login else REDIRECT
    return {403: DENIED, 404: HIDDEN, 400: INVALID, 409: CONFLICT}.get(
        status, f"unexpected {status}"
    )


def _missed(response, w: dict, label: str, caller: str) -> list[str]:
    """What the page shows that this caller must not see, or misses that they must."""
    page = response.content.decode(errors="replace")
    wrong = []
    for pattern, seers in SHOWN.get(label, ()):
        found = re.search(pattern(w), page) is not None
        if found != (caller in seers):
            wrong.append(f"{'shows' if found else 'misses'} {pattern(w).replace(chr(92), '')}")
    return wrong


def _target(route: Route, variant: str, w: dict) -> str:
    kwargs = URL_KWARGS[route.name](w) if route.name in URL_KWARGS else {}
    if route.name in PATH_VARIANTS:
        kwargs[VARIANT_ARGUMENT[route.name]] = variant
    url = reverse(route.name, kwargs=kwargs or None)
    label = _label(route, variant)
    query = QUERY[label](w) if label in QUERY else {}
    return f"{url}?{urlencode(query)}" if query else url


@pytest.mark.parametrize(
    ("route", "method", "variant"),
    CASES,
    ids=[f"{_label(route, variant)}:{method}" for route, method, variant in CASES],
)
def test_html_route_answers_each_caller_as_the_matrix_says(route, method, variant, world, db):
    label = _label(route, variant)
    expected = MATRIX.get((label, method))
    if expected is None:
        pytest.fail(f"no matrix entry for {label} {method}")
    target = _target(route, variant, world)
    got = {}
    for caller in CALLERS:
        client = _client(world, caller)
        with transaction.atomic():
            if method == "GET":
                response = client.get(target)
            elif method == "POST":
                # Made afresh for each caller: an uploaded file is read once.
                body = BODY[route.name](world) if route.name in BODY else {}
                response = client.post(target, body)
            else:
                response = client.generic(method, target)
            transaction.set_rollback(True)
        got[caller] = _outcome(response)
        if response.streaming:
            # Read to the end: the test client's wrapper then closes the file (a close() of
            # our own would fire request_finished, which closes the connection mid-transaction).
            b"".join(response.streaming_content)
        elif method == "GET":
            missed = _missed(response, world, label, caller)
            if missed:
                got[caller] += f" (but {', '.join(missed)})"
    wrong = [
        f"{caller}: {got[caller]}, the matrix says {expected[caller]}"
        for caller in CALLERS
        if got[caller] != expected[caller]
    ]
    assert not wrong, f"{method} {target}: " + "; ".join(wrong)
