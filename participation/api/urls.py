from django.urls import path
from rest_framework.routers import DefaultRouter

from participation.api import community, moderation, points, proposals, satisfaction, views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("residents", views.ResidentViewSet, basename="resident")
router.register("households", views.HouseholdViewSet, basename="household")
router.register("organisations", community.OrganisationViewSet, basename="organisation")
router.register("volunteers", community.VolunteerViewSet, basename="volunteer")
router.register("activities", community.ActivityViewSet, basename="activity")
router.register("points", points.PointsEntryViewSet, basename="points-entry")
router.register("rewards", points.RewardViewSet, basename="reward")
router.register("redemptions", points.RedemptionViewSet, basename="redemption")
router.register("public-reports", moderation.PublicReportViewSet, basename="public-report")
router.register("proposals", proposals.ProposalViewSet, basename="proposal")
router.register("ratings", satisfaction.RatingViewSet, basename="rating")
router.register("surveys", satisfaction.SurveyViewSet, basename="survey")

urlpatterns = [
    *router.urls,
    path("care-list/", views.CareListViewSet.as_view({"get": "list"}), name="care-list"),
    path("volunteer-ranking/", community.VolunteerRankingView.as_view(), name="volunteer-ranking"),
]
