"""Who may do what where: role assignments at scopes, their object permissions, and the
phone app's per-device tokens."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase
from knox.models import AbstractAuthToken

from grids.models import Community, District, Grid, Street
from personnel.choices import AssignmentState, Role, ScopeType
from personnel.models.departments import Department
from personnel.roles import ALLOWED_SCOPES

SCOPE_FIELDS = {
    ScopeType.DISTRICT: "district",
    ScopeType.STREET: "street",
    ScopeType.COMMUNITY: "community",
    ScopeType.GRID: "grid",
    ScopeType.DEPARTMENT: "department",
}


def _exactly_one_scope() -> models.Q:
    """The scope foreign key named by ``scope_type`` is set, and every other one is empty."""
    condition = models.Q()
    for scope_type, field in SCOPE_FIELDS.items():
        others = {f"{other}__isnull": True for other in SCOPE_FIELDS.values() if other != field}
        condition |= models.Q(scope_type=str(scope_type), **{f"{field}__isnull": False}, **others)
    return condition


class RoleAssignment(models.Model):
    """A user holds a role at one scope (a district, street, community, grid or department)
    from ``valid_from`` until ``valid_until`` (open-ended when empty).

    Rows are history: they are never deleted, and ending one (revocation or expiry) only
    fills ``ended_at``. ``state`` says whether the derived guardian object permissions are
    in force; ``personnel.services.roles`` and the expiry job keep it and them in step.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="role_assignments",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    scope_type = models.CharField(_("scope type"), max_length=12, choices=ScopeType.choices)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("district")
    )
    street = models.ForeignKey(
        Street, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("street")
    )
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("community")
    )
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("grid")
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("department"),
    )
    valid_from = models.DateTimeField(_("valid from"), default=timezone.now)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=AssignmentState.choices,
        default=AssignmentState.PENDING,
        editable=False,
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        editable=False,
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, editable=False)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        editable=False,
        verbose_name=_("ended by"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["-granted_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "valid_until"], name="roleassign_state_until"),
            models.Index(fields=["state", "valid_from"], name="roleassign_state_from"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gt=models.F("valid_from")),
                name="roleassign_until_after_from",
            ),
            models.CheckConstraint(
                condition=_exactly_one_scope(), name="roleassign_exactly_one_scope"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.scope}"

    @property
    def scope(self) -> models.Model | None:
        field = SCOPE_FIELDS.get(self.scope_type)
        return getattr(self, field, None) if field else None

    def clean(self) -> None:
        super().clean()
        if self.role and self.scope_type and self.scope_type not in ALLOWED_SCOPES[self.role]:
            raise ValidationError(
                {
                    "scope_type": _("The role %(role)s cannot be held at a %(scope)s.")
                    % {"role": self.get_role_display(), "scope": self.get_scope_type_display()}
                }
            )
        field = SCOPE_FIELDS.get(self.scope_type)
        if field and getattr(self, f"{field}_id") is None:
            raise ValidationError(
                {field: _("Choose the %(scope)s.") % {"scope": self.get_scope_type_display()}}
            )
        stray = [
            name for name in SCOPE_FIELDS.values() if name != field and getattr(self, f"{name}_id")
        ]
        if stray:
            raise ValidationError(
                {name: _("Leave this empty for a scope of this type.") for name in stray}
            )
        if self.valid_until and self.valid_from and self.valid_until <= self.valid_from:
            raise ValidationError({"valid_until": _("The end must come after the start.")})


class DistrictUserObjectPermission(UserObjectPermissionBase):
    """guardian's direct-foreign-key table: a user's permissions on one district."""

    content_object = models.ForeignKey(District, on_delete=models.CASCADE)


class StreetUserObjectPermission(UserObjectPermissionBase):
    """guardian's direct-foreign-key table: a user's permissions on one street."""

    content_object = models.ForeignKey(Street, on_delete=models.CASCADE)


class CommunityUserObjectPermission(UserObjectPermissionBase):
    """guardian's direct-foreign-key table: a user's permissions on one community."""

    content_object = models.ForeignKey(Community, on_delete=models.CASCADE)


class GridUserObjectPermission(UserObjectPermissionBase):
    """guardian's direct-foreign-key table: a user's permissions on one grid."""

    content_object = models.ForeignKey(Grid, on_delete=models.CASCADE)


class DepartmentUserObjectPermission(UserObjectPermissionBase):
    """guardian's direct-foreign-key table: a user's permissions on one department."""

    content_object = models.ForeignKey(Department, on_delete=models.CASCADE)


class DeviceToken(AbstractAuthToken):
    """A phone's sign-in token (django-rest-knox stores only its hash).

    One token per device name and sign-in; it expires, and deleting the row revokes it. The
    sign-in history itself lives in django-axes' access log, which is never edited.
    """

    device = models.CharField(_("device"), max_length=100)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("device token")
        verbose_name_plural = _("device tokens")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.user} · {self.device}"
