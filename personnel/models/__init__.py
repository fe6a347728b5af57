"""Models of the personnel app, one module per concern; import them from here."""

from personnel.models.access import (
    CommunityUserObjectPermission,
    DepartmentUserObjectPermission,
    DeviceToken,
    DistrictUserObjectPermission,
    GridUserObjectPermission,
    RoleAssignment,
    StreetUserObjectPermission,
)
from personnel.models.departments import Department
from personnel.models.notifications import Notification
from personnel.models.patrols import PatrolCheckIn, PatrolDay, PatrolPoint, PatrolSession
from personnel.models.training import Attendance, Certificate, Course, TrainingSession
from personnel.models.users import User
from personnel.models.workers import GridAssignment, GridWorker

__all__ = [
    "Attendance",
    "Certificate",
    "CommunityUserObjectPermission",
    "Course",
    "Department",
    "DepartmentUserObjectPermission",
    "DeviceToken",
    "DistrictUserObjectPermission",
    "GridAssignment",
    "GridUserObjectPermission",
    "GridWorker",
    "Notification",
    "PatrolCheckIn",
    "PatrolDay",
    "PatrolPoint",
    "PatrolSession",
    "RoleAssignment",
    "StreetUserObjectPermission",
    "TrainingSession",
    "User",
]
