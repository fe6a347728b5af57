"""The scope query as a prepared statement: the same scope, planned once per session."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from gridgov.prepared import _numbered
from personnel.choices import Role
from personnel.models import DeviceToken, User
from personnel.scope import compute_scope
from personnel.selectors import device_tokens_with_key
from personnel.services.auth import device_token_issue
from tests import factories, people

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)


def _prepared_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


@pytest.fixture
def worker_in_grid(db):
    grid = factories.grid()
    return people.with_role(Role.GRID_WORKER, grid), grid


def test_placeholders_are_numbered_and_percent_signs_kept():
    assert _numbered("a = %s AND b LIKE '5%%' AND c IN (%s, %s)") == (
        "a = $1 AND b LIKE '5%' AND c IN ($2, $3)"
    )


@postgresql_only
def test_the_prepared_scope_is_the_plain_one(worker_in_grid, settings):
    worker, grid = worker_in_grid
    with CaptureQueriesContext(connection) as queries:
        prepared = compute_scope(worker)
    assert "gridgov_user_scope" in _prepared_names()
    assert [query["sql"][:7] for query in queries] == ["EXECUTE"]
    settings.DATABASE_PREPARED_STATEMENTS = False
    with CaptureQueriesContext(connection) as queries:
        plain = compute_scope(worker)
    assert not queries[0]["sql"].startswith("EXECUTE")
    assert prepared == plain
    assert prepared.grid_ids == {grid.pk}
    assert prepared.above_community_ids == {grid.community_id}


@postgresql_only
def test_a_rolled_back_transaction_keeps_the_statement(worker_in_grid):
    worker, grid = worker_in_grid
    with pytest.raises(RuntimeError), transaction.atomic():
        assert compute_scope(worker).grid_ids == {grid.pk}
        raise RuntimeError("rolled back")
    assert "gridgov_user_scope" in _prepared_names()
    assert compute_scope(worker).grid_ids == {grid.pk}


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_new_session_prepares_it_again():
    grid = factories.grid()
    worker = people.with_role(Role.GRID_WORKER, grid)
    assert compute_scope(worker).grid_ids == {grid.pk}
    connection.close()
    assert "gridgov_user_scope" not in _prepared_names()
    assert compute_scope(worker).grid_ids == {grid.pk}
    assert "gridgov_user_scope" in _prepared_names()


@postgresql_only
def test_not_prepared_when_sessions_are_not_kept(worker_in_grid, monkeypatch):
    worker, grid = worker_in_grid
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    with CaptureQueriesContext(connection) as queries:
        assert compute_scope(worker).grid_ids == {grid.pk}
    assert not queries[0]["sql"].startswith("EXECUTE")


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_threads_of_one_process_each_prepare_in_their_own_session():
    grid = factories.grid()
    worker = people.with_role(Role.GRID_WORKER, grid)
    barrier = threading.Barrier(4)

    def twice() -> list[frozenset[int]]:
        try:
            first = compute_scope(worker).grid_ids
            barrier.wait(timeout=10)  # every thread prepared before any asks again
            return [first, compute_scope(worker).grid_ids]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = [future.result() for future in [pool.submit(twice) for _ in range(4)]]
    assert answers == [[{grid.pk}, {grid.pk}]] * 4


@postgresql_only
def test_the_device_token_lookup_is_prepared_and_loads_the_user(db, settings):
    person = people.user("wang")
    token, text = device_token_issue(user=person, device="Pixel 7")

    with CaptureQueriesContext(connection) as queries:
        [found] = device_tokens_with_key(text[:15])
        assert found.user.username == "wang"
    assert [query["sql"][:7] for query in queries] == ["EXECUTE"]
    assert "gridgov_device_tokens_with_key" in _prepared_names()
    settings.DATABASE_PREPARED_STATEMENTS = False
    [plain] = device_tokens_with_key(text[:15])
    for field in (*DeviceToken._meta.concrete_fields, *User._meta.concrete_fields):
        owner = plain if field.model is DeviceToken else plain.user
        twin = found if field.model is DeviceToken else found.user
        assert getattr(twin, field.attname) == getattr(owner, field.attname), field.name
    assert found.pk == token.pk and device_tokens_with_key("0" * 15) == []
