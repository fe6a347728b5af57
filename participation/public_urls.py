"""Public pages, no sign-in (under ``/public/``): reporting a problem, following it,
rating a closed case, a community's proposals and activities, and surveys."""

from django.urls import path

app_name = "public"
urlpatterns: list = []
