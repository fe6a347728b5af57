"""Model permissions of the funding API's POST actions on existing rows."""

from __future__ import annotations

from gridgov.api_policy import ScopedModelPermissions


class ChangePermission(ScopedModelPermissions):
    """A POST that changes an existing row (approve, pay, resolve…) needs the model's change
    permission, not its add permission; the services then check the place."""

    perms_map = {
        **ScopedModelPermissions.perms_map,
        "POST": ["%(app_label)s.change_%(model_name)s"],
    }
