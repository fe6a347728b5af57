"""What each role may do (Django groups of model permissions) and where it may be held.

Where a role applies is data (role assignments at scopes); what it may do is this table.
Groups are named after the roles. A data migration creates them, ``post_migrate`` and
``manage.py sync_roles`` keep their permissions equal to this table. Higher apps add their
models' permissions with :func:`register_role_permissions` in their ``AppConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Iterable

from personnel.choices import Role, ScopeType

# A role may grant roles of equal or lower rank, inside a scope it holds.
RANK: dict[str, int] = {
    Role.ADMIN: 100,
    Role.STREET_STAFF: 80,
    Role.SUPERVISOR: 70,
    Role.FINANCE_OFFICER: 50,
    Role.COMMUNITY_STAFF: 50,
    Role.GRID_CHIEF: 40,
    Role.DEPT_HANDLER: 30,
    Role.GRID_WORKER: 20,
}

ALLOWED_SCOPES: dict[str, tuple[str, ...]] = {
    Role.ADMIN: (ScopeType.DISTRICT,),
    Role.STREET_STAFF: (ScopeType.DISTRICT, ScopeType.STREET),
    Role.SUPERVISOR: (ScopeType.DISTRICT, ScopeType.STREET),
    Role.FINANCE_OFFICER: (ScopeType.DISTRICT, ScopeType.STREET, ScopeType.COMMUNITY),
    Role.COMMUNITY_STAFF: (ScopeType.COMMUNITY,),
    Role.GRID_CHIEF: (ScopeType.COMMUNITY, ScopeType.GRID),
    Role.DEPT_HANDLER: (ScopeType.DEPARTMENT,),
    Role.GRID_WORKER: (ScopeType.GRID,),
}

# Roles that see personal data (workers' phones) unmasked.
UNMASKED_ROLES = frozenset({Role.ADMIN, Role.STREET_STAFF})

_PLACES = ("district", "street", "community", "grid", "component")
_VIEW_PLACES = tuple(f"grids.view_{model}" for model in _PLACES)
_PATROL_VIEW = (
    "personnel.view_patrolsession",
    "personnel.view_patrolpoint",
    "personnel.view_patrolcheckin",
    "personnel.view_patrolday",
)
_PATROL_RECORD = (
    "personnel.add_patrolsession",
    "personnel.change_patrolsession",
    "personnel.add_patrolpoint",
    "personnel.add_patrolcheckin",
)
_PEOPLE_VIEW = (
    "personnel.view_department",
    "personnel.view_gridworker",
    "personnel.view_gridassignment",
    "personnel.view_roleassignment",
)
_TRAINING_VIEW = (
    "personnel.view_course",
    "personnel.view_trainingsession",
    "personnel.view_attendance",
    "personnel.view_certificate",
)
_TRAINING_MANAGE = tuple(
    f"personnel.{verb}_{model}"
    for model in ("course", "trainingsession", "attendance", "certificate")
    for verb in ("add", "change")
)
_COMPONENTS_EDIT = ("grids.add_component", "grids.change_component")
_PLACES_EDIT = tuple(f"grids.{verb}_{model}" for model in _PLACES for verb in ("add", "change"))
_PEOPLE_MANAGE = (
    "personnel.add_department",
    "personnel.change_department",
    "personnel.add_gridworker",
    "personnel.change_gridworker",
    "personnel.add_gridassignment",
    "personnel.change_gridassignment",
    "personnel.add_roleassignment",
    "personnel.change_roleassignment",
)

_ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.ADMIN: {
        *_VIEW_PLACES,
        *_PLACES_EDIT,
        *_PEOPLE_VIEW,
        *_PEOPLE_MANAGE,
        *_PATROL_VIEW,
        *_TRAINING_VIEW,
        *_TRAINING_MANAGE,
        "personnel.view_user",
        "personnel.add_user",
        "personnel.change_user",
    },
    Role.STREET_STAFF: {
        *_VIEW_PLACES,
        "grids.change_grid",
        "grids.change_community",
        *_COMPONENTS_EDIT,
        *_PEOPLE_VIEW,
        *_PEOPLE_MANAGE,
        *_PATROL_VIEW,
        *_TRAINING_VIEW,
        *_TRAINING_MANAGE,
        "personnel.view_user",
        "personnel.add_user",
        "personnel.change_user",
    },
    Role.SUPERVISOR: {*_VIEW_PLACES, *_PEOPLE_VIEW, *_PATROL_VIEW, *_TRAINING_VIEW},
    Role.FINANCE_OFFICER: {*_VIEW_PLACES, "personnel.view_department"},
    Role.COMMUNITY_STAFF: {
        *_VIEW_PLACES,
        *_COMPONENTS_EDIT,
        *_PEOPLE_VIEW,
        "personnel.add_roleassignment",
        *_PATROL_VIEW,
        *_TRAINING_VIEW,
    },
    Role.GRID_CHIEF: {
        *_VIEW_PLACES,
        *_COMPONENTS_EDIT,
        *_PEOPLE_VIEW,
        *_PATROL_VIEW,
        *_PATROL_RECORD,
        *_TRAINING_VIEW,
    },
    Role.DEPT_HANDLER: {*_VIEW_PLACES, "personnel.view_department"},
    Role.GRID_WORKER: {
        *_VIEW_PLACES,
        *_COMPONENTS_EDIT,
        "personnel.view_department",
        "personnel.view_gridworker",
        "personnel.view_gridassignment",
        *_PATROL_VIEW,
        *_PATROL_RECORD,
        "personnel.view_course",
        "personnel.view_trainingsession",
        "personnel.view_certificate",
    },
}


def register_role_permissions(mapping: dict[str, Iterable[str]]) -> None:
    """Add permissions (``app_label.codename``) to roles; called by higher apps' ``ready``."""
    for role, permissions in mapping.items():
        _ROLE_PERMISSIONS[Role(role)].update(permissions)


def role_permissions() -> dict[str, frozenset[str]]:
    return {role: frozenset(perms) for role, perms in _ROLE_PERMISSIONS.items()}


def sync_role_groups(*, apps=None) -> dict[str, tuple[int, int]]:
    """Make each role's group hold exactly its permissions; returns role → (added, removed).

    Permissions named here whose app is not installed yet are skipped (a later migration's
    ``post_migrate`` run adds them). ``apps`` is a migration's historical registry.
    """
    if apps is None:
        from django.apps import apps
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    wanted_names = set().union(*_ROLE_PERMISSIONS.values())
    by_name = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in permission_model.objects.values_list(
            "pk", "content_type__app_label", "codename"
        )
        if f"{app_label}.{codename}" in wanted_names
    }
    changes = {}
    for role, names in _ROLE_PERMISSIONS.items():
        group, _created = group_model.objects.get_or_create(name=str(role))
        wanted = {by_name[name] for name in names if name in by_name}
        current = set(group.permissions.values_list("pk", flat=True))
        group.permissions.add(*(wanted - current))
        group.permissions.remove(*(current - wanted))
        changes[str(role)] = (len(wanted - current), len(current - wanted))
    return changes
