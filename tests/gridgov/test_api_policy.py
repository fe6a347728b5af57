"""The API's permission check: a viewset that names its model for it names its own."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.urls import get_resolver

from gridgov.api import BaseViewSet
from tests.api_routes import _walk


def _api_viewsets() -> set[type]:
    callbacks = (entry.callback for _pattern, entry in _walk(get_resolver().url_patterns))
    return {callback.cls for callback in callbacks if hasattr(callback, "actions")}


def test_a_named_permission_model_is_the_model_its_selector_reads():
    named = [view for view in _api_viewsets() if getattr(view, "permission_model", None)]
    assert named, "no viewset names its permission model"
    for view in named:
        assert issubclass(view, BaseViewSet)
        scoped = view.selector(user=AnonymousUser())
        assert scoped.model is view.permission_model, view.__name__
