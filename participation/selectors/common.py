"""Scope rules shared by the participation selectors.

Community life is read by everyone who works in the place: rows of a community by those
working in it, above it or in one of its grids; rows of a street by those working in the
street or anywhere in it. It is kept (written) only by administrators, street staff and
community staff over it (:func:`keeper_places`).
"""

from __future__ import annotations

from django.db.models import Q

from personnel.choices import Role
from personnel.scope import PlacesHeld, places_held, scope_for

KEEPER_ROLES = (Role.ADMIN, Role.STREET_STAFF, Role.COMMUNITY_STAFF)


def signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def community_q(user, prefix: str = "") -> Q | None:
    """A filter for rows carrying district/street/community ids that ``user`` reads (None:
    nothing)."""
    if not signed_in(user):
        return None
    scope = scope_for(user)
    if scope.is_global:
        return Q()
    communities = scope.community_ids | scope.above_community_ids
    return (
        Q(**{f"{prefix}district_id__in": scope.district_ids})
        | Q(**{f"{prefix}street_id__in": scope.street_ids})
        | Q(**{f"{prefix}community_id__in": communities})
    )


def street_q(user, prefix: str = "") -> Q | None:
    """A filter for rows carrying district/street ids that ``user`` reads: the streets the
    user works in or in part (None: nothing)."""
    if not signed_in(user):
        return None
    scope = scope_for(user)
    if scope.is_global:
        return Q()
    return Q(**{f"{prefix}district_id__in": scope.district_ids}) | Q(
        **{f"{prefix}street_id__in": scope.street_ids | scope.above_street_ids}
    )


def keeper_places(user) -> PlacesHeld:
    """Where ``user`` keeps community life (one query; ask once per request)."""
    return places_held(user, roles=KEEPER_ROLES)


def keeps(user, row, *, places: PlacesHeld | None = None) -> bool:
    """Whether ``user`` keeps ``row`` (anything with district/street and, maybe, community
    ids). A street-wide row (community None) is kept by street staff, not by a community's."""
    places = keeper_places(user) if places is None else places
    return places.covers(
        district_id=row.district_id,
        street_id=row.street_id,
        community_id=getattr(row, "community_id", None),
    )
