"""``manage.py rollups_rebuild [--since DAY] [--until DAY]``: rewrite the rollups of a
range of local days from scratch (by default the nightly job's last 35 days), one day per
transaction, with a progress line per day."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from assessment.services.rollups import REBUILD_DAYS, rollups_rebuild


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a day: give it as 2026-10-01.") from None


class Command(BaseCommand):
    help = "Rewrite the assessment rollups of a range of days from scratch, showing progress."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--since", type=_day, help="first local day (default: 35 days ago)")
        parser.add_argument("--until", type=_day, help="last local day (default: today)")

    def handle(self, *args, since: date | None, until: date | None, **options) -> None:
        today = timezone.localdate()
        since = since or today - timedelta(days=REBUILD_DAYS - 1)
        until = until or today
        if until < since:
            raise CommandError("--until comes before --since.")

        def progress(day: date, done: int, total: int) -> None:
            self.stdout.write(f"[{done}/{total}] {day.isoformat()}", ending="\r")
            self.stdout.flush()

        result = rollups_rebuild(since=since, until=until, progress=progress)
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"Rebuilt {len(result.days)} days ({since} to {until}): {result.rows} rows."
            )
        )
