"""Bring every role's group in step with personnel.roles, and refresh role assignments."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.management.base import TranslatedCommand
from personnel.roles import sync_role_groups
from personnel.services.roles import role_assignments_refresh


class Command(TranslatedCommand):
    help_text = gettext_lazy(
        "Give each role's group exactly the permissions the role table names, and put role "
        "assignments in force or end them as their dates say."
    )

    def handle(self, *args, **options) -> None:
        for role, (added, removed) in sync_role_groups().items():
            self.stdout.write(
                _("%(role)s: %(added)d permissions added, %(removed)d removed")
                % {"role": role, "added": added, "removed": removed}
            )
        counts = role_assignments_refresh()
        self.stdout.write(_("Assignments: %(started)d came into force, %(ended)d ended") % counts)
