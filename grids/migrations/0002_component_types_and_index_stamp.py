from django.db import migrations


def load(apps, schema_editor):
    from grids.component_catalogue import COMPONENT_TYPES

    ComponentType = apps.get_model("grids", "ComponentType")
    for major, minor, name, name_en in COMPONENT_TYPES:
        ComponentType.objects.update_or_create(
            major_class=major, minor_class=minor, defaults={"name": name, "name_en": name_en}
        )
    apps.get_model("grids", "GridIndexStamp").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("grids", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
