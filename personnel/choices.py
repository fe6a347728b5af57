from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    """The roles a user can hold at a scope (see ``personnel.roles`` for what each may do)."""

    ADMIN = "admin", _("administrator")
    STREET_STAFF = "street_staff", _("street-office staff (command centre)")
    SUPERVISOR = "supervisor", _("supervisor")
    FINANCE_OFFICER = "finance_officer", _("finance officer")
    COMMUNITY_STAFF = "community_staff", _("community staff")
    GRID_CHIEF = "grid_chief", _("grid chief")
    DEPT_HANDLER = "dept_handler", _("department handler")
    GRID_WORKER = "grid_worker", _("grid worker")


class ScopeType(models.TextChoices):
    DISTRICT = "district", _("district")
    STREET = "street", _("street")
    COMMUNITY = "community", _("community")
    GRID = "grid", _("grid")
    DEPARTMENT = "department", _("department")


class AssignmentState(models.TextChoices):
    """Whether an assignment's object permissions are in force (kept by the services and the
    expiry job, so that access follows ``valid_from``/``valid_until`` without a request)."""

    PENDING = "pending", _("not yet in force")
    ACTIVE = "active", _("in force")
    ENDED = "ended", _("ended")


class DepartmentKind(models.TextChoices):
    URBAN_MANAGEMENT = "urban_management", _("urban management")
    PUBLIC_SECURITY = "public_security", _("public security")
    MARKET_SUPERVISION = "market_supervision", _("market supervision")
    HOUSING_CONSTRUCTION = "housing_construction", _("housing and construction")
    ECOLOGY_ENVIRONMENT = "ecology_environment", _("ecology and environment")
    CIVIL_AFFAIRS = "civil_affairs", _("civil affairs")
    WATER = "water", _("water")
    POWER = "power", _("power")
    GAS = "gas", _("gas")
    TELECOM = "telecom", _("telecom")
    LANDSCAPING = "landscaping", _("landscaping")
    OTHER = "other", _("other")


class EmploymentType(models.TextChoices):
    FULL_TIME = "full_time", _("full-time")
    PART_TIME = "part_time", _("part-time")
    VOLUNTEER = "volunteer", _("volunteer")


class WorkerOrigin(models.TextChoices):
    STREET_OFFICE = "street_office", _("transferred from the street office")
    RECRUITED = "recruited", _("recruited")
    COMMUNITY_STAFF = "community_staff", _("community staff")


class WorkerStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("worker status", "active")
    ON_LEAVE = "on_leave", _("on leave")
    LEFT = "left", _("left")


class AssignmentKind(models.TextChoices):
    PRIMARY = "primary", _("primary")
    BACKUP = "backup", _("backup")


class NotificationKind(models.TextChoices):
    GENERAL = "general", _("general")
    ROLE = "role", _("role change")
    ASSIGNMENT = "assignment", _("grid assignment")
    TRAINING = "training", _("training")
    CERTIFICATE = "certificate", _("certificate expiry")
    TICKET = "ticket", _("case")
    DEADLINE = "deadline", _("deadline")
    ESCALATION = "escalation", _("escalation")
    SUPERVISION = "supervision", _("supervision")
    DIGEST = "digest", _("daily digest")
    IDLE = "idle", _("idle worker")
