"""The personnel back office is scoped by role: each user sees and edits only their scope,
through the same selectors and services as the API (Django's test client, no browser)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from personnel.models import (
    Attendance,
    Certificate,
    Course,
    Department,
    GridAssignment,
    GridWorker,
    Notification,
    RoleAssignment,
    TrainingSession,
    User,
)
from personnel.services.notifications import notify
from personnel.services.workers import grid_assignment_create
from tests import factories, people

pytestmark = pytest.mark.django_db

ADMIN = "/admin/personnel"
PAGES = (
    "department",
    "gridworker",
    "gridassignment",
    "roleassignment",
    "user",
    "course",
    "trainingsession",
    "attendance",
    "certificate",
    "patrolsession",
    "notification",
)
PHONE = "13800138000"


@pytest.fixture
def town():
    street1 = factories.street(number=1)
    street2 = factories.street(number=2)
    community1 = factories.community(parent=street1)
    community2 = factories.community(parent=street2)
    return {
        "district": street1.district,
        "street1": street1,
        "street2": street2,
        "grid1": factories.grid(parent=community1, number=1),
        "grid2": factories.grid(parent=community1, number=2),
        "grid_street2": factories.grid(parent=community2, number=1),
    }


@pytest.fixture
def staff(town):
    """Street-office staff of street 1, with back-office access."""
    return people.with_role("street_staff", town["street1"], "staff1", is_staff=True)


@pytest.fixture
def both_streets(town):
    """A worker, an assignment and a department in each street."""
    made = {}
    for key, grid in (("1", town["grid1"]), ("2", town["grid_street2"])):
        worker = people.worker_profile(people.user(f"worker{key}"), street=grid.street)
        made[f"worker{key}"] = worker
        made[f"assignment{key}"] = grid_assignment_create(
            created_by=people.root(), worker=worker, grid=grid, kind="primary"
        )
        made[f"department{key}"] = people.department(street=grid.street)
    return made


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def listed(client: Client, model: str) -> set[int]:
    response = client.get(f"{ADMIN}/{model}/")
    assert response.status_code == 200
    return {obj.pk for obj in response.context["cl"].result_list}


def choices(response, field: str) -> set[int]:
    queryset = response.context["adminform"].form.fields[field].queryset
    return set(queryset.values_list("pk", flat=True))


def test_street_staff_see_only_their_streets_rows(staff, both_streets):
    client = signed_in(staff)

    assert listed(client, "gridworker") == {both_streets["worker1"].pk}
    assert listed(client, "gridassignment") == {both_streets["assignment1"].pk}
    assert listed(client, "department") == {both_streets["department1"].pk}
    other = both_streets["worker2"]
    response = client.get(f"{ADMIN}/gridworker/{other.pk}/change/")
    assert response.status_code == 302  # "doesn't exist", back to the list
    assert GridWorker.objects.get(pk=other.pk).version == 1


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_for_street_staff(staff, both_streets, page):
    client = signed_in(staff)

    assert client.get(f"{ADMIN}/{page}/").status_code == 200


def test_assignment_add_form_offers_only_the_streets_grids_and_workers(town, staff, both_streets):
    response = signed_in(staff).get(f"{ADMIN}/gridassignment/add/")

    assert response.status_code == 200
    assert choices(response, "grid") == {town["grid1"].pk, town["grid2"].pk}
    assert choices(response, "worker") == {both_streets["worker1"].pk}


def test_assignment_added_in_the_admin_goes_through_the_service(town, staff, both_streets):
    worker = both_streets["worker1"]
    client = signed_in(staff)
    today = timezone.localdate().isoformat()
    form = {"worker": worker.pk, "grid": town["grid2"].pk, "kind": "primary", "since": today}

    response = client.post(f"{ADMIN}/gridassignment/add/", form)

    assert response.status_code == 302
    created = GridAssignment.objects.get(worker=worker, grid=town["grid2"])
    assert created.role_assignment.grid == town["grid2"]
    assert created.created_by == staff


def test_a_second_primary_is_a_form_error_unless_replacing(town, staff, both_streets):
    newcomer = people.worker_profile(people.user(), street=town["street1"])
    client = signed_in(staff)
    form = {
        "worker": newcomer.pk,
        "grid": town["grid1"].pk,
        "kind": "primary",
        "since": timezone.localdate().isoformat(),
    }

    refused = client.post(f"{ADMIN}/gridassignment/add/", form)
    replaced = client.post(f"{ADMIN}/gridassignment/add/", {**form, "replace_primary": "on"})

    assert refused.status_code == 200
    assert "already has a primary worker" in str(refused.context["adminform"].form.errors["grid"])
    assert replaced.status_code == 302
    old = GridAssignment.objects.get(pk=both_streets["assignment1"].pk)
    assert old.until == timezone.localdate()
    assert GridAssignment.objects.get(grid=town["grid1"], until__isnull=True).worker == newcomer


def test_end_selected_ends_assignments_and_their_access(staff, both_streets):
    assignment = both_streets["assignment1"]

    response = signed_in(staff).post(
        f"{ADMIN}/gridassignment/",
        {"action": "end_selected", "_selected_action": [assignment.pk]},
    )

    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.until == timezone.localdate()
    assert assignment.role_assignment.state == "ended"


def test_role_grant_outside_the_granting_rule_is_a_form_error(town, staff):
    newcomer = people.user("newcomer")
    client = signed_in(staff)
    now = timezone.localtime()
    grant = {
        "user": newcomer.pk,
        "valid_from_0": now.date().isoformat(),
        "valid_from_1": now.strftime("%H:%M:%S"),
        "note": "",
    }

    above = client.post(
        f"{ADMIN}/roleassignment/add/",
        {
            **grant,
            "role": "street_staff",
            "scope_type": "district",
            "district": town["district"].pk,
        },
    )
    elsewhere = client.post(
        f"{ADMIN}/roleassignment/add/",
        {**grant, "role": "grid_worker", "scope_type": "grid", "grid": town["grid_street2"].pk},
    )
    allowed = client.post(
        f"{ADMIN}/roleassignment/add/",
        {**grant, "role": "grid_worker", "scope_type": "grid", "grid": town["grid1"].pk},
    )

    assert above.status_code == 200
    refusal = above.context["adminform"].form.non_field_errors()
    assert "at or below your own, inside your own scope" in str(refusal)
    assert elsewhere.status_code == 200
    assert "grid" in elsewhere.context["adminform"].form.errors  # not among the choices
    assert allowed.status_code == 302
    granted = RoleAssignment.objects.get(user=newcomer)
    assert (granted.role, granted.grid, granted.granted_by) == ("grid_worker", town["grid1"], staff)


def test_role_assignments_are_revoked_not_edited_or_deleted(town, staff):
    worker = people.with_role("grid_worker", town["grid1"])
    assignment = RoleAssignment.objects.get(user=worker)
    client = signed_in(staff)

    page = client.get(f"{ADMIN}/roleassignment/{assignment.pk}/change/")
    deleted = client.post(f"{ADMIN}/roleassignment/{assignment.pk}/delete/", {"post": "yes"})
    revoked = client.post(
        f"{ADMIN}/roleassignment/",
        {"action": "revoke_selected", "_selected_action": [assignment.pk]},
    )

    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert deleted.status_code == 403
    assert revoked.status_code == 302
    assignment.refresh_from_db()
    assert (assignment.state, assignment.ended_by) == ("ended", staff)


def test_worker_phones_are_masked_in_the_admin_below_street_staff(town, staff, both_streets):
    supervisor = people.with_role("supervisor", town["street1"], is_staff=True)
    worker = both_streets["worker1"]

    masked = signed_in(supervisor).get(f"{ADMIN}/gridworker/")
    masked_form = signed_in(supervisor).get(f"{ADMIN}/gridworker/{worker.pk}/change/")
    full = signed_in(staff).get(f"{ADMIN}/gridworker/")

    assert "138****8000" in masked.content.decode()
    assert PHONE not in masked.content.decode()
    assert PHONE not in masked_form.content.decode()
    assert PHONE in full.content.decode()


def test_a_department_above_the_street_is_a_form_error(town, staff):
    form = {
        "code": "CG-02",
        "name": "城管",
        "kind": "urban_management",
        "district": town["district"].pk,
        "street": "",
        "active": "on",
    }

    response = signed_in(staff).post(f"{ADMIN}/department/add/", form)

    assert response.status_code == 200
    assert "your own street or district" in str(response.context["adminform"].form.errors)
    assert not Department.objects.exists()


def test_a_stale_worker_edit_is_a_form_error(staff, both_streets):
    worker = both_streets["worker1"]
    GridWorker.objects.filter(pk=worker.pk).update(version=2)  # someone saved meanwhile
    form = {
        "street": worker.street_id,
        "employee_number": worker.employee_number,
        "employment_type": "part_time",
        "origin": worker.origin,
        "hire_date": worker.hire_date.isoformat(),
        "phone": worker.phone,
        "status": worker.status,
        "expected_version": 1,
    }

    response = signed_in(staff).post(f"{ADMIN}/gridworker/{worker.pk}/change/", form)

    assert response.status_code == 200
    assert "Someone else changed this record" in str(response.context["adminform"].form.errors)
    assert GridWorker.objects.get(pk=worker.pk).employment_type == "full_time"


def test_non_superusers_cannot_touch_superuser_fields_or_accounts(town, staff):
    worker = people.with_role("grid_worker", town["grid1"], "gw")
    client = signed_in(staff)

    form_page = client.get(f"{ADMIN}/user/{worker.pk}/change/")
    fields = form_page.context["adminform"].form.fields
    root_page = client.get(f"{ADMIN}/user/{people.root().pk}/change/")

    assert form_page.status_code == 200
    assert not {"is_superuser", "groups", "user_permissions"} & set(fields)
    assert root_page.status_code == 302  # outside the list
    assert listed(client, "user") == {staff.pk, worker.pk}

    post = {
        "username": "gw",
        "is_active": "on",
        "is_superuser": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }
    client.post(f"{ADMIN}/user/{worker.pk}/change/", post)
    assert not User.objects.get(pk=worker.pk).is_superuser


def test_notifications_show_ones_own_only(staff):
    Notification.objects.filter(user=staff).delete()  # the notice of the role granted
    notify(user=staff, title="mine")
    notify(user=people.root(), title="not mine")

    titles = {
        Notification.objects.get(pk=pk).title for pk in listed(signed_in(staff), "notification")
    }

    assert titles == {"mine"}


@pytest.mark.parametrize("page", PAGES)
def test_every_add_and_change_page_renders_for_a_superuser(admin_client, both_streets, page):
    add = admin_client.get(f"{ADMIN}/{page}/add/")
    assert add.status_code in (200, 403)  # 403: records made elsewhere, never added here
    rows = listed(admin_client, page)
    if rows:
        assert admin_client.get(f"{ADMIN}/{page}/{min(rows)}/change/").status_code == 200


def test_training_records_are_added_in_the_street_and_through_the_services(town, staff):
    course = Course.objects.create(code="C1", title="巡查规范", hours=4, certificate_months=12)
    worker = people.with_role("grid_worker", town["grid1"], "trainee")
    client = signed_in(staff)

    streets = choices(client.get(f"{ADMIN}/trainingsession/add/"), "street")
    session_form = {
        "course": course.pk,
        "street": town["street1"].pk,
        "starts_at_0": "2026-03-02",
        "starts_at_1": "09:00:00",
        "ends_at_0": "2026-03-02",
        "ends_at_1": "13:00:00",
    }
    assert client.post(f"{ADMIN}/trainingsession/add/", session_form).status_code == 302
    session = TrainingSession.objects.get()
    attendance_form = {
        "session": session.pk,
        "user": worker.pk,
        "attended": "on",
        "hours": "4",
        "score": "90",
    }
    assert client.post(f"{ADMIN}/attendance/add/", attendance_form).status_code == 302

    assert streets == {town["street1"].pk}
    assert Attendance.objects.get().score == 90
    # A pass on a certifying course issued the certificate (the training service did).
    assert Certificate.objects.get().user == worker


@pytest.mark.parametrize("page", ("department", "gridworker", "gridassignment", "roleassignment"))
def test_list_pages_cost_the_same_queries_for_few_or_many_rows(town, staff, page):
    client = signed_in(staff)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{ADMIN}/{page}/").status_code == 200
        return len(queries)

    grids = factories.grids(12, parent=factories.community(parent=town["street1"], number=2))
    for grid in grids[:2]:
        add_people(grid)
    few = count()
    for grid in grids[2:]:
        add_people(grid)
    assert count() == few


def add_people(grid) -> None:
    """A worker assigned to ``grid`` and a department with a handler in its street."""
    worker = people.worker_profile(people.user(), street=grid.street)
    grid_assignment_create(created_by=people.root(), worker=worker, grid=grid, kind="primary")
    people.with_role("dept_handler", people.department(street=grid.street))


def test_street_staff_cannot_edit_an_account_holding_a_higher_role(town, staff):
    # A district administrator who also works a grid of street 1 is in the staff's list...
    chief = people.with_role("admin", town["district"], "district-admin")
    people.grant(chief, "grid_worker", town["grid1"])

    response = signed_in(staff).get(f"{ADMIN}/user/{chief.pk}/change/")

    # ...but their account (password included) is not the staff's to change.
    assert response.status_code == 200
    assert not response.context["has_change_permission"]


def test_a_district_level_department_is_shown_to_street_staff_read_only(town, staff):
    department = people.department(district=town["district"])

    response = signed_in(staff).get(f"{ADMIN}/department/{department.pk}/change/")

    assert response.status_code == 200
    assert not response.context["has_change_permission"]
