"""What each role may do with residents (the where is the selectors' business): grid workers
and street staff keep the register current and record visits, supervisors read it (masked),
administrators do everything. The personal-data view log is read by administrators only."""

from __future__ import annotations

_KEPT = ("resident", "household", "visit")


def register_participation_permissions() -> None:
    from personnel.choices import Role
    from personnel.roles import register_role_permissions

    view = {f"participation.view_{model}" for model in (*_KEPT, "caretag")}
    keep = {f"participation.{verb}_{model}" for model in _KEPT for verb in ("add", "change")}
    register_role_permissions(
        {
            Role.ADMIN: view | keep | {"participation.view_personaldataview"},
            Role.STREET_STAFF: view | keep,
            Role.GRID_WORKER: view | keep,
            Role.SUPERVISOR: view,
        }
    )
