"""Idempotency-Key on API POSTs: a phone on a bad network may send the same write twice."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory, force_authenticate

from gridgov import idempotency, tasks
from gridgov.api import BaseViewSet
from gridgov.api_policy import WriteRateThrottle
from gridgov.models import IdempotencyRecord
from grids import selectors, services
from grids.api.serializers import GridSerializer
from grids.api.views import GridViewSet
from grids.models import Grid
from tests import factories

GRIDS = "/api/v1/grids/"
REPLAYED = "Idempotent-Replayed"


@pytest.fixture
def community(db):
    return factories.community()


def post(client, body, key: str | None, path: str = GRIDS):
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return client.post(path, body, format="json", **headers)


def editor_client(make_user, username: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(make_user(username, perms=("grids.add_grid",)))
    return client


def age_keys(by: timedelta, **filters) -> None:
    """Pretend the keys were stored ``by`` ago (what the clock would say tomorrow)."""
    IdempotencyRecord.objects.filter(**filters).update(created_at=timezone.now() - by)


def error_code(response) -> str:
    body = response.json()
    assert set(body) == {"type", "errors"}
    [error] = body["errors"]
    return error["code"]


# --- replay -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_same_key_and_body_replays_the_first_response(api, community):
    first = post(api, factories.grid_payload(community), "k-1")
    second = post(api, factories.grid_payload(community), "k-1")
    third = post(api, factories.grid_payload(community), "k-1")

    assert first.status_code == 201, first.content
    assert not first.has_header(REPLAYED)
    for again in (second, third):
        assert again.status_code == 201
        assert again.json() == first.json()
        assert again[REPLAYED] == "true"
    assert Grid.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


@pytest.mark.django_db
def test_without_a_key_posts_are_not_deduplicated(api, community):
    """The key is the client's promise that two requests are one; without it nothing is merged."""
    first = post(api, factories.grid_payload(community, 1), None)
    second = post(api, factories.grid_payload(community, 2), None)

    assert (first.status_code, second.status_code) == (201, 201)
    assert Grid.objects.count() == 2
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.django_db
def test_same_key_with_another_body_is_422(api, community):
    first = post(api, factories.grid_payload(community, 1), "k-1")

    response = post(api, factories.grid_payload(community, 2), "k-1")

    assert first.status_code == 201
    assert response.status_code == 422
    assert error_code(response) == "idempotency_key_reused"
    assert not response.has_header(REPLAYED)
    assert list(Grid.objects.values_list("code", flat=True)) == [first.json()["code"]]


@pytest.mark.django_db
def test_same_key_on_another_endpoint_is_422(api, community):
    assert post(api, factories.grid_payload(community), "k-1").status_code == 201

    response = post(api, {"street": community.street_id, "code": "x", "name": "x"}, "k-1",
                    path="/api/v1/communities/")  # fmt: skip

    assert response.status_code == 422
    assert error_code(response) == "idempotency_key_reused"


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there"], ids=["empty", "too-long", "control"])
def test_malformed_key_is_400_and_nothing_is_written(api, community, key):
    response = post(api, factories.grid_payload(community), key)

    assert response.status_code == 400
    assert error_code(response) == "idempotency_key_invalid"
    assert not Grid.objects.exists()
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.django_db
def test_longest_key_is_accepted(api, community):
    key = "k" * 255

    assert post(api, factories.grid_payload(community), key).status_code == 201
    assert post(api, factories.grid_payload(community), key)[REPLAYED] == "true"


# --- per user ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_keys_are_per_user(make_user, community):
    alice = editor_client(make_user, "alice")
    bob = editor_client(make_user, "bob")

    from_alice = post(alice, factories.grid_payload(community, 1), "shared-key")
    from_bob = post(
        bob, factories.grid_payload(community, 2), "shared-key"
    )  # no 422: Bob's key is his own

    assert from_alice.status_code == 201
    assert from_bob.status_code == 201, from_bob.content
    assert not from_bob.has_header(REPLAYED)
    assert Grid.objects.count() == 2
    # Each still replays their own first answer.
    assert (
        post(alice, factories.grid_payload(community, 1), "shared-key").json() == from_alice.json()
    )
    assert post(bob, factories.grid_payload(community, 2), "shared-key").json() == from_bob.json()


@pytest.mark.django_db
def test_another_user_never_gets_my_stored_response(make_user, community):
    alice = editor_client(make_user, "alice")
    bob = editor_client(make_user, "bob")
    assert post(alice, factories.grid_payload(community), "shared-key").status_code == 201

    response = post(
        bob, factories.grid_payload(community), "shared-key"
    )  # same body: runs, code is taken

    assert response.status_code == 400
    assert not response.has_header(REPLAYED)
    assert Grid.objects.count() == 1


# --- how long keys live -----------------------------------------------------------------------


