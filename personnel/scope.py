"""Which places and departments a user may see, read in one query and cached per request.

The source is the guardian object permissions on scope objects (``view_<model>`` rows in the
direct-foreign-key tables), which ``personnel.services.roles`` derives from role assignments.
A permission on a place covers everything beneath it; the places above it are visible for
display (names, breadcrumbs) but give no access to their other children.
"""

from __future__ import annotations

import operator
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import reduce

from django.db.models import BigIntegerField, CharField, F, Q, Value
from django.db.models.functions import Cast


def any_in(**lookups: frozenset[int]) -> Q:
    """The OR of the ``…__in`` ``lookups`` whose sets are not empty, or the first of them
    (matching nothing) if all are. An empty IN matches nothing anyway, but the ORM finds
    that out by raising and catching an exception for it each time it writes the query:
    most users' scopes leave two or three of the four place levels empty."""
    given = [Q(**{name: ids}) for name, ids in lookups.items() if ids]
    if not given:
        name, ids = next(iter(lookups.items()))
        return Q(**{name: ids})
    return reduce(operator.or_, given)


_request_cache: ContextVar[dict | None] = ContextVar("gridgov_scope_cache", default=None)


@dataclass(frozen=True)
class UserScope:
    """A user's reach. The ``*_ids`` sets are the places the user works in (everything under
    them is in scope); ``above_*`` are their ancestors, shown for context only."""

    is_global: bool = False
    district_ids: frozenset[int] = field(default_factory=frozenset)
    street_ids: frozenset[int] = field(default_factory=frozenset)
    community_ids: frozenset[int] = field(default_factory=frozenset)
    grid_ids: frozenset[int] = field(default_factory=frozenset)
    department_ids: frozenset[int] = field(default_factory=frozenset)
    above_district_ids: frozenset[int] = field(default_factory=frozenset)
    above_street_ids: frozenset[int] = field(default_factory=frozenset)
    above_community_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        return not self.is_global and not (
            self.district_ids
            or self.street_ids
            or self.community_ids
            or self.grid_ids
            or self.department_ids
        )

    def area_q(self, path: str = "") -> Q:
        """A filter for rows carrying district/street/community/grid foreign keys, or, with
        ``path``, for rows reaching a grid through that relation (``"grid"``)."""
        if self.is_global:
            return Q()
        if path:
            return self.grid_q(f"{path}__")
        return any_in(
            district_id__in=self.district_ids,
            street_id__in=self.street_ids,
            community_id__in=self.community_ids,
            grid_id__in=self.grid_ids,
        )

    def grid_q(self, prefix: str = "") -> Q:
        """A filter for grids themselves (``prefix`` ends in ``__`` to reach them through a
        relation)."""
        if self.is_global:
            return Q()
        return any_in(
            **{
                f"{prefix}district_id__in": self.district_ids,
                f"{prefix}street_id__in": self.street_ids,
                f"{prefix}community_id__in": self.community_ids,
                f"{prefix}id__in": self.grid_ids,
            }
        )

    def street_area_q(self, path: str = "street") -> Q:
        """A filter for rows scoped to a street only (workers, training sessions): the user's
        streets and every street of the user's districts."""
        if self.is_global:
            return Q()
        return any_in(
            **{f"{path}__district_id__in": self.district_ids, f"{path}_id__in": self.street_ids}
        )

    def covers_street(self, street_id: int, district_id: int) -> bool:
        return self.is_global or street_id in self.street_ids or district_id in self.district_ids


@dataclass(frozen=True)
class PlacesHeld:
    """The places (districts, streets, communities) where a user holds some roles: the
    reach of a narrower rule than the scope, such as who keeps the books or the registers."""

    is_global: bool = False
    district_ids: frozenset[int] = field(default_factory=frozenset)
    street_ids: frozenset[int] = field(default_factory=frozenset)
    community_ids: frozenset[int] = field(default_factory=frozenset)

    def q(self, prefix: str = "") -> Q:
        """Rows carrying the place chain (directly, or through ``prefix``)."""
        if self.is_global:
            return Q()
        return any_in(
            **{
                f"{prefix}district_id__in": self.district_ids,
                f"{prefix}street_id__in": self.street_ids,
                f"{prefix}community_id__in": self.community_ids,
            }
        )

    def covers(self, *, district_id: int, street_id: int, community_id: int | None) -> bool:
        """Whether the place with that chain is in this scope."""
        return (
            self.is_global
            or district_id in self.district_ids
            or street_id in self.street_ids
            or (community_id is not None and community_id in self.community_ids)
        )

    @property
    def empty(self) -> bool:
        return not (self.is_global or self.district_ids or self.street_ids or self.community_ids)


