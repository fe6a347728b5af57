"""``manage.py import_grids FILE``: create or update grids from a GeoJSON FeatureCollection.

A thin wrapper around :func:`grids.imports.grids_import`, which validates everything first
and writes nothing if any feature is bad.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.management.base import TranslatedCommand
from grids.import_checks import ImportReport, level_label
from grids.imports import grids_import


class Command(TranslatedCommand):
    help_text = gettext_lazy(
        "Create or update grids (by code) from a GeoJSON FeatureCollection, as written by "
        "export_grids. Every feature is validated first; if any is bad, each problem is "
        "listed and nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=_("GeoJSON file to import ('-' reads standard input)."))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Validate and report what would change, without writing."),
        )
        parser.add_argument(
            "--create-parents",
            action="store_true",
            help=_(
                "Create missing communities, streets and districts from the code prefixes and "
                "the community_name, street_name and district_name properties."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        collection = self._read(options["file"])
        verbosity = options["verbosity"]
        report = grids_import(
            collection=collection,
            create_parents=options["create_parents"],
            dry_run=options["dry_run"],
            progress=self._progress if verbosity >= 1 else None,
        )
        if not report.ok:
            for error in report.errors:
                self.stderr.write(str(error))
            if report.bad_features:
                message = _(
                    "%(bad)d of %(total)d features are invalid (%(errors)d problems); nothing "
                    "was written."
                ) % {
                    "bad": len(report.bad_features),
                    "total": report.total,
                    "errors": len(report.errors),
                }
            else:
                message = _("The file cannot be imported; nothing was written.")
            raise CommandError(message)
        if verbosity >= 1:
            self._summary(report, verbose=verbosity >= 2)

    def _read(self, name: str) -> Any:
        try:
            if name == "-":
                return json.load(sys.stdin)
            with Path(name).open(encoding="utf-8-sig") as handle:
                return json.load(handle)
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(reason)s") % {"file": name, "reason": exc.strerror}
            ) from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CommandError(
                _("%(file)s is not JSON: %(reason)s") % {"file": name, "reason": exc}
            ) from None

    def _progress(self, label: str, done: int, total: int) -> None:
        if total >= 500 or done == total:
            self.stdout.write(f"  {label} {done}/{total}")

    def _summary(self, report: ImportReport, *, verbose: bool) -> None:
        for level, code, name in report.parents_created:
            line = (
                _("would create %(level)s %(code)s %(name)s")
                if report.dry_run
                else _("created %(level)s %(code)s %(name)s")
            )
            self.stdout.write(line % {"level": level_label(level), "code": code, "name": name})
        if verbose:
            for label, codes in (
                (_("create"), report.created),
                (_("update"), report.updated),
                (_("unchanged"), report.unchanged),
            ):
                for code in codes:
                    self.stdout.write(f"  {label} {code}")
        counts = {
            "created": len(report.created),
            "updated": len(report.updated),
            "unchanged": len(report.unchanged),
        }
        if report.dry_run:
            line = _(
                "Dry run: %(created)d grids would be created, %(updated)d updated, "
                "%(unchanged)d unchanged; nothing was written."
            )
            self.stdout.write(line % counts)
        else:
            line = _("Grids: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
            self.stdout.write(self.style.SUCCESS(line % counts))