@pytest.mark.django_db
def test_keys_are_kept_for_at_least_24_hours(api, community):
    first = post(api, factories.grid_payload(community, 1), "k-1")
    age_keys(timedelta(hours=24) - timedelta(minutes=1))

    replay = post(api, factories.grid_payload(community, 1), "k-1")
    reused = post(api, factories.grid_payload(community, 2), "k-1")

    assert replay.status_code == 201
    assert replay[REPLAYED] == "true"
    assert replay.json() == first.json()
    assert reused.status_code == 422
    assert Grid.objects.count() == 1


@pytest.mark.django_db
def test_keys_older_than_the_ttl_are_forgotten(api, community):
    post(api, factories.grid_payload(community, 1), "k-1")
    age_keys(settings.IDEMPOTENCY_TTL + timedelta(minutes=1))

    response = post(
        api, factories.grid_payload(community, 2), "k-1"
    )  # another body: no 422 any more

    assert response.status_code == 201, response.content
    assert not response.has_header(REPLAYED)
    assert Grid.objects.count() == 2
    holder = IdempotencyRecord.objects.get()  # the new request holds the key now
    assert holder.created_at > timezone.now() - timedelta(minutes=1)
    assert post(api, factories.grid_payload(community, 2), "k-1")[REPLAYED] == "true"


@pytest.mark.django_db
def test_purge_task_deletes_expired_keys_only(api, community, admin_user, make_user):
    bob = editor_client(make_user, "bob")
    post(api, factories.grid_payload(community, 1), "old")
    post(bob, factories.grid_payload(community, 2), "old")
    post(api, factories.grid_payload(community, 3), "fresh")
    age_keys(settings.IDEMPOTENCY_TTL + timedelta(minutes=1), key="old")

    deleted = tasks.idempotency_purge_expired.delay().get()

    assert deleted == 2
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]
    assert post(api, factories.grid_payload(community, 3), "fresh")[REPLAYED] == "true"


def test_purge_task_is_scheduled():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert tasks.idempotency_purge_expired.name in scheduled


# --- which answers are kept -------------------------------------------------------------------


@pytest.mark.django_db
def test_rejected_request_is_replayed_too(api, community):
    """A 4xx answer is kept like a 2xx: same key, same request, same answer for the key's life.

    Re-running a request that failed is only harmless if it had no side effect, which the kernel
    cannot know; replaying is what Stripe does once a request reached the endpoint. A client that
    fixes the body has made a new request and sends a new key (the old one gives 422).
    """
    bad = factories.grid_payload(community, boundary={"type": "Polygon", "coordinates": []})
    first = post(api, bad, "k-1")

    again = post(api, bad, "k-1")
    fixed_same_key = post(api, factories.grid_payload(community), "k-1")
    fixed_new_key = post(api, factories.grid_payload(community), "k-2")

    assert first.status_code == 400
    assert again.status_code == 400
    assert again.json() == first.json()
    assert again[REPLAYED] == "true"
    assert fixed_same_key.status_code == 422
    assert fixed_new_key.status_code == 201
    assert Grid.objects.count() == 1


@pytest.mark.django_db
def test_throttled_request_is_not_kept(api, community, monkeypatch):
    """429 means "try again later": the retry with the same key must really run."""
    monkeypatch.setattr(WriteRateThrottle, "THROTTLE_RATES", {"write": "1/min"})
    assert post(api, factories.grid_payload(community, 1), "k-1").status_code == 201
    throttled = post(api, factories.grid_payload(community, 2), "k-2")
    assert throttled.status_code == 429

    WriteRateThrottle.cache.clear()  # the minute is over
    retried = post(api, factories.grid_payload(community, 2), "k-2")

    assert retried.status_code == 201, retried.content
    assert not retried.has_header(REPLAYED)
    assert Grid.objects.count() == 2


class _Unavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "unavailable"


@pytest.mark.django_db
@pytest.mark.parametrize("failure", [RuntimeError("bug"), _Unavailable()], ids=["500", "503"])
def test_server_error_releases_the_key(api, community, monkeypatch, failure):
    def broken(**fields):
        raise failure

    with monkeypatch.context() as patch:
        patch.setattr(GridViewSet, "create_service", broken)
        api.raise_request_exception = False
        failed = post(api, factories.grid_payload(community), "k-1")
    assert failed.status_code >= 500
    if isinstance(failure, exceptions.APIException):  # handled: still the one error shape
        assert failed.json()["type"] == "server_error"
        assert error_code(failed) == "unavailable"
    assert not IdempotencyRecord.objects.exists()

    retried = post(
        api, factories.grid_payload(community), "k-1"
    )  # the fix is deployed; the phone retries

    assert retried.status_code == 201, retried.content
    assert not retried.has_header(REPLAYED)
    assert Grid.objects.count() == 1


