"""Choices of the participation app."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CareTagCode(models.TextChoices):
    """Why a resident needs the grid worker's regular attention (关爱对象)."""

    ELDERLY_ALONE = "elderly_alone", _("elderly, living alone")
    DISABLED = "disabled", _("disabled")
    LOW_INCOME = "low_income", _("low income")
    VETERAN = "veteran", _("veteran")
    LEFT_BEHIND_MINOR = "left_behind_minor", _("minor left behind")
    KEY_CARE = "key_care", _("key care")


class OrganisationKind(models.TextChoices):
    SOCIAL = "social", _("social organisation")
    VOLUNTEER_TEAM = "volunteer_team", _("volunteer team")
    ENTERPRISE = "enterprise", _("enterprise")
    PROPERTY = "property", _("property management")
    RESIDENTS_COMMITTEE = "residents_committee", _("residents' committee")
    PARTY = "party", _("party organisation")


class Skill(models.TextChoices):
    """What a volunteer can offer."""

    FIRST_AID = "first_aid", _("first aid")
    ELDERLY_CARE = "elderly_care", _("elderly care")
    TUTORING = "tutoring", _("tutoring")
    REPAIRS = "repairs", _("repairs")
    LEGAL = "legal", _("legal advice")
    MEDICAL = "medical", _("medical")
    PATROL = "patrol", pgettext_lazy("skill", "patrol")
    CLEANING = "cleaning", _("cleaning")
    CULTURE = "culture", _("culture and sport")
    DRIVING = "driving", _("driving")
    OTHER = "other", pgettext_lazy("skill", "other")


class DayPart(models.TextChoices):
    """Parts of a day a volunteer is usually free."""

    MORNING = "morning", _("morning")
    AFTERNOON = "afternoon", _("afternoon")
    EVENING = "evening", _("evening")


class ActivityKind(models.TextChoices):
    SERVICE = "service", _("service")
    PATROL = "patrol", pgettext_lazy("activity", "patrol")
    CLEANUP = "cleanup", _("cleanup")
    ELDERLY_CARE = "elderly_care", _("elderly care")
    MEETING = "meeting", _("meeting")
    OTHER = "other", pgettext_lazy("activity", "other")


class ActivityStatus(models.TextChoices):
    OPEN = "open", _("open for sign-up")
    CANCELLED = "cancelled", _("cancelled")
    DONE = "done", _("attendance recorded")


class SignupStatus(models.TextChoices):
    SIGNED_UP = "signed_up", _("signed up")
    WITHDRAWN = "withdrawn", _("withdrawn")


class PointsKind(models.TextChoices):
    """Why a volunteer's points changed: earned by service, spent on a reward, or adjusted
    by staff with a reason."""

    EARN = "earn", _("earned")
    REDEEM = "redeem", _("redeemed")
    ADJUST = "adjust", _("adjusted")


class ProposalKind(models.TextChoices):
    PROPOSAL = "proposal", _("proposal")
    NEED = "need", _("need")


class ProposalStatus(models.TextChoices):
    """Where a proposal stands; every change after ``open`` is an official answer."""

    OPEN = "open", _("awaiting an answer")
    IN_PROGRESS = "in_progress", _("in progress")
    ACCEPTED = "accepted", pgettext_lazy("proposal status", "accepted")
    DECLINED = "declined", _("declined")


ANSWER_STATUSES = (ProposalStatus.IN_PROGRESS, ProposalStatus.ACCEPTED, ProposalStatus.DECLINED)


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    OPEN = "open", _("open")
    CLOSED = "closed", pgettext_lazy("survey status", "closed")


class QuestionKind(models.TextChoices):
    RATING = "rating", _("rating from 1 to 5")
    CHOICE = "choice", _("one choice")
    TEXT = "text", _("free text")


class RatingChannel(models.TextChoices):
    """How a rating reached GridGov."""

    LINK = "link", _("rating link")
    CALLBACK = "callback", _("call-back by staff")


class ReportChannel(models.TextChoices):
    WEB = "web", _("public web page")
    OPEN311 = "open311", _("Open311 client")


class ReportStatus(models.TextChoices):
    """A public report before and after it became a case."""

    PENDING = "pending", _("awaiting moderation")
    TICKETED = "ticketed", _("became a case")
    REJECTED = "rejected", _("rejected by moderation")


class AttributeType(models.TextChoices):
    """Open311 GeoReport v2 attribute datatypes."""

    STRING = "string", _("short text")
    NUMBER = "number", _("number")
    DATETIME = "datetime", _("date and time")
    TEXT = "text", _("long text")
    SINGLE = "singlevaluelist", _("one of a list")
    MULTI = "multivaluelist", _("several of a list")
