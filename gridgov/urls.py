from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from gridgov import views

api_v1 = [
    path("", include("grids.api.urls")),
    path("", include("personnel.api.urls")),
    path("", include("incidents.api.urls")),
    path("funding/", include("funding.api.urls")),
    path("assessment/", include("assessment.api.urls")),
    path("", include("participation.api.urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("grids/", include("grids.urls")),
    path("incidents/", include("incidents.urls")),
    path("funding/", include("funding.urls")),
    path("assessment/", include("assessment.urls")),
    path("participation/", include("participation.urls")),
    path("public/", include("participation.public_urls")),
    path("open311/v2/", include("participation.open311.urls")),
    path("", include("personnel.urls")),
]

handler404 = "gridgov.views.not_found"
handler500 = "gridgov.views.server_error"
