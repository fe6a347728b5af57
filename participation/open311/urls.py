"""Open311 GeoReport v2 routes (mounted at ``/open311/v2/``). Each resource answers with a
format suffix (``.xml``, ``.json``) and without one (XML); the named routes are the ones
with the suffix."""

from django.urls import re_path

from participation.open311 import views

FORMAT = r"\.(?P<format>xml|json)"
CODE = r"(?P<service_code>[A-Za-z0-9_-]+)"
NUMBER = r"(?P<pk>[A-Za-z0-9_-]+)"
HANDLE = r"(?P<token>[A-Za-z0-9_-]+)"

_resources = [
    ("discovery", "open311-discovery", views.DiscoveryView),
    ("services", "open311-services", views.ServiceListView),
    (f"services/{CODE}", "open311-service", views.ServiceDefinitionView),
    ("requests", "open311-requests", views.RequestListView),
    (f"requests/{NUMBER}", "open311-request", views.RequestDetailView),
    (f"tokens/{HANDLE}", "open311-token", views.TokenView),
]

urlpatterns = [
    pattern
    for path, name, view in _resources
    for pattern in (
        re_path(rf"^{path}{FORMAT}$", view.as_view(), name=name),
        re_path(rf"^{path}$", view.as_view()),
    )
] + [re_path(r"^(?P<path>.*)$", views.NotFoundView.as_view())]
