"""The model-permission backend: Django's ModelBackend, reading a user's permissions in one
query instead of two."""

from __future__ import annotations

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from gridgov.prepared import fetch_all


@cache
def _permissions_sql() -> str:
    """The user's own permissions and those of their groups (roles), as app label and
    codename. The tables are the models'; the columns are Django's own names for them.
    One statement, the same for every user: PostgreSQL plans it once per session
    (``gridgov.prepared``); the union and join cost more to plan than to run."""
    user = get_user_model()
    quote = connection.ops.quote_name
    tables = {
        "permission": Permission._meta.db_table,
        "content_type": ContentType._meta.db_table,
        "own": user.user_permissions.through._meta.db_table,
        "member": user.groups.through._meta.db_table,
        "granted": Group.permissions.through._meta.db_table,
    }
    return (  # noqa: S608 - quoted table names of models, no input
        "SELECT ct.app_label, p.codename FROM {permission} p"
        " JOIN {content_type} ct ON ct.id = p.content_type_id"
        " WHERE p.id IN (SELECT permission_id FROM {own} WHERE user_id = %s"
        " UNION SELECT g.permission_id FROM {granted} g"
        " JOIN {member} m ON m.group_id = g.group_id WHERE m.user_id = %s)"
    ).format(**{name: quote(table) for name, table in tables.items()})


class ModelPermissionBackend(ModelBackend):
    """ModelBackend (passwords, the user's own and the groups' model permissions), with the
    user's own and group permissions read together.

    Every report from a phone asks whether its user may add tickets. ModelBackend answers
    with two ORM queries, the user's own permissions and then the groups'; building them
    cost more than running them. This reads both in one written-out query. The answer is
    the same set, cached on the user object for one request as ModelBackend caches it, so a
    role granted or withdrawn counts from the next request."""

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                rows = Permission.objects.values_list("content_type__app_label", "codename")
            else:
                rows = fetch_all(
                    "gridgov_user_permissions", _permissions_sql(), [user_obj.pk, user_obj.pk]
                )
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}
        return user_obj._perm_cache
