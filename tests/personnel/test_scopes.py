"""Who sees which places: roles at scopes, one query per request, expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from grids.models import Grid
from personnel.models import GridUserObjectPermission, RoleAssignment
from personnel.scope import RequestScopeCache, UserScope, compute_scope, scope_for
from personnel.services.roles import role_assignment_revoke, role_assignments_refresh
from personnel.tasks import roles as role_tasks
from tests import factories, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def town():
    """Street 1 with two communities; grids 1 and 2 in community 1, grid 3 in community 2;
    street 2 with one grid."""
    street1 = factories.street(number=1)
    community1 = factories.community(parent=street1, number=1)
    community2 = factories.community(parent=street1, number=2)
    street2 = factories.street(number=2)
    return {
        "street1": street1,
        "street2": street2,
        "community1": community1,
        "grid1": factories.grid(parent=community1, number=1),
        "grid2": factories.grid(parent=community1, number=2),
        "grid3": factories.grid(parent=community2, number=1),
        "grid4": factories.grid(parent=factories.community(parent=street2, number=1)),
    }


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def listed(client, url: str) -> set[int]:
    response = client.get(url, {"page_size": 500})
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_worker_sees_only_their_grid_and_gets_404_on_the_neighbours(town):
    worker1 = people.with_role("grid_worker", town["grid1"], "worker1")
    people.with_role("grid_worker", town["grid2"], "worker2")
    client = client_for(worker1)

    assert listed(client, "/api/v1/grids/") == {town["grid1"].pk}
    assert client.get(f"/api/v1/grids/{town['grid1'].pk}/").status_code == 200
    assert client.get(f"/api/v1/grids/{town['grid2'].pk}/").status_code == 404
    assert client.get(f"/api/v1/grids/{town['grid4'].pk}/").status_code == 404


def test_worker_sees_components_of_their_grid_only(town):
    worker1 = people.with_role("grid_worker", town["grid1"])
    mine = factories.component(in_grid=town["grid1"], serial=1)
    theirs = factories.component(in_grid=town["grid2"], serial=2)
    client = client_for(worker1)

    assert listed(client, "/api/v1/components/") == {mine.pk}
    assert client.get(f"/api/v1/components/{theirs.pk}/").status_code == 404


def test_places_above_a_grid_are_shown_but_not_their_other_children(town):
    worker = people.with_role("grid_worker", town["grid1"])
    client = client_for(worker)

    assert listed(client, "/api/v1/streets/") == {town["street1"].pk}
    assert listed(client, "/api/v1/communities/") == {town["community1"].pk}
    assert client.get(f"/api/v1/streets/{town['street2'].pk}/").status_code == 404


def test_street_staff_see_every_grid_of_their_street_and_none_elsewhere(town):
    staff = people.with_role("street_staff", town["street1"])
    grids = listed(client_for(staff), "/api/v1/grids/")
    assert grids == {town["grid1"].pk, town["grid2"].pk, town["grid3"].pk}


def test_a_grid_created_later_inside_the_scope_is_visible_at_once(town):
    staff = people.with_role("street_staff", town["street1"])
    newcomer = factories.grid(parent=town["community1"], number=9)
    assert newcomer.pk in listed(client_for(staff), "/api/v1/grids/")


def test_supervisor_at_the_district_sees_all_of_it(town):
    supervisor = people.with_role("supervisor", town["street1"].district)
    assert len(listed(client_for(supervisor), "/api/v1/grids/")) == 4


def test_user_without_roles_sees_nothing(town, plain_api):
    assert listed(plain_api, "/api/v1/grids/") == set()
    assert plain_api.get(f"/api/v1/grids/{town['grid1'].pk}/").status_code == 404


def test_scope_is_one_query_and_cached_for_the_request(town):
    worker = people.with_role("grid_worker", town["grid1"])
    people.grant(worker, "grid_worker", town["grid3"])
    with CaptureQueriesContext(connection) as queries:
        scope = compute_scope(worker)
    assert len(queries) == 1
    assert scope.grid_ids == {town["grid1"].pk, town["grid3"].pk}

    with RequestScopeCache(), CaptureQueriesContext(connection) as queries:
        first = scope_for(worker)
        second = scope_for(worker)
    assert first is second
    assert len(queries) == 1


def test_revoking_removes_access_at_once(town):
    worker = people.user()
    assignment = people.grant(worker, "grid_worker", town["grid1"])
    client = client_for(worker)
    assert client.get(f"/api/v1/grids/{town['grid1'].pk}/").status_code == 200

    role_assignment_revoke(assignment=assignment, revoked_by=people.root())

    assert client.get(f"/api/v1/grids/{town['grid1'].pk}/").status_code == 404
    assignment.refresh_from_db()
    assert assignment.ended_at is not None  # kept as history
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_expired_assignment_stops_granting_access_after_the_expiry_job(town):
    worker = people.user()
    soon = timezone.now() + timedelta(hours=1)
    assignment = people.grant(worker, "grid_worker", town["grid1"], valid_until=soon)
    client = client_for(worker)
    assert client.get(f"/api/v1/grids/{town['grid1'].pk}/").status_code == 200

    RoleAssignment.objects.filter(pk=assignment.pk).update(
        valid_from=timezone.now() - timedelta(days=2),
        valid_until=timezone.now() - timedelta(minutes=1),
    )
    role_tasks.role_assignments_refresh.delay()

    assert client.get(f"/api/v1/grids/{town['grid1'].pk}/").status_code == 404
    assert not GridUserObjectPermission.objects.filter(user=worker).exists()
    assignment.refresh_from_db()
    assert assignment.state == "ended"
    assert not worker.groups.filter(name="grid_worker").exists()


def test_expiry_job_run_twice_ends_each_assignment_once(town):
    worker = people.user()
    assignment = people.grant(
        worker, "grid_worker", town["grid1"], valid_until=timezone.now() + timedelta(hours=1)
    )
    RoleAssignment.objects.filter(pk=assignment.pk).update(
        valid_from=timezone.now() - timedelta(days=2),
        valid_until=timezone.now() - timedelta(minutes=1),
    )
    assert role_assignments_refresh()["ended"] == 1
    assert role_assignments_refresh()["ended"] == 0


def test_future_assignment_grants_access_once_its_start_comes(town):
    worker = people.user()
    start = timezone.now() + timedelta(days=1)
    assignment = people.grant(worker, "grid_worker", town["grid1"], valid_from=start)
    client = client_for(worker)
    assert assignment.state == "pending"
    assert client.get(f"/api/v1/grids/{town['grid1'].pk}/").status_code == 404

    role_assignments_refresh(now=start + timedelta(seconds=1))

    assert client.get(f"/api/v1/grids/{town['grid1'].pk}/").status_code == 200
    assert worker.groups.filter(name="grid_worker").exists()


def test_role_groups_carry_model_permissions(town):
    worker = people.with_role("grid_worker", town["grid1"])
    supervisor = people.with_role("supervisor", town["street1"].district)
    assert worker.has_perm("personnel.add_patrolsession")
    assert not supervisor.has_perm("personnel.add_patrolsession")
    assert supervisor.has_perm("personnel.view_gridworker")


def test_a_users_own_and_role_permissions_are_read_in_one_query(town):
    worker = people.with_role("grid_worker", town["grid1"])
    worker.user_permissions.add(Permission.objects.get(codename="view_budgetline"))
    worker = type(worker).objects.get(pk=worker.pk)

    with CaptureQueriesContext(connection) as queries:
        permissions = worker.get_all_permissions()
    assert len(queries) == 1
    # Django's own backend, on a fresh copy (the set is cached on the user object).
    assert permissions == ModelBackend().get_all_permissions(type(worker).objects.get(pk=worker.pk))
    assert {"funding.view_budgetline", "personnel.add_patrolsession"} <= permissions

    role_assignment_revoke(
        assignment=RoleAssignment.objects.get(user=worker), revoked_by=people.root()
    )
    worker = type(worker).objects.get(pk=worker.pk)
    assert not worker.has_perm("personnel.add_patrolsession")
    assert worker.has_perm("funding.view_budgetline")


def test_browser_pages_outside_the_scope_are_404(town, client):
    worker1 = people.with_role("grid_worker", town["grid1"])
    client.force_login(worker1)

    assert client.get(f"/grids/streets/{town['street1'].pk}/map/").status_code == 200
    assert client.get(f"/grids/streets/{town['street2'].pk}/map/").status_code == 404
    index = client.get("/grids/").content.decode()
    assert town["street1"].name in index and town["street2"].name not in index


def test_place_filters_leave_out_empty_levels_and_an_empty_scope_matches_nothing(town):
    grid1, grid4 = town["grid1"], town["grid4"]
    one_grid = UserScope(grid_ids=frozenset({grid1.pk}))
    two_levels = UserScope(
        grid_ids=frozenset({grid1.pk}), street_ids=frozenset({town["street2"].pk})
    )

    assert list(Grid.objects.filter(one_grid.grid_q())) == [grid1]
    assert one_grid.grid_q() == Q(id__in=frozenset({grid1.pk}))  # no empty levels in the SQL
    assert set(Grid.objects.filter(two_levels.grid_q())) == {grid1, grid4}
    assert not Grid.objects.filter(UserScope().grid_q()).exists()
    assert not Grid.objects.filter(UserScope().street_area_q("street")).exists()
