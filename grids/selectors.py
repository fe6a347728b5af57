"""Reads of places and components, always for a user and restricted to the user's scope.

Scopes (roles at places) belong to the personnel app, which sits above this one; it installs
its scope reader here when Django starts (``personnel.apps``). Without one, only superusers
see anything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet

from grids.models import Community, Component, District, Grid, Street

_scope_reader: Callable[[Any], Any] | None = None


def install_scope_reader(reader: Callable[[Any], Any]) -> None:
    """Called once by the personnel app: ``reader(user)`` returns its ``UserScope``."""
    global _scope_reader
    _scope_reader = reader


def _scope(user):
    if user is None or not user.is_authenticated:
        return None
    if user.is_superuser:
        return "all"
    return _scope_reader(user) if _scope_reader is not None else None


def _restrict(user, queryset: QuerySet, build: Callable[[Any], Q]) -> QuerySet:
    scope = _scope(user)
    if scope is None:
        return queryset.none()
    if scope == "all" or scope.is_global:
        return queryset
    return queryset.filter(build(scope))


def district_list(*, user) -> QuerySet[District]:
    return _restrict(
        user,
        District.objects.all(),
        lambda s: Q(pk__in=s.district_ids | s.above_district_ids),
    )


def street_list(*, user) -> QuerySet[Street]:
    return _restrict(
        user,
        Street.objects.select_related("district"),
        lambda s: Q(district_id__in=s.district_ids) | Q(pk__in=s.street_ids | s.above_street_ids),
    )


def community_list(*, user) -> QuerySet[Community]:
    return _restrict(
        user,
        Community.objects.select_related("street"),
        lambda s: (
            Q(street__district_id__in=s.district_ids)
            | Q(street_id__in=s.street_ids)
            | Q(pk__in=s.community_ids | s.above_community_ids)
        ),
    )


def grid_list(*, user) -> QuerySet[Grid]:
    return _restrict(
        user,
        Grid.objects.select_related("community", "street", "district"),
        lambda s: s.grid_q(),
    )


def component_list(*, user) -> QuerySet[Component]:
    return _restrict(
        user,
        Component.objects.select_related("type", "grid"),
        lambda s: s.area_q("grid"),
    )
