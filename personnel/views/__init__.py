"""Browser pages of the personnel app, one module per area, each with its urlpatterns."""
