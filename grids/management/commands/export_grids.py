"""``manage.py export_grids``: write grids as a GeoJSON FeatureCollection that import_grids
reads back (one feature per line, so that exports diff well)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import CommandError, CommandParser
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.management.base import TranslatedCommand
from grids.geojson import grid_feature
from grids.models import Community, Grid, Street


def portable_feature(grid: Grid) -> dict[str, Any]:
    """The grid's feature (grids.geojson) without database ids, with what an import into
    another database needs to create the grid's parents."""
    feature = grid_feature(grid)
    feature.pop("id", None)
    properties = feature["properties"]
    properties.pop("id", None)
    properties.update(
        community_kind=grid.community.kind,
        district_code=grid.district.code,
        district_name=grid.district.name,
    )
    return feature


def write_collection(grids: QuerySet[Grid], out: TextIO) -> int:
    """Write the grids as a FeatureCollection, one feature per line; returns the count."""
    out.write('{"type": "FeatureCollection", "features": [\n')
    count = 0
    for grid in grids.iterator(chunk_size=500):
        if count:
            out.write(",\n")
        out.write(json.dumps(portable_feature(grid), ensure_ascii=False))
        count += 1
    out.write("\n]}\n")
    return count


class Command(TranslatedCommand):
    help_text = gettext_lazy(
        "Write grids as a GeoJSON FeatureCollection (the format import_grids reads), all of "
        "them or those of one street or community."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", help=_("File to write (default: standard output)."))
        parser.add_argument("--street", metavar="CODE", help=_("Only this street."))
        parser.add_argument("--community", metavar="CODE", help=_("Only this community."))

    def handle(self, *args: Any, **options: Any) -> None:
        # A command-line export runs with the rights of whoever can run manage.py: all grids.
        grids = Grid.objects.select_related("community", "street", "district").order_by("code")
        if options["street"]:
            if not Street.objects.filter(code=options["street"]).exists():
                raise CommandError(
                    _("No street has the code %(code)s.") % {"code": options["street"]}
                )
            grids = grids.filter(street__code=options["street"])
        if options["community"]:
            if not Community.objects.filter(code=options["community"]).exists():
                raise CommandError(
                    _("No community has the code %(code)s.") % {"code": options["community"]}
                )
            grids = grids.filter(community__code=options["community"])
        if options["output"]:
            with Path(options["output"]).open("w", encoding="utf-8") as handle:
                count = write_collection(grids, handle)
            if options["verbosity"] >= 1:
                self.stderr.write(
                    _("Wrote %(n)d grids to %(file)s.") % {"n": count, "file": options["output"]},
                    style_func=self.style.SUCCESS,
                )
        else:
            write_collection(grids, self.stdout)
