from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_role_groups(**kwargs) -> None:
    from personnel.roles import sync_role_groups

    sync_role_groups()


class PersonnelConfig(AppConfig):
    name = "personnel"
    verbose_name = _("Personnel")

    def ready(self) -> None:
        from grids.selectors import install_scope_reader
        from personnel.auth_log import connect_login_logging
        from personnel.scope import scope_for

        install_scope_reader(scope_for)
        connect_login_logging()
        # After every migrate, so that permissions of models added since reach the groups.
        post_migrate.connect(_sync_role_groups, dispatch_uid="personnel-sync-role-groups")
