"""``manage.py seed_demo``: fill an empty (or demo) database with the demo city and accounts.

The work is done by the steps registered in each app's ``demo.py`` (see :mod:`gridgov.demo`);
this command checks it may run, gathers the options and reports progress.
"""

from __future__ import annotations

import os
import time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.demo import DEFAULT_PASSWORD, DemoContext, demo_steps, run_steps
from gridgov.management.base import TranslatedCommand


class Command(TranslatedCommand):
    help_text = gettext_lazy(
        "Seed the demo city (district, streets, communities, grids, components) and the demo "
        "accounts. Idempotent: a second run changes nothing. Refuses to run unless DEBUG is on "
        "or --force is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            default=None,
            help=_("Password of every demo account (default: $DEMO_PASSWORD or demo-pass-2026)."),
        )
        parser.add_argument(
            "--tickets",
            type=int,
            default=3000,
            metavar="N",
            help=_(
                "Number of demo tickets to seed, with their histories (default: 3000; 0 for "
                "none). Demo tickets that exist already are left as they are."
            ),
        )
        parser.add_argument(
            "--apps",
            default="",
            metavar="LABELS",
            help=_(
                "Seed only the steps of these apps (comma-separated labels, e.g. "
                "grids,personnel); all apps by default."
            ),
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Run even with DEBUG off (never on a production database)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                _(
                    "seed_demo writes demo accounts with a known password, so it only runs with "
                    "DEBUG on. Use --force to seed anyway (never on a production database)."
                )
            )
        if options["tickets"] < 0:
            raise CommandError(_("--tickets must be 0 or more."))
        password = options["password"] or os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
        verbosity = options["verbosity"]
        started = time.monotonic()
        ctx = DemoContext(password=password, tickets=options["tickets"])
        if verbosity >= 1:
            ctx.progress = self._progress
            ctx.say = self.stdout.write
        steps = demo_steps()
        if options["apps"]:
            wanted = {label.strip() for label in options["apps"].split(",") if label.strip()}
            unknown = wanted - {step.app_label for step in steps}
            if unknown:
                raise CommandError(
                    _("No demo steps for: %(labels)s.") % {"labels": ", ".join(sorted(unknown))}
                )
            steps = [step for step in steps if step.app_label in wanted]
        for number, step in enumerate(steps, start=1):
            if verbosity >= 1:
                self.stdout.write(
                    _("[%(n)d/%(total)d] %(step)s")
                    % {"n": number, "total": len(steps), "step": step.name}
                )
            try:
                run_steps(ctx, [step])
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
        if verbosity < 1:
            return
        for label, counts in ctx.counts.items():
            self.stdout.write(
                _("%(label)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged")
                % {"label": label, **counts}
            )
        if ctx.tickets and not ctx.data.get("tickets_seeded"):
            self.stdout.write(
                _(
                    "%(n)d demo tickets will be seeded once the incidents app exists; "
                    "none were seeded now."
                )
                % {"n": ctx.tickets}
            )
        if ctx.data.get("accounts"):
            self.stdout.write(
                _("Accounts: %(users)s, password %(password)s")
                % {
                    "users": ", ".join(ctx.data["accounts"]),
                    "password": password
                    if password == DEFAULT_PASSWORD
                    else _("as given by --password or DEMO_PASSWORD"),
                }
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo data ready in %(seconds).1f s.") % {"seconds": time.monotonic() - started}
            )
        )

    def _progress(self, label: str, done: int, total: int) -> None:
        self.stdout.write(f"  {label} {done}/{total}")
