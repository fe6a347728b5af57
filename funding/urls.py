"""Browser routes of the funding app (under ``/funding/``)."""

from django.urls import path

from funding import views

app_name = "funding"
urlpatterns = [
    path("reports/", views.report_page, name="reports"),
    path("disclosure/<int:community_id>/", views.disclosure_page, name="disclosure"),
]
