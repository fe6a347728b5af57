"""Reads of places and components, always for a user.

Until roles and scopes exist (personnel issue), every signed-in user sees every place and
anonymous users see none; the signatures are final so callers need not change.
"""

from __future__ import annotations

from django.db.models import QuerySet

from grids.models import Community, Component, District, Grid, Street


def _for_user(user, queryset: QuerySet) -> QuerySet:
    if user is None or not user.is_authenticated:
        return queryset.none()
    return queryset


def district_list(*, user) -> QuerySet[District]:
    return _for_user(user, District.objects.all())


def street_list(*, user) -> QuerySet[Street]:
    return _for_user(user, Street.objects.select_related("district"))


def community_list(*, user) -> QuerySet[Community]:
    return _for_user(user, Community.objects.select_related("street"))


def grid_list(*, user) -> QuerySet[Grid]:
    return _for_user(user, Grid.objects.select_related("community", "street", "district"))


def component_list(*, user) -> QuerySet[Component]:
    return _for_user(user, Component.objects.select_related("type", "grid"))
