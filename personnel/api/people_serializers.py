"""Serializers of departments, grid workers, grid assignments and role assignments.

Foreign keys offer only what the requesting user may see (their selectors): an id outside
that answers "does not exist", like an id that does not exist at all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from grids import selectors as place_selectors
from personnel import selectors
from personnel.choices import AssignmentKind, AssignmentState, Role, ScopeType
from personnel.models import Department, GridAssignment, GridWorker, RoleAssignment
from personnel.models.access import SCOPE_FIELDS
from personnel.models.departments import phone_validator

# Where each kind of scope is looked up for the granter: their visible places and departments.
SCOPE_SELECTORS: dict[str, Callable[..., QuerySet]] = {
    ScopeType.DISTRICT: place_selectors.district_list,
    ScopeType.STREET: place_selectors.street_list,
    ScopeType.COMMUNITY: place_selectors.community_list,
    ScopeType.GRID: place_selectors.grid_list,
    ScopeType.DEPARTMENT: selectors.department_list,
}


@extend_schema_field(OpenApiTypes.INT)
class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key whose choices come from a selector, for the requesting user."""

    def __init__(self, *, selector: Callable[..., QuerySet], **kwargs: Any) -> None:
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        request = self.context.get("request")
        return self.selector(user=getattr(request, "user", None))


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    full_name = serializers.CharField(read_only=True)


def _user_name(user) -> str:
    return str(user) if user is not None else ""


class DepartmentSerializer(serializers.ModelSerializer):
    district = ScopedPrimaryKeyRelatedField(selector=place_selectors.district_list)
    street = ScopedPrimaryKeyRelatedField(
        selector=place_selectors.street_list, required=False, allow_null=True
    )
    handlers = serializers.SerializerMethodField(
        help_text=_("Users holding the department-handler role on this department.")
    )

    class Meta:
        model = Department
        fields = (
            "id",
            "code",
            "name",
            "name_en",
            "kind",
            "district",
            "street",
            "contact_name",
            "contact_phone",
            "contact_email",
            "active",
            "handlers",
            "version",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "version", "created_at", "updated_at")

    @extend_schema_field(PersonSerializer(many=True))
    def get_handlers(self, department: Department) -> list[dict[str, Any]]:
        assignments = getattr(department, "handler_assignments", None)
        if assignments is None:  # a row fresh from a service, not from the list's prefetch
            assignments = (
                department.roleassignment_set.filter(
                    role=Role.DEPT_HANDLER, state=AssignmentState.ACTIVE
                )
                .select_related("user")
                .order_by("pk")
            )
        return PersonSerializer([a.user for a in assignments], many=True).data


class OpenAssignmentSerializer(serializers.ModelSerializer):
    grid_code = serializers.CharField(source="grid.code", read_only=True)
    grid_name = serializers.CharField(source="grid.name", read_only=True)

    class Meta:
        model = GridAssignment
        fields = ("id", "grid", "grid_code", "grid_name", "kind", "since")
        read_only_fields = fields


class MaskedPhoneField(serializers.CharField):
    """A phone number, validated on the way in; the serializer may answer it masked."""


class MaskedPhoneFieldScheme(OpenApiSerializerFieldExtension):
    """In answers the phone may be masked (``138****8000``): its pattern admits ``*``."""

    target_class = MaskedPhoneField

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction == "response":
            schema["pattern"] = r"^[0-9+\-() *]{5,20}$"
            schema["description"] = _("Masked (138****8000) unless you may see personal data.")
        return schema


class WorkerSerializer(serializers.ModelSerializer):
    """A worker profile. The phone is masked (``138****8000``) unless the view's context says
    the requesting user sees personal data (``unmasked``)."""

    user = ScopedPrimaryKeyRelatedField(selector=selectors.user_list)
    user_name = serializers.SerializerMethodField()
    street = ScopedPrimaryKeyRelatedField(selector=place_selectors.street_list)
    street_name = serializers.CharField(source="street.name", read_only=True)
    open_assignments = serializers.SerializerMethodField(
        help_text=_("The worker's open grid assignments that you may see.")
    )
    phone = MaskedPhoneField(
        label=GridWorker._meta.get_field("phone").verbose_name,
        max_length=20,
        validators=[phone_validator],
    )

    class Meta:
        model = GridWorker
        fields = (
            "id",
            "user",
            "user_name",
            "street",
            "street_name",
            "employee_number",
            "employment_type",
            "origin",
            "hire_date",
            "phone",
            "status",
            "open_assignments",
            "version",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "version", "created_at", "updated_at")

    def get_user_name(self, worker: GridWorker) -> str:
        return _user_name(worker.user)

    @extend_schema_field(OpenAssignmentSerializer(many=True))
    def get_open_assignments(self, worker: GridWorker) -> list[dict[str, Any]]:
        assignments = getattr(worker, "open_assignments", None)
        if assignments is None:  # a row fresh from a service, not from the list's prefetch
            request = self.context.get("request")
            assignments = selectors.grid_assignment_list(user=request.user).filter(
                worker=worker, until__isnull=True
            )
        return OpenAssignmentSerializer(assignments, many=True).data

    def to_representation(self, instance: GridWorker) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self.context.get("unmasked", False) and data.get("phone"):
            data["phone"] = selectors.mask_phone(data["phone"])
        return data


