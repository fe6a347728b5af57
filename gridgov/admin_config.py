"""Admin that autodiscovers every app's admin module except django-leaflet's.

leaflet/admin.py imports django.contrib.gis, which needs the GDAL system library; GridGov
keeps geometry as GeoJSON and must start on machines without GDAL.
"""

from importlib import import_module

from django.contrib.admin.apps import SimpleAdminConfig
from django.utils.module_loading import module_has_submodule

SKIPPED_ADMIN_MODULES = {"leaflet"}


class GridGovAdminConfig(SimpleAdminConfig):
    def ready(self) -> None:
        super().ready()
        from django.apps import apps

        for app_config in apps.get_app_configs():
            if app_config.name in SKIPPED_ADMIN_MODULES:
                continue
            if module_has_submodule(app_config.module, "admin"):
                import_module(f"{app_config.name}.admin")
