from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CategoryKind(models.TextChoices):
    EVENT = "event", _("event")
    COMPONENT = "component", _("component")


class Priority(models.TextChoices):
    EMERGENCY = "emergency", _("emergency")
    URGENT = "urgent", _("urgent")
    NORMAL = "normal", _("normal")


class Stage(models.TextChoices):
    """The timed stages of a case (see DOMAIN.md, "The closed loop of a case")."""

    ACCEPT = "accept", _("accept")
    VERIFY = "verify", _("verify")
    DISPATCH = "dispatch", _("dispatch")
    HANDLE = "handle", _("handle")
    CHECK = "check", _("check")


class LimitUnit(models.TextChoices):
    MINUTES = "minutes", pgettext_lazy("time unit", "minutes")
    HOURS = "hours", pgettext_lazy("time unit", "hours")
    WORKING_MINUTES = "working_minutes", pgettext_lazy("time unit", "working minutes")
    WORKING_HOURS = "working_hours", pgettext_lazy("time unit", "working hours")
    WORKING_DAYS = "working_days", pgettext_lazy("time unit", "working days")


class OverrideKind(models.TextChoices):
    HOLIDAY = "holiday", _("local holiday")
    WORKDAY = "workday", _("extra working day")


class Source(models.TextChoices):
    PATROL = "patrol", _("patrol")
    SELF_HANDLED = "self_handled", _("self-handled")
    HOTLINE = "hotline", _("12345 hotline")
    RESIDENT = "resident", _("resident app or web")
    OPEN311 = "open311", _("Open311")
    DEPARTMENT = "department", _("department")
    SENSOR = "sensor", _("sensor")
    LEADER = "leader", _("leader instruction")


# Sources whose reports a grid worker verifies on site before filing.
PUBLIC_SOURCES = frozenset({Source.HOTLINE, Source.RESIDENT, Source.OPEN311})


class Status(models.TextChoices):
    """The canonical states of a case (DOMAIN.md, "The closed loop of a case")."""

    REPORTED = "reported", _("reported")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")
    VERIFYING = "verifying", _("verifying")
    FILED = "filed", _("filed")
    VOIDED = "voided", _("voided")
    DISPATCHED = "dispatched", _("dispatched")
    IN_HANDLING = "in_handling", _("in handling")
    HANDLED = "handled", _("handled")
    CHECKING = "checking", _("checking")
    CLOSED = "closed", _("closed")
    REWORK = "rework", _("rework")
    EVALUATED = "evaluated", _("evaluated")


FINAL_STATUSES = frozenset({Status.REJECTED, Status.VOIDED, Status.CLOSED, Status.EVALUATED})


class Action(models.TextChoices):
    REPORT = "report", _("report")
    EDIT = "edit", _("edit")
    ACCEPT = "accept", _("accept")
    REJECT = "reject", _("reject")
    MERGE = "merge", _("merge as duplicate")
    REQUEST_VERIFICATION = "request_verification", _("send for verification")
    VERIFY = "verify", _("verify on site")
    FILE = "file", _("file")
    VOID = "void", _("void")
    DISPATCH = "dispatch", _("dispatch")
    TAKE = "take", _("take on")
    RETURN = "return", _("return to dispatch")
    SUBMIT = "submit", _("submit the result")
    REQUEST_EXTENSION = "request_extension", _("ask for an extension")
    APPROVE_EXTENSION = "approve_extension", _("approve the extension")
    DENY_EXTENSION = "deny_extension", _("deny the extension")
    PARK = "park", _("park")
    RESUME = "resume", _("resume")
    REQUEST_VOID = "request_void", _("ask to void")
    START_CHECK = "start_check", _("start the check")
    CLOSE = "close", _("close")
    REWORK = "rework", _("send back for rework")
    RATE = "rate", _("rate")
    REOPEN = "reopen", _("reopen")
    COMMENT = "comment", _("comment")
    ESCALATE = "escalate", _("escalate")
    ATTACH = "attach", _("add photos")
    TASK_ACCEPT = "task_accept", _("accept the linked task")
    TASK_DONE = "task_done", _("finish the linked task")
    TASK_RETURN = "task_return", _("return the linked task")
    SUPERVISE = "supervise", _("issue a supervision order")
    ANSWER_SUPERVISION = "answer_supervision", _("answer the supervision order")
    CLOSE_SUPERVISION = "close_supervision", _("close the supervision order")


class SlaColour(models.TextChoices):
    GREEN = "green", _("green")
    YELLOW = "yellow", _("yellow")
    RED = "red", _("red")


class Level(models.IntegerChoices):
    """The escalation ladder: a case starts with its grid and only ever moves up."""

    GRID = 0, _("grid")
    COMMUNITY = 1, _("community")
    STREET = 2, _("street")
    DISTRICT = 3, _("district")


class PhotoPhase(models.TextChoices):
    BEFORE = "before", _("before")
    AFTER = "after", _("after")


class TaskRole(models.TextChoices):
    LEAD = "lead", _("lead")
    COOPERATING = "cooperating", _("cooperating")


class TaskStatus(models.TextChoices):
    """A department's part in a linked case (联动处置)."""

    PENDING = "pending", pgettext_lazy("task status", "pending")
    ACCEPTED = "accepted", pgettext_lazy("task status", "accepted")
    DONE = "done", pgettext_lazy("task status", "done")
    RETURNED = "returned", pgettext_lazy("task status", "returned")
    CLOSED_OUT = "closed_out", _("closed out by the lead")


# Tasks that still hold up the case: the lead cannot submit over them without closing out.
OPEN_TASK_STATUSES = frozenset({TaskStatus.PENDING, TaskStatus.ACCEPTED})


class SupervisionLevel(models.TextChoices):
    YELLOW = "yellow", _("yellow card")
    RED = "red", _("red card")


class SupervisionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("supervision status", "open")
    ANSWERED = "answered", _("answered")
    CLOSED = "closed", pgettext_lazy("supervision status", "closed")


class EscalationReason(models.TextChoices):
    OVERDUE = "overdue", _("overdue")
    MANUAL = "manual", _("manual")
