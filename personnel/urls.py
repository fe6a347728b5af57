"""Browser routes of the personnel app (each area's module lists its own)."""

from django.urls import include, path

urlpatterns = [
    path("accounts/", include("personnel.views.auth")),
    path("personnel/", include("personnel.views.people")),
    path("personnel/", include("personnel.views.patrols")),
    path("personnel/", include("personnel.views.notifications")),
]
