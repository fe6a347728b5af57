"""Back office for community life, read through the participation selectors.

Read-only: organisations, volunteers, activities, points, rewards, proposals, surveys and
ratings are kept on the staff pages and through the API, whose services check the rules
(capacity, balances, answers). Residents' names are not shown here.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model

from gridgov.admin_base import SelectorReadOnlyAdmin
from participation.models import (
    Activity,
    ActivitySignup,
    Organisation,
    PointsEntry,
    Proposal,
    ProposalAnswer,
    Rating,
    Redemption,
    Reward,
    Survey,
    SurveyQuestion,
    Volunteer,
)
from participation.selectors.community import activity_list, organisation_list, volunteer_list
from participation.selectors.points import points_entry_list, redemption_list, reward_list
from participation.selectors.proposals import proposal_list
from participation.selectors.satisfaction import rating_list
from participation.selectors.surveys import survey_list


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request, obj: Model | None = None) -> bool:
        return False


class SignupInline(ReadOnlyInline):
    model = ActivitySignup
    fields = readonly_fields = ("volunteer", "status", "signed_up_at", "attended", "hours")


class AnswerInline(ReadOnlyInline):
    model = ProposalAnswer
    fields = readonly_fields = ("status", "text", "answered_by", "at", "ticket", "activity")


class QuestionInline(ReadOnlyInline):
    model = SurveyQuestion
    fields = readonly_fields = ("order", "text", "kind", "choices", "required")


@admin.register(Organisation)
class OrganisationAdmin(SelectorReadOnlyAdmin):
    selector = organisation_list
    list_display = ("name", "kind", "street", "active")
    list_filter = ("kind", "active", "street")
    search_fields = ("name",)
    fields = readonly_fields = ("name", "kind", "street", "description", "active", "version")


@admin.register(Volunteer)
class VolunteerAdmin(SelectorReadOnlyAdmin):
    selector = volunteer_list
    list_display = ("id", "community", "organisation", "joined_on", "active")
    list_filter = ("active", "street")
    fields = readonly_fields = (
        "community",
        "organisation",
        "skills",
        "availability",
        "joined_on",
        "active",
    )


@admin.register(Activity)
class ActivityAdmin(SelectorReadOnlyAdmin):
    selector = activity_list
    list_display = ("title", "kind", "community", "starts_at", "capacity", "signed_up", "status")
    list_filter = ("kind", "status", "street")
    search_fields = ("title",)
    date_hierarchy = "starts_at"
    inlines = [SignupInline]
    fields = readonly_fields = (
        "title",
        "kind",
        "organiser",
        "community",
        "grid",
        "starts_at",
        "ends_at",
        "place",
        "capacity",
        "signed_up",
        "points_per_hour",
        "status",
        "created_by",
    )


@admin.register(PointsEntry)
class PointsEntryAdmin(SelectorReadOnlyAdmin):
    selector = points_entry_list
    list_display = ("at", "account", "kind", "amount", "balance_after", "reason")
    list_filter = ("kind",)
    fields = readonly_fields = (
        "account",
        "kind",
        "amount",
        "balance_after",
        "reason",
        "key",
        "created_by",
        "at",
    )


@admin.register(Reward)
class RewardAdmin(SelectorReadOnlyAdmin):
    selector = reward_list
    list_display = ("name", "street", "community", "cost", "stock", "active")
    list_filter = ("active", "street")
    fields = readonly_fields = ("name", "street", "community", "description", "cost", "stock")


@admin.register(Redemption)
class RedemptionAdmin(SelectorReadOnlyAdmin):
    selector = redemption_list
    list_display = ("redeemed_at", "reward", "volunteer", "points", "handed_over_at")
    fields = readonly_fields = (
        "reward",
        "volunteer",
        "points",
        "redeemed_at",
        "redeemed_by",
        "handed_over_at",
    )


@admin.register(Proposal)
class ProposalAdmin(SelectorReadOnlyAdmin):
    selector = proposal_list
    list_display = ("title", "kind", "community", "status", "supporters", "created_at")
    list_filter = ("kind", "status", "street")
    search_fields = ("title",)
    inlines = [AnswerInline]
    fields = readonly_fields = (
        "kind",
        "title",
        "body",
        "community",
        "grid",
        "organisation",
        "status",
        "supporters",
        "ticket",
        "activity",
    )


@admin.register(Survey)
class SurveyAdmin(SelectorReadOnlyAdmin):
    selector = survey_list
    list_display = ("title", "street", "community", "opens_on", "closes_on", "status")
    list_filter = ("status", "street")
    inlines = [QuestionInline]
    fields = readonly_fields = (
        "title",
        "description",
        "street",
        "community",
        "opens_on",
        "closes_on",
        "status",
        "created_by",
    )


@admin.register(Rating)
class RatingAdmin(SelectorReadOnlyAdmin):
    selector = rating_list
    list_display = ("at", "ticket", "score", "channel", "reopened", "community")
    list_filter = ("score", "channel", "reopened", "street")
    fields = readonly_fields = ("ticket", "score", "comment", "channel", "at", "reopened")
