"""The incidents app's API routes, one module per area (each holds its own routes)."""

from django.urls import include, path

urlpatterns = [
    path("", include("incidents.api.calendar")),
    path("", include("incidents.api.categories")),
    path("", include("incidents.api.tickets")),
    path("", include("incidents.api.queues")),
]
