"""The funding app's API routes, one module per area (each holds its own routes)."""

from django.urls import include, path

urlpatterns = [
    path("", include("funding.api.budgets")),
    path("", include("funding.api.expenditures")),
    path("", include("funding.api.flags")),
    path("", include("funding.api.ledger")),
]
