"""The training API for phones, read-only: courses, sessions (with the caller's own attendance),
certificates, and the caller's training hours. Editing happens in the back office."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from gridgov.api import BaseViewSet
from personnel import selectors
from personnel.models import Attendance, Certificate, Course, TrainingSession


class CourseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Course
        fields = ("id", "code", "title", "hours", "pass_score", "certificate_months", "active")
        read_only_fields = fields


class OwnAttendanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attendance
        fields = ("attended", "hours", "score")
        read_only_fields = fields


class TrainingSessionSerializer(serializers.ModelSerializer):
    course_code = serializers.CharField(source="course.code", read_only=True)
    course_title = serializers.CharField(source="course.title", read_only=True)
    street_name = serializers.CharField(source="street.name", read_only=True)
    my_attendance = serializers.SerializerMethodField()

    class Meta:
        model = TrainingSession
        fields = (
            "id",
            "course",
            "course_code",
            "course_title",
            "street",
            "street_name",
            "starts_at",
            "ends_at",
            "place",
            "trainer",
            "my_attendance",
        )
        read_only_fields = fields

    @extend_schema_field(OwnAttendanceSerializer(allow_null=True))
    def get_my_attendance(self, session: TrainingSession) -> dict | None:
        """The caller's own attendance at this session, or null."""
        mine = getattr(session, "my_attendances", [])
        return OwnAttendanceSerializer(mine[0]).data if mine else None


class CertificateSerializer(serializers.ModelSerializer):
    course_code = serializers.CharField(source="course.code", read_only=True)
    course_title = serializers.CharField(source="course.title", read_only=True)
    holder = serializers.IntegerField(source="user_id", read_only=True)
    holder_name = serializers.StringRelatedField(source="user")
    expired = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = (
            "id",
            "number",
            "course",
            "course_code",
            "course_title",
            "holder",
            "holder_name",
            "issued_on",
            "expires_on",
            "expired",
        )
        read_only_fields = fields

    def get_expired(self, certificate: Certificate) -> bool:
        return certificate.expires_on is not None and certificate.expires_on < timezone.localdate()


class TrainingHoursSerializer(serializers.Serializer):
    sessions = serializers.IntegerField(help_text=_("Sessions attended"))
    hours = serializers.DecimalField(
        max_digits=9, decimal_places=1, help_text=_("Training hours credited")
    )


class ReadOnlyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Lists and details for every signed-in user, each through its selector."""


class CourseViewSet(ReadOnlyViewSet):
    selector = selectors.course_list
    serializer_class = CourseSerializer
    filterset_fields = ("active", "code")


class TrainingSessionViewSet(ReadOnlyViewSet):
    """Sessions of the streets in the caller's reach; each carries the caller's attendance."""

    selector = selectors.training_session_list
    serializer_class = TrainingSessionSerializer
    filterset_fields = {"course": ["exact"], "street": ["exact"], "starts_at": ["gte", "lte"]}

    def get_queryset(self):
        sessions = super().get_queryset()
        if not self.request.user.is_authenticated:
            return sessions
        own = Attendance.objects.filter(user=self.request.user)
        return sessions.prefetch_related(
            Prefetch("attendances", queryset=own, to_attr="my_attendances")
        )

    @extend_schema(responses=TrainingHoursSerializer, filters=False)
    @action(detail=False, methods=["get"])
    def hours(self, request):
        """The caller's training record in figures: sessions attended and hours credited."""
        serializer = TrainingHoursSerializer(selectors.training_hours(user=request.user))
        return Response(serializer.data)


class CertificateViewSet(ReadOnlyViewSet):
    """One's own certificates, and those of the workers one manages."""

    selector = selectors.certificate_list
    serializer_class = CertificateSerializer
    filterset_fields = {"course": ["exact"], "user": ["exact"], "expires_on": ["gte", "lte"]}


router = SimpleRouter(trailing_slash=True)
router.register("courses", CourseViewSet, basename="course")
router.register("training-sessions", TrainingSessionViewSet, basename="training-session")
router.register("certificates", CertificateViewSet, basename="certificate")

urlpatterns = router.urls