class WorkerUpdateSerializer(WorkerSerializer):
    """A profile belongs to one user for good: the user cannot be changed."""

    user = serializers.PrimaryKeyRelatedField(read_only=True)


class GridAssignmentSerializer(serializers.ModelSerializer):
    worker_name = serializers.SerializerMethodField()
    employee_number = serializers.CharField(source="worker.employee_number", read_only=True)
    grid_code = serializers.CharField(source="grid.code", read_only=True)
    grid_name = serializers.CharField(source="grid.name", read_only=True)
    open = serializers.SerializerMethodField()

    class Meta:
        model = GridAssignment
        fields = (
            "id",
            "worker",
            "worker_name",
            "employee_number",
            "grid",
            "grid_code",
            "grid_name",
            "street",
            "kind",
            "since",
            "until",
            "open",
            "role_assignment",
            "created_by",
            "created_at",
        )
        read_only_fields = fields

    def get_worker_name(self, assignment: GridAssignment) -> str:
        return _user_name(assignment.worker.user)

    def get_open(self, assignment: GridAssignment) -> bool:
        return assignment.until is None


class GridAssignmentCreateSerializer(serializers.Serializer):
    worker = ScopedPrimaryKeyRelatedField(selector=selectors.worker_list)
    grid = ScopedPrimaryKeyRelatedField(selector=place_selectors.grid_list)
    kind = serializers.ChoiceField(choices=AssignmentKind.choices)
    since = serializers.DateField(
        required=False, help_text=_("The first day of the assignment; today when omitted.")
    )
    replace_primary = serializers.BooleanField(
        default=False,
        help_text=_("End the grid's current primary assignment (on the start day) first."),
    )


class GridAssignmentEndSerializer(serializers.Serializer):
    until = serializers.DateField(
        required=False, help_text=_("The last day of the assignment; today when omitted.")
    )


class RoleAssignmentSerializer(serializers.ModelSerializer):
    user_name = serializers.SerializerMethodField()
    scope_id = serializers.SerializerMethodField()
    scope_name = serializers.SerializerMethodField()

    class Meta:
        model = RoleAssignment
        fields = (
            "id",
            "user",
            "user_name",
            "role",
            "scope_type",
            "scope_id",
            "scope_name",
            "valid_from",
            "valid_until",
            "state",
            "granted_by",
            "granted_at",
            "ended_at",
            "ended_by",
            "note",
        )
        read_only_fields = fields

    def get_user_name(self, assignment: RoleAssignment) -> str:
        return _user_name(assignment.user)

    def get_scope_id(self, assignment: RoleAssignment) -> int:
        return getattr(assignment, f"{SCOPE_FIELDS[assignment.scope_type]}_id")

    def get_scope_name(self, assignment: RoleAssignment) -> str:
        return str(assignment.scope)


class RoleAssignmentGrantSerializer(serializers.Serializer):
    """A grant: the scope is named by its type and id, and must be one the granter sees."""

    user = ScopedPrimaryKeyRelatedField(selector=selectors.user_list)
    role = serializers.ChoiceField(choices=Role.choices)
    scope_type = serializers.ChoiceField(choices=ScopeType.choices)
    scope_id = serializers.IntegerField(min_value=1)
    valid_from = serializers.DateTimeField(required=False)
    valid_until = serializers.DateTimeField(required=False, allow_null=True)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        request = self.context["request"]
        scope_id = attrs.pop("scope_id")
        visible = SCOPE_SELECTORS[attrs.pop("scope_type")](user=request.user)
        scope: Model | None = visible.filter(pk=scope_id).first()
        if scope is None:
            message = serializers.PrimaryKeyRelatedField.default_error_messages["does_not_exist"]
            raise serializers.ValidationError(
                {"scope_id": message.format(pk_value=scope_id)}, code="does_not_exist"
            )
        attrs["scope"] = scope
        return attrs
