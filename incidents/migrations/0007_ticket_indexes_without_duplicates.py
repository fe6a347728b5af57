"""Ticket indexes: no index on a column that already leads a composite one, and one for
duplicate suggestions (category, created_at), which also serves lookups by category.

Only the indexes change in the database: Django's AlterField would also drop and re-add
each foreign key, validating every ticket under a table lock."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

DROPPED = (
    "incidents_ticket_category_id_0649e5d6",
    "incidents_ticket_grid_id_fca277b0",
    "incidents_ticket_lead_department_id_676584d6",
    "incidents_ticket_street_id_abcce97b",
)


class Migration(migrations.Migration):
    dependencies = [
        ("grids", "0002_component_types_and_index_stamp"),
        ("incidents", "0006_stagealert_at"),
        ("personnel", "0005_incident_notification_kinds"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="ticket",
                    name="category",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tickets",
                        to="incidents.category",
                        verbose_name="category",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="grid",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="grids.grid",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="lead_department",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="led_tickets",
                        to="personnel.department",
                        verbose_name="lead department",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="street",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="grids.street",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    [f'DROP INDEX IF EXISTS "{name}"' for name in DROPPED],
                    reverse_sql=[
                        f'CREATE INDEX IF NOT EXISTS "{name}" ON "incidents_ticket" '
                        f'("{name.removeprefix("incidents_ticket_").rsplit("_", 1)[0]}")'
                        for name in DROPPED
                    ],
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["category", "created_at"], name="ticket_category_created"),
        ),
    ]