# --- concurrency ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_request_with_the_same_key_is_409(admin_user, monkeypatch):
    """The first request is still being processed (its service is blocked) when the retry comes:
    the retry gets 409 instead of a second grid, and later replays the first's answer."""
    community = factories.community()
    in_service = threading.Event()
    may_finish = threading.Event()
    real_create = GridViewSet.create_service

    def slow_create(**fields):
        in_service.set()
        assert may_finish.wait(timeout=10)
        return real_create(**fields)

    monkeypatch.setattr(GridViewSet, "create_service", slow_create)
    client = APIClient()
    client.force_authenticate(admin_user)
    outcome = {}

    def first_request():
        try:
            outcome["first"] = post(client, factories.grid_payload(community), "k-1")
        finally:
            connection.close()

    worker = threading.Thread(target=first_request)
    worker.start()
    try:
        while not in_service.wait(timeout=0.05):
            assert worker.is_alive(), f"the first request ended early: {outcome['first'].content}"
        retry_client = APIClient()
        retry_client.force_authenticate(admin_user)
        concurrent = post(retry_client, factories.grid_payload(community), "k-1")
        other_body = post(retry_client, factories.grid_payload(community, 2), "k-1")
    finally:
        may_finish.set()
        worker.join(timeout=10)

    assert concurrent.status_code == 409
    assert error_code(concurrent) == "idempotency_key_in_progress"
    assert other_body.status_code == 422
    first = outcome["first"]
    assert first.status_code == 201, first.content
    replay = post(retry_client, factories.grid_payload(community), "k-1")
    assert replay.status_code == 201
    assert replay[REPLAYED] == "true"
    assert replay.json() == first.json()
    assert Grid.objects.count() == 1


# --- headers of the stored response -----------------------------------------------------------


class _RenameViewSet(BaseViewSet):
    """A workflow-style POST action on a versioned object, answered with the object's ETag."""

    selector = selectors.grid_list
    serializer_class = GridSerializer

    @action(detail=True, methods=["post"])
    def rename(self, request, pk=None):
        grid = self.get_object()
        grid = services.grid_update(grid=grid, name=request.data["name"])
        self._etag_instance = grid
        return Response(self.get_serializer(grid).data)


@pytest.mark.django_db
def test_replay_of_an_action_carries_the_etag(admin_user, community):
    grid = factories.grid(parent=community)
    view = _RenameViewSet.as_view({"post": "rename"})

    def rename():
        request = APIRequestFactory().post(
            f"/grids/{grid.pk}/rename/", {"name": "新名"}, format="json", HTTP_IDEMPOTENCY_KEY="r-1"
        )
        force_authenticate(request, admin_user)
        return view(request, pk=grid.pk)

    first = rename()
    replay = rename()

    assert first.status_code == 200
    assert first["ETag"]
    assert replay[REPLAYED] == "true"
    assert replay["ETag"] == first["ETag"]
    grid.refresh_from_db()
    assert grid.version == 2


@pytest.mark.django_db
def test_a_browser_form_post_with_a_key_is_replayed_too(admin_user):
    """Session + CSRF + multipart: the CSRF check reads the form before the key is checked."""
    grid = factories.grid()
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(admin_user)
    token = "a" * 32
    browser.cookies[settings.CSRF_COOKIE_NAME] = token
    form = {
        "code": f"{grid.district.code}0118000077",
        "lat": grid.centroid_lat,
        "lng": grid.centroid_lng,
    }
    headers = {"HTTP_X_CSRFTOKEN": token, "HTTP_IDEMPOTENCY_KEY": "form-1"}

    first = browser.post("/api/v1/components/", form, format="multipart", **headers)
    again = browser.post("/api/v1/components/", form, format="multipart", **headers)

    assert first.status_code == 201, first.content
    assert again.status_code == 201
    assert again[REPLAYED] == "true"
    assert again.json() == first.json()


# --- the claim's own statement ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_taken_key_leaves_the_callers_transaction_usable(make_user):
    """The claim is one INSERT that skips a taken key rather than failing on it: a retry
    arriving inside a transaction (a browser form under ATOMIC_REQUESTS, a test) is told 409
    and the transaction goes on, with the first claim's row untouched."""
    user = make_user("claimant")
    with transaction.atomic():
        first = idempotency.idempotency_claim(user=user, key="k", fingerprint="a" * 64)
        with pytest.raises(idempotency.IdempotencyKeyInProgress):
            idempotency.idempotency_claim(user=user, key="k", fingerprint="a" * 64)
        assert Grid.objects.count() == 0
    stored = IdempotencyRecord.objects.get(user=user, key="k")
    assert (stored.pk, stored.state) == (first.record.pk, IdempotencyRecord.State.PENDING)


@pytest.mark.django_db
def test_a_stored_response_is_json_not_a_string_of_it(api, community):
    """Body and headers are written as JSON text: what is stored is the object itself, so a
    replay (and anyone reading the table) sees the fields, not one quoted string."""
    created = post(api, factories.grid_payload(community), "k-json")
    stored = IdempotencyRecord.objects.get(key="k-json")
    assert stored.state == IdempotencyRecord.State.DONE
    assert stored.status_code == 201
    assert stored.response_body["code"] == created.json()["code"]
    assert stored.response_headers.get("Location", "") == created.get("Location", "")
