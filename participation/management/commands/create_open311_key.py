"""``manage.py create_open311_key NAME``: a new Open311 API key for the client application
NAME, printed as the last line of output (only its hash is kept: it cannot be shown
again)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.management.base import TranslatedCommand
from participation.services.open311 import open311_key_create


class Command(TranslatedCommand):
    help_text = gettext_lazy(
        "Make an Open311 API key for a client application; the key is the last line printed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("name", help=str(gettext_lazy("name of the client application")))

    def handle(self, *args, name: str, **options) -> None:
        try:
            key, plain = open311_key_create(name=name)
        except ValidationError as refusal:
            raise CommandError(" ".join(refusal.messages)) from None
        self.stdout.write(
            _("Open311 key %(prefix)s… made for %(name)s. Copy it now: it is not shown again.")
            % {"prefix": key.prefix, "name": key.name}
        )
        self.stdout.write(plain)
