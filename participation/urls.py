"""Staff pages of the participation app (under ``/participation/``)."""

from django.urls import path

from participation.views import moderation

app_name = "participation"
urlpatterns: list = [
    path("moderation/", moderation.moderation_queue, name="moderation"),
    path("moderation/<int:pk>/approve/", moderation.report_approve, name="report-approve"),
    path("moderation/<int:pk>/reject/", moderation.report_reject, name="report-reject"),
    path("moderation/photos/<int:pk>/", moderation.report_photo, name="report-photo"),
]
