"""Base for GridGov's management commands."""

from django.core.management.base import BaseCommand


class TranslatedCommand(BaseCommand):
    """A command whose ``help_text`` is a lazy translation.

    argparse needs a plain str, so the text is translated when the parser is built (in the
    active language) rather than at import time.
    """

    help_text = ""

    @property
    def help(self) -> str:
        return str(self.help_text)
