"""Compile gettext catalogues (.po to .mo) in pure Python, with polib: no system gettext.

Looks in every folder of settings.LOCALE_PATHS and in the ``locale/`` folder of each
first-party app (one inside the project folder), and compiles a catalogue only when its
.mo file is missing or older than the .po file, so a second run costs a few stat() calls.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import polib
from django.apps import apps
from django.conf import settings
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.management.base import TranslatedCommand


def locale_roots() -> list[Path]:
    """Every locale folder that belongs to this project, in a stable order."""
    base = Path(settings.BASE_DIR).resolve()
    roots = [Path(path) for path in settings.LOCALE_PATHS]
    for config in apps.get_app_configs():
        app_path = Path(config.path).resolve()
        if app_path.is_relative_to(base) and ".venv" not in app_path.parts:
            roots.append(app_path / "locale")
    unique: list[Path] = []
    for root in roots:
        if root.is_dir() and root.resolve() not in {r.resolve() for r in unique}:
            unique.append(root)
    return unique


def catalogues(roots: list[Path]) -> list[Path]:
    return sorted(po for root in roots for po in root.glob("*/LC_MESSAGES/*.po"))


def needs_compiling(po: Path, mo: Path) -> bool:
    return not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime


def compile_catalogue(po: Path, mo: Path) -> None:
    """Write ``mo`` atomically, so a process reading it never sees half a file."""
    try:
        catalogue = polib.pofile(str(po), wrapwidth=0)
    except (OSError, ValueError) as exc:
        raise CommandError(f"{po}: {exc}") from exc
    handle, temporary = tempfile.mkstemp(dir=mo.parent, prefix=f".{mo.name}.", suffix=".tmp")
    os.close(handle)
    try:
        catalogue.save_as_mofile(temporary)
        os.chmod(temporary, 0o644)
        os.replace(temporary, mo)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Command(TranslatedCommand):
    help_text = gettext_lazy(
        "Compile locale/*/LC_MESSAGES/*.po to .mo with polib, only where the .mo is stale."
    )

    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help=_("Compile every catalogue, stale or not.")
        )

    def handle(self, *args, force: bool = False, **options):
        compiled = current = 0
        for po in catalogues(locale_roots()):
            mo = po.with_suffix(".mo")
            if force or needs_compiling(po, mo):
                compile_catalogue(po, mo)
                compiled += 1
                if options["verbosity"] >= 2:
                    self.stdout.write(f"compiled {po}")
            else:
                current += 1
        if options["verbosity"] >= 1:
            self.stdout.write(f"Translations: {compiled} compiled, {current} already up to date.")
