"""The assessment app's API routes, one module per area (each holds its own routes)."""

from django.urls import include, path

urlpatterns: list = [
    path("", include("assessment.api.indicators")),
    path("", include("assessment.api.rankings")),
    path("", include("assessment.api.scores")),
    path("", include("assessment.api.forecast")),
]
