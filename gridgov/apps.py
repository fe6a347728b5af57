from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridGovConfig(AppConfig):
    name = "gridgov"
    verbose_name = _("GridGov core")

    def ready(self) -> None:
        from gridgov import checks  # noqa: F401  (registers the system checks)
