"""Duplicate suggestions read tickets by category and place (category, lat, lng) instead of
by category and day (category, created_at): in a busy grid the old index made every report
read the day's cases of its category across the city and every case of the grid.

The new index is built before the old one is dropped, so lookups by category always have
one. On PostgreSQL the build holds a write lock on tickets for its duration (about two
seconds per million tickets here); run it in a quiet hour on a large database."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0007_ticket_indexes_without_duplicates"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["category", "lat", "lng"], name="ticket_category_place"),
        ),
        migrations.RemoveIndex(
            model_name="ticket",
            name="ticket_category_created",
        ),
    ]
