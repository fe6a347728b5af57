"""Creates one group per role with that role's model permissions (personnel.roles)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_role_groups(apps, schema_editor):
    from personnel.roles import sync_role_groups

    # Permissions are normally created after migrate; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_role_groups(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("personnel", "0002_roles_departments_workers_patrols"),
        ("grids", "0002_component_types_and_index_stamp"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
