"""Browser routes of the incidents app (under ``/incidents/``)."""

from django.urls import path

from incidents.views import actions, inbox, maps, photos, queue, ticket

app_name = "incidents"
urlpatterns = [
    path("", queue.ticket_queue, name="queue"),
    path("map/", maps.ticket_map, name="map"),
    path("<int:pk>/", ticket.ticket_page, name="ticket"),
    path("<int:pk>/act/<str:action>/", actions.ticket_action, name="act"),
    path("photos/<int:pk>/", photos.ticket_photo, name="photo"),
    path("inbox/", inbox.department_inbox, name="inbox"),
    path("supervision/", inbox.supervision_orders, name="supervision"),
]
