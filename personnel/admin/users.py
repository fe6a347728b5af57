"""Back office for user accounts.

Non-superusers see and edit only the accounts in their reach (personnel.selectors.user_list),
never superusers nor anyone holding a role above their own. What a user may do comes from
role assignments alone: nobody but a superuser sets the superuser flag, groups or individual
permissions here.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from personnel import selectors
from personnel.choices import AssignmentState
from personnel.models import RoleAssignment, User
from personnel.roles import RANK

SUPERUSER_ONLY_FIELDS = frozenset({"is_superuser", "groups", "user_permissions"})


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Profile"), {"fields": ("full_name",)}),
    )
    list_display = ("username", "full_name", "email", "is_staff", "is_active")

    def get_queryset(self, request) -> QuerySet:
        users = selectors.user_list(user=request.user)
        ordering = self.get_ordering(request)
        return users.order_by(*ordering) if ordering else users

    def get_fieldsets(self, request, obj: Model | None = None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return tuple(
            (name, {**options, "fields": _without_superuser_fields(options["fields"])})
            for name, options in fieldsets
        )

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if request.user.is_superuser:
            return filters
        return tuple(name for name in filters if name not in SUPERUSER_ONLY_FIELDS)

    def has_change_permission(self, request, obj: Model | None = None) -> bool:
        # Whoever may set a password may sign in as that person: never above oneself.
        if (
            obj is not None
            and not request.user.is_superuser
            and (obj.is_superuser or _top_rank(obj) > _top_rank(request.user))
        ):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj: Model | None = None) -> bool:
        # Accounts are referenced by history (assignments, events): deactivate instead.
        return False


def _top_rank(user: User) -> int:
    """The rank of the highest role the user holds in force (0 for none)."""
    roles = RoleAssignment.objects.filter(user=user, state=AssignmentState.ACTIVE)
    return max((RANK[role] for role in roles.values_list("role", flat=True)), default=0)


def _without_superuser_fields(fields) -> tuple:
    return tuple(field for field in fields if field not in SUPERUSER_ONLY_FIELDS)
