"""Who answers for a case at each level of the ladder, read in one query for many cases."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence

from django.db.models import Q

from gridgov.prepared import query_rows
from incidents.choices import Level, Stage
from personnel.choices import AssignmentState, Role, ScopeType
from personnel.models import RoleAssignment

# The roles that answer for a case at each level of the ladder.
LEVEL_ROLES: dict[int, frozenset[str]] = {
    Level.GRID: frozenset({Role.GRID_WORKER, Role.GRID_CHIEF}),
    Level.COMMUNITY: frozenset({Role.COMMUNITY_STAFF}),
    Level.STREET: frozenset({Role.STREET_STAFF}),
    Level.DISTRICT: frozenset({Role.SUPERVISOR}),
}
PLACE_FIELDS = ("district", "street", "community", "grid")


def _place(ticket) -> dict[str, int]:
    return {name: getattr(ticket, f"{name}_id") for name in PLACE_FIELDS}


def holders(tickets: Iterable, roles: Iterable[str]) -> dict[int, set[int]]:
    """For each ticket, the users holding one of ``roles`` at its place or a place above
    (a street supervisor answers for every grid of the street): one query for all."""
    tickets = list(tickets)
    if not tickets:
        return {}
    places: dict[str, set[int]] = defaultdict(set)
    for ticket in tickets:
        for name, value in _place(ticket).items():
            places[name].add(value)
    roles = sorted(roles)
    if all(len(ids) == 1 for ids in places.values()):
        held = _held_at_one_place({name: ids.pop() for name, ids in places.items()}, roles)
    else:
        held = _held(places, roles)
    by_place: dict[tuple[str, int], set[int]] = defaultdict(set)
    for user_id, scope_type, *ids in held:
        by_place[(scope_type, dict(zip(PLACE_FIELDS, ids, strict=True))[scope_type])].add(user_id)
    return {
        ticket.pk: set().union(*(by_place.get(key, set()) for key in _place(ticket).items()))
        for ticket in tickets
    }


def _held(places: dict[str, Collection[int]], roles: Sequence[str]):
    """The active assignments of ``roles`` at ``places``: user, scope type and place ids."""
    covering = Q()
    for name, ids in places.items():
        covering |= Q(scope_type=name, **{f"{name}_id__in": ids})
    return (
        RoleAssignment.objects.filter(covering, role__in=roles, state=AssignmentState.ACTIVE)
        .order_by()
        .values_list("user_id", "scope_type", *(f"{name}_id" for name in PLACE_FIELDS))
    )


def _held_at_one_place(place: dict[str, int], roles: Sequence[str]) -> list[tuple]:
    """``_held`` for the places of one case (every report and most actions tell those who
    answer for one case): a prepared statement per number of roles
    (``gridgov.prepared.query_rows``), as its building cost more than its running."""
    return query_rows(
        f"gridgov_holders_{len(roles)}",
        lambda **arguments: _held(
            {name: [arguments[name]] for name in PLACE_FIELDS},
            [arguments[f"role_{index}"] for index in range(len(roles))],
        ),
        **place,
        **{f"role_{index}": role for index, role in enumerate(roles)},
    )


def level_holders(tickets: Iterable, *, level: int) -> dict[int, set[int]]:
    """The users who answer for each ticket at ``level``: the level's roles held at the
    level's place or above (community staff of its community, street staff of its street,
    supervisors of its district, …)."""
    return holders(tickets, LEVEL_ROLES[level])


def department_handlers(department_ids: Iterable[int]) -> dict[int, set[int]]:
    """The handlers of each department, in one query."""
    found: dict[int, set[int]] = defaultdict(set)
    for user_id, department_id in (
        RoleAssignment.objects.filter(
            role=Role.DEPT_HANDLER,
            state=AssignmentState.ACTIVE,
            scope_type=ScopeType.DEPARTMENT,
            department_id__in=list(department_ids),
        )
        .order_by()
        .values_list("user_id", "department_id")
    ):
        found[department_id].add(user_id)
    return found


# Who must act in each timed stage (besides the lead department and the assignee).
STAGE_ROLES: dict[str, frozenset[str]] = {
    Stage.ACCEPT: frozenset({Role.STREET_STAFF}),
    Stage.DISPATCH: frozenset({Role.STREET_STAFF}),
    Stage.VERIFY: frozenset({Role.GRID_WORKER}),
    Stage.CHECK: frozenset({Role.GRID_WORKER}),
    Stage.HANDLE: frozenset(),
}


def stage_owners(tickets: Iterable) -> dict[int, set[int]]:
    """The people who must act on each ticket's running stage: the command centre for
    accepting and dispatching, the grid's workers for verifying and checking, and for
    handling the lead department's handlers (or, handled in the grid, the assignee or the
    grid's workers). A few queries for any number of tickets."""
    tickets = list(tickets)
    owners: dict[int, set[int]] = {ticket.pk: set() for ticket in tickets}
    by_roles: dict[frozenset[str], list] = defaultdict(list)
    for ticket in tickets:
        roles = STAGE_ROLES.get(ticket.stage, frozenset())
        if ticket.stage == Stage.HANDLE and ticket.lead_department_id is None:
            if ticket.assignee_id:
                owners[ticket.pk].add(ticket.assignee_id)
            else:
                roles = frozenset({Role.GRID_WORKER})
        if roles:
            by_roles[roles].append(ticket)
    for roles, group in by_roles.items():
        for ticket_id, users in holders(group, roles).items():
            owners[ticket_id] |= users
    handling = [t for t in tickets if t.stage == Stage.HANDLE and t.lead_department_id]
    handlers = department_handlers({t.lead_department_id for t in handling})
    for ticket in handling:
        owners[ticket.pk] |= handlers.get(ticket.lead_department_id, set())
        if ticket.assignee_id:
            owners[ticket.pk].add(ticket.assignee_id)
    return owners
