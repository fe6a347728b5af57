from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class GridsConfig(AppConfig):
    name = "grids"
    verbose_name = _("Places and grids")

    def ready(self) -> None:
        from grids.component_catalogue import component_types_ensure

        post_migrate.connect(component_types_ensure, sender=self, dispatch_uid="grids-catalogue")
