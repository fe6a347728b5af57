"""The personnel app's API routes, one module per area (each holds its own router)."""

from django.urls import include, path

urlpatterns = [
    path("", include("personnel.api.auth")),
    path("", include("personnel.api.me")),
    path("", include("personnel.api.people")),
    path("", include("personnel.api.patrols")),
    path("", include("personnel.api.training")),
    path("", include("personnel.api.notifications")),
]
