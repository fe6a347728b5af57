from django.urls import path
from rest_framework.routers import DefaultRouter

from participation.api import moderation, views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("residents", views.ResidentViewSet, basename="resident")
router.register("households", views.HouseholdViewSet, basename="household")
router.register("public-reports", moderation.PublicReportViewSet, basename="public-report")

urlpatterns = [
    *router.urls,
    path("care-list/", views.CareListViewSet.as_view({"get": "list"}), name="care-list"),
]
