"""Public pages, no sign-in (under ``/public/``): reporting a problem, following it,
rating a closed case, a community's proposals and activities, and surveys."""

from django.urls import path

from participation.public import community, rating, reports, surveys

app_name = "public"
urlpatterns: list = [
    path("", community.landing, name="landing"),
    path("report/", reports.report_page, name="report"),
    path("report/done/", reports.report_done, name="report-done"),
    path("follow/", reports.follow_page, name="follow"),
    path("follow/rate/", reports.follow_rate, name="follow-rate"),
    path("grids.geojson", reports.grid_outlines, name="grid-outlines"),
    path("communities/", community.community_picker, name="communities"),
    path("communities/<int:community_id>/", community.community_page, name="community"),
    path("rate/<str:token>/", rating.rate_page, name="rate"),
    path("surveys/<int:pk>/", surveys.survey_page, name="survey"),
]
