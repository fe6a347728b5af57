from django.urls import path

from grids import views

app_name = "grids"
urlpatterns = [
    path("", views.street_index, name="street-index"),
    path("streets/<int:street_id>/map/", views.street_map, name="street-map"),
]
