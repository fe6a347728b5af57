"""What each role may do with the books (the where is the selectors' business): finance
officers keep their entity's books, supervisors read every book in their scope and
resolve flags, administrators do everything; no other role reads them."""

from __future__ import annotations

_MODELS = (
    "account",
    "transaction",
    "leg",
    "budget",
    "budgetline",
    "expenditurerequest",
    "approval",
    "receipt",
    "flag",
    "periodlock",
)


def register_funding_permissions() -> None:
    from personnel.choices import Role
    from personnel.roles import register_role_permissions

    view = {f"funding.view_{model}" for model in _MODELS}
    keep = {f"funding.{verb}_{model}" for model in _MODELS for verb in ("add", "change")}
    register_role_permissions(
        {
            Role.ADMIN: view | keep,
            Role.FINANCE_OFFICER: view | keep,
            Role.SUPERVISOR: view | {"funding.change_flag"},
        }
    )
