"""Writes of the participation app, one module per concern. The resident register's
services are re-exported here, where callers have always found them."""

from participation.services.residents import (
    household_create,
    household_update,
    personal_data_views_record,
    resident_create,
    resident_update,
    visit_record,
)

__all__ = [
    "household_create",
    "household_update",
    "personal_data_views_record",
    "resident_create",
    "resident_update",
    "visit_record",
]
