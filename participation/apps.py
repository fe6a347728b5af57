from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "participation"
    verbose_name = _("Participation")

    def ready(self) -> None:
        from incidents.signals import ticket_acted
        from participation.receivers import on_ticket_acted
        from participation.roles import register_participation_permissions

        register_participation_permissions()
        ticket_acted.connect(on_ticket_acted, dispatch_uid="participation.rating_links")
