"""The people API: departments, grid workers, grid assignments and role assignments.

Lists and details read through the selectors; writes go through the services. Nothing is
ever deleted (assignments end, roles are revoked; the rows stay as history), so no route
answers DELETE.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from gridgov.api import BaseViewSet
from gridgov.api_policy import ScopedModelPermissions
from personnel import selectors
from personnel.api import filtersets
from personnel.api import people_serializers as serializers
from personnel.services.departments import department_create, department_update
from personnel.services.roles import role_assignment_grant
from personnel.services.workers import (
    grid_assignment_create,
    grid_assignment_end,
    role_assignment_end,
    worker_create,
    worker_update,
)

READ_AND_EDIT = ["get", "post", "put", "patch", "head", "options"]
READ_AND_ACT = ["get", "post", "head", "options"]


class ChangePermission(ScopedModelPermissions):
    """For POST actions that change an existing row (ending an assignment): the model's
    change permission, not its add permission."""

    perms_map = {
        **ScopedModelPermissions.perms_map,
        "POST": ["%(app_label)s.change_%(model_name)s"],
    }


class DepartmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    BaseViewSet,
):
    """Functional departments, with their handlers. Edits need If-Match (versioned)."""

    http_method_names = READ_AND_EDIT
    serializer_class = serializers.DepartmentSerializer
    filterset_class = filtersets.DepartmentFilterSet

    def get_queryset(self):
        return selectors.department_list(user=self.request.user, with_handlers=True)

    def perform_create(self, serializer) -> None:
        serializer.instance = department_create(
            created_by=self.request.user, **serializer.validated_data
        )
        self._etag_instance = serializer.instance

    def perform_update(self, serializer) -> None:
        serializer.instance = department_update(
            department=serializer.instance,
            updated_by=self.request.user,
            expected_version=self._expected_version,
            **serializer.validated_data,
        )
        self._etag_instance = serializer.instance


class WorkerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    BaseViewSet,
):
    """Grid-worker profiles with their open assignments. Phones are masked unless the user
    sees personal data (street staff and above). Edits need If-Match (versioned)."""

    http_method_names = READ_AND_EDIT
    serializer_class = serializers.WorkerSerializer
    filterset_class = filtersets.WorkerFilterSet

    def get_queryset(self):
        return selectors.worker_list(user=self.request.user, with_open_assignments=True)

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return serializers.WorkerUpdateSerializer
        return serializers.WorkerSerializer

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        # Once per request, not once per row.
        if not hasattr(self, "_unmasked"):
            self._unmasked = selectors.sees_personal_data(user=self.request.user)
        context["unmasked"] = self._unmasked
        return context

    def perform_create(self, serializer) -> None:
        serializer.instance = worker_create(
            created_by=self.request.user, **serializer.validated_data
        )
        self._etag_instance = serializer.instance

    def perform_update(self, serializer) -> None:
        serializer.instance = worker_update(
            worker=serializer.instance,
            updated_by=self.request.user,
            expected_version=self._expected_version,
            **serializer.validated_data,
        )
        self._etag_instance = serializer.instance


class GridAssignmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Who answers for which grid, and since when; ended assignments stay as history.

    Creating one grants the worker the grid_worker role at the grid (under the granting
    rule); ending one revokes it. ``?street=…&open=true&kind=primary`` gives the responsible
    workers of a street's grids (the street map uses it).
    """

    http_method_names = READ_AND_ACT
    selector = selectors.grid_assignment_list
    serializer_class = serializers.GridAssignmentSerializer
    filterset_class = filtersets.GridAssignmentFilterSet

    @extend_schema(
        request=serializers.GridAssignmentCreateSerializer,
        responses={201: serializers.GridAssignmentSerializer},
    )
    def create(self, request: Request) -> Response:
        """Assign a worker to a grid; a second open primary is refused unless
        ``replace_primary``, which ends the current one."""
        body = serializers.GridAssignmentCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        assignment = grid_assignment_create(created_by=request.user, **body.validated_data)
        return Response(self.get_serializer(assignment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.GridAssignmentEndSerializer,
        responses={200: serializers.GridAssignmentSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=[ChangePermission])
    def end(self, request: Request, pk: str | None = None) -> Response:
        """End the assignment (today, or on ``until``); the worker loses access to the grid."""
        assignment = self.get_object()
        body = serializers.GridAssignmentEndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        assignment = grid_assignment_end(
            assignment=assignment, ended_by=request.user, **body.validated_data
        )
        return Response(self.get_serializer(assignment).data)


class RoleAssignmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Roles held at scopes. A grant or revocation follows the granting rule: roles at or
    below one's own, inside one's own scope (403 with the rule otherwise)."""

    http_method_names = READ_AND_ACT
    selector = selectors.role_assignment_list
    serializer_class = serializers.RoleAssignmentSerializer
    filterset_class = filtersets.RoleAssignmentFilterSet

    @extend_schema(
        request=serializers.RoleAssignmentGrantSerializer,
        responses={201: serializers.RoleAssignmentSerializer},
    )
    def create(self, request: Request) -> Response:
        """Grant a role at a scope named by ``scope_type`` and ``scope_id``."""
        body = serializers.RoleAssignmentGrantSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        assignment = role_assignment_grant(granted_by=request.user, **body.validated_data)
        return Response(self.get_serializer(assignment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: serializers.RoleAssignmentSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        """End the assignment now; the row stays as history. A grid worker's role that came
        with a grid assignment ends that assignment too."""
        assignment = role_assignment_end(assignment=self.get_object(), ended_by=request.user)
        return Response(self.get_serializer(assignment).data)


router = SimpleRouter(trailing_slash=True)
router.register("departments", DepartmentViewSet, basename="department")
router.register("workers", WorkerViewSet, basename="worker")
router.register("grid-assignments", GridAssignmentViewSet, basename="grid-assignment")
router.register("role-assignments", RoleAssignmentViewSet, basename="role-assignment")

urlpatterns = router.urls
