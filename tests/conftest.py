"""Shared fixtures: users of each kind and API clients signed in as them."""

from __future__ import annotations

import os
import uuid

import pytest
from django.contrib.auth.models import Permission
from django.utils import translation
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# The schema fuzz's tally: a plugin rather than a conftest, so the xdist controller loads it.
pytest_plugins = ["tests.fuzz_tally"]

# Hypothesis profiles, chosen by HYPOTHESIS_PROFILE. "default" is Hypothesis's own; the
# property tests keep their CI budgets under it. "nightly" (make nightly) sets the number of
# examples itself, and those tests then leave it alone.
hypothesis_settings.register_profile("default", hypothesis_settings.get_profile("default"))
hypothesis_settings.register_profile(
    "nightly",
    max_examples=100,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or "default")

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def make_user(django_user_model):
    def make(username: str, *, superuser: bool = False, staff: bool = False, perms: tuple = ()):
        if superuser:
            user = django_user_model.objects.create_superuser(username, password=PASSWORD)
        else:
            user = django_user_model.objects.create_user(
                username, password=PASSWORD, is_staff=staff
            )
        for codename in perms:
            app_label, code = codename.split(".")
            user.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=code)
            )
        return user

    return make


@pytest.fixture
def admin_user(make_user):
    return make_user("root", superuser=True)


@pytest.fixture
def plain_user(make_user):
    return make_user("plain")


@pytest.fixture
def api(admin_user) -> APIClient:
    """An API client signed in as a superuser."""
    client = APIClient()
    client.force_authenticate(admin_user)
    return client


@pytest.fixture
def anon_api() -> APIClient:
    return APIClient()


@pytest.fixture
def plain_api(plain_user) -> APIClient:
    client = APIClient()
    client.force_authenticate(plain_user)
    return client


@pytest.fixture(autouse=True)
def _english_unless_browser(request, settings):
    """Assertions read English messages; the Chinese default is tested on its own
    (tests/gridgov/test_translations.py) and in the browser tests, which keep it."""
    if request.node.path.parent.name == "browser":
        yield
        return
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(scope="session")
def _media_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _private_media(settings, _media_dir):
    """Uploaded photos go to a temporary folder, never into the developer's data folder."""
    settings.MEDIA_ROOT = str(_media_dir)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 costs ~0.3 s per password; tests hash hundreds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Throttle history and other cached state must not leak from one test into the next,
    nor between parallel workers sharing one Redis (their users have the same ids).

    In Redis each test gets its own key prefix instead of a FLUSHDB, which would also wipe
    whatever else lives in that database (a Celery queue in the CI set-up).
    """
    from django.core.cache import cache

    if "KEY_PREFIX" in settings.CACHES["default"]:
        settings.CACHES = {
            "default": {**settings.CACHES["default"], "KEY_PREFIX": f"t-{uuid.uuid4().hex}"}
        }
        yield
        return
    cache.clear()
    yield
    cache.clear()
