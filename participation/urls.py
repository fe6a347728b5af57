"""Staff pages of the participation app (under ``/participation/``)."""

from django.urls import path

app_name = "participation"
urlpatterns: list = []