def places_held(user, *, roles: tuple[str, ...]) -> PlacesHeld:
    """The places where ``user`` holds one of ``roles`` in force (one query; superusers
    hold everywhere)."""
    from personnel.choices import AssignmentState, ScopeType
    from personnel.models import RoleAssignment

    if user is None or not user.is_authenticated or not user.is_active:
        return PlacesHeld()
    if user.is_superuser:
        return PlacesHeld(is_global=True)
    places: dict[str, set[int]] = {"district": set(), "street": set(), "community": set()}
    for scope_type, district, street, community in RoleAssignment.objects.filter(
        user=user, role__in=roles, state=AssignmentState.ACTIVE
    ).values_list("scope_type", "district_id", "street_id", "community_id"):
        value = {
            ScopeType.DISTRICT: district,
            ScopeType.STREET: street,
            ScopeType.COMMUNITY: community,
        }.get(scope_type)
        if value is not None:
            places[scope_type].add(value)
    return PlacesHeld(
        district_ids=frozenset(places["district"]),
        street_ids=frozenset(places["street"]),
        community_ids=frozenset(places["community"]),
    )


GLOBAL = UserScope(is_global=True)
NOTHING = UserScope()


def _scope_queryset(user_id: int):
    """The scope query: the user's place permissions of every kind, one UNION branch each,
    as (kind, object id, district, street, community)."""
    from personnel.models import (
        CommunityUserObjectPermission,
        DepartmentUserObjectPermission,
        DistrictUserObjectPermission,
        GridUserObjectPermission,
        StreetUserObjectPermission,
    )

    # A typed NULL: PostgreSQL types an untyped NULL in the first UNION branch as text.
    none = Cast(Value(None), output_field=BigIntegerField())

    def branch(model, kind: str, district, street, community):
        return (
            model.objects.filter(user_id=user_id, permission__codename=f"view_{kind}")
            # Every column an annotation, in one order: UNION matches columns by position.
            .annotate(
                kind=Value(kind, output_field=CharField()),
                oid=F("content_object_id"),
                d=district,
                s=street,
                c=community,
            )
            .values_list("kind", "oid", "d", "s", "c")
        )

    parts = [
        branch(DistrictUserObjectPermission, "district", F("content_object_id"), none, none),
        branch(
            StreetUserObjectPermission,
            "street",
            F("content_object__district_id"),
            F("content_object_id"),
            none,
        ),
        branch(
            CommunityUserObjectPermission,
            "community",
            F("content_object__street__district_id"),
            F("content_object__street_id"),
            F("content_object_id"),
        ),
        branch(
            GridUserObjectPermission,
            "grid",
            F("content_object__district_id"),
            F("content_object__street_id"),
            F("content_object__community_id"),
        ),
        branch(
            DepartmentUserObjectPermission,
            "department",
            F("content_object__district_id"),
            F("content_object__street_id"),
            none,
        ),
    ]
    return parts[0].union(*parts[1:], all=True)


def _rows(user) -> list[tuple]:
    """The scope query's rows for ``user``: compiling five ORM branches on every request
    cost more than running them, so the SQL is written once (``query_rows``)."""
    from gridgov.prepared import query_rows

    return query_rows("gridgov_user_scope", _scope_queryset, user_id=user.pk)


def compute_scope(user) -> UserScope:
    """The scope of ``user`` from the database (one query; superusers see everything)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return GLOBAL
    own: dict[str, set[int]] = {
        kind: set() for kind in ("district", "street", "community", "grid", "department")
    }
    above: dict[str, set[int]] = {"district": set(), "street": set(), "community": set()}
    for kind, object_id, district_id, street_id, community_id in _rows(user):
        own[kind].add(object_id)
        above["district"].add(district_id)
        if street_id is not None and kind not in ("street",):
            above["street"].add(street_id)
        if community_id is not None and kind == "grid":
            above["community"].add(community_id)
    return UserScope(
        district_ids=frozenset(own["district"]),
        street_ids=frozenset(own["street"]),
        community_ids=frozenset(own["community"]),
        grid_ids=frozenset(own["grid"]),
        department_ids=frozenset(own["department"]),
        above_district_ids=frozenset(above["district"] - own["district"]),
        above_street_ids=frozenset(above["street"] - own["street"]),
        above_community_ids=frozenset(above["community"] - own["community"]),
    )


def scope_for(user) -> UserScope:
    """The user's scope, computed once per request (see ScopeCacheMiddleware)."""
    cache = _request_cache.get()
    key = getattr(user, "pk", None)
    if cache is not None and key in cache:
        return cache[key]
    scope = compute_scope(user)
    if cache is not None:
        cache[key] = scope
    return scope


def forget_scopes() -> None:
    """Drop the request's cached scopes (after a write changed someone's permissions)."""
    cache = _request_cache.get()
    if cache is not None:
        cache.clear()


class RequestScopeCache:
    """Context manager giving the code inside it a fresh per-request scope cache."""

    def __enter__(self) -> RequestScopeCache:
        self._token = _request_cache.set({})
        return self

    def __exit__(self, *exc_info) -> None:
        _request_cache.reset(self._token)
