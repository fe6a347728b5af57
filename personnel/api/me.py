"""``GET /api/v1/me/``: who the caller is, the roles in force, the grids they see and the
number of unread notifications; what a phone loads right after signing in."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from grids.selectors import grid_list
from personnel.choices import AssignmentState
from personnel.models import RoleAssignment
from personnel.selectors import role_assignment_list, unread_count


class RoleInForceSerializer(serializers.ModelSerializer):
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    scope_id = serializers.SerializerMethodField()
    scope_name = serializers.SerializerMethodField()

    class Meta:
        model = RoleAssignment
        fields = (
            "id",
            "role",
            "role_display",
            "scope_type",
            "scope_id",
            "scope_name",
            "valid_from",
            "valid_until",
        )
        read_only_fields = fields

    def get_scope_id(self, assignment: RoleAssignment) -> int:
        return assignment.scope.pk

    def get_scope_name(self, assignment: RoleAssignment) -> str:
        return assignment.scope.name


class GridRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    email = serializers.CharField(help_text=_("The e-mail address, or empty if none is on file."))
    roles = RoleInForceSerializer(many=True, help_text=_("The role assignments in force."))
    grids = GridRefSerializer(many=True, help_text=_("Every grid the user may see."))
    unread_notifications = serializers.IntegerField()


class MeView(APIView):
    """The signed-in user, by session or device token."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        me = {
            "id": user.pk,
            "username": user.get_username(),
            "full_name": user.full_name,
            "email": user.email,
            "roles": role_assignment_list(user=user).filter(
                user=user, state=AssignmentState.ACTIVE
            ),
            # Ids and codes only: a few bytes a grid, even for someone who sees a whole city.
            "grids": grid_list(user=user).order_by("code").values("id", "code"),
            "unread_notifications": unread_count(user=user),
        }
        return Response(MeSerializer(me).data)


urlpatterns = [path("me/", MeView.as_view(), name="me")]
