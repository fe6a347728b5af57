"""Staff pages of the participation app (under ``/participation/``)."""

from django.urls import path

from participation.views import (
    community,
    moderation,
    points,
    proposals,
    ratings,
    residents,
    surveys,
)

app_name = "participation"
urlpatterns: list = [
    path("", community.home, name="home"),
    path("residents/", residents.residents_page, name="residents"),
    path("residents/<int:pk>/", residents.resident_page, name="resident"),
    path("residents/<int:pk>/visit/", residents.resident_visit_view, name="resident-visit"),
    path("households/", residents.households_page, name="households"),
    path("households/<int:pk>/", residents.household_page, name="household"),
    path("care-list/", residents.care_list_page, name="care-list"),
    path("organisations/", community.organisations_page, name="organisations"),
    path("organisations/<int:pk>/", community.organisation_page, name="organisation"),
    path("volunteers/", community.volunteers_page, name="volunteers"),
    path("volunteers/<int:pk>/", points.volunteer_page, name="volunteer"),
    path("volunteers/<int:pk>/adjust/", points.volunteer_adjust_view, name="volunteer-adjust"),
    path("volunteers/<int:pk>/redeem/", points.volunteer_redeem_view, name="volunteer-redeem"),
    path("activities/", community.activities_page, name="activities"),
    path("activities/<int:pk>/", community.activity_page, name="activity"),
    path("activities/<int:pk>/signup/", community.activity_signup_view, name="activity-signup"),
    path(
        "activities/<int:pk>/withdraw/", community.activity_withdraw_view, name="activity-withdraw"
    ),
    path("activities/<int:pk>/cancel/", community.activity_cancel_view, name="activity-cancel"),
    path(
        "activities/<int:pk>/attendance/",
        community.activity_attendance_view,
        name="activity-attendance",
    ),
    path("ranking/", community.ranking_page, name="ranking"),
    path("points/", points.points_page, name="points"),
    path("rewards/", points.rewards_page, name="rewards"),
    path("rewards/<int:pk>/restock/", points.reward_restock_view, name="reward-restock"),
    path(
        "redemptions/<int:pk>/hand-over/",
        points.redemption_hand_over_view,
        name="redemption-hand-over",
    ),
    path("moderation/", moderation.moderation_queue, name="moderation"),
    path("moderation/<int:pk>/approve/", moderation.report_approve, name="report-approve"),
    path("moderation/<int:pk>/reject/", moderation.report_reject, name="report-reject"),
    path("moderation/photos/<int:pk>/", moderation.report_photo, name="report-photo"),
    path("proposals/", proposals.proposals_page, name="proposals"),
    path("proposals/new/", proposals.proposal_new_page, name="proposal-new"),
    path("proposals/<int:pk>/", proposals.proposal_page, name="proposal"),
    path("proposals/<int:pk>/support/", proposals.proposal_support_view, name="proposal-support"),
    path("proposals/<int:pk>/answer/", proposals.proposal_answer_view, name="proposal-answer"),
    path("surveys/", surveys.surveys_page, name="surveys"),
    path("surveys/new/", surveys.survey_create_view, name="survey-create"),
    path("surveys/<int:pk>/", surveys.survey_page, name="survey"),
    path("surveys/<int:pk>/results/", surveys.survey_results_page, name="survey-results"),
    path("surveys/<int:pk>/<slug:step>/", surveys.survey_step_view, name="survey-step"),
    path("ratings/", ratings.ratings_page, name="ratings"),
    path(
        "ratings/links/<int:ticket_pk>/",
        ratings.rating_link_issue_view,
        name="rating-link-issue",
    ),
]
