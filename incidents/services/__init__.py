"""Writes of the incidents app: the catalogue (``catalogue``) and tickets (``tickets``; their
state changes go through ``incidents.workflow``)."""

from incidents.services.catalogue import (
    CATEGORY_FIXED_FIELDS,
    POLICY_FIXED_FIELDS,
    category_create,
    category_update,
    sla_policy_create,
    sla_policy_update,
)

__all__ = [
    "CATEGORY_FIXED_FIELDS",
    "POLICY_FIXED_FIELDS",
    "category_create",
    "category_update",
    "sla_policy_create",
    "sla_policy_update",
]
