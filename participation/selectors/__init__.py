"""Reads of the participation app, one module per concern, always for a user and
restricted to what the user may see. The resident register's selectors are re-exported
here, where callers have always found them."""

from participation.selectors.residents import (
    UNMASKING_ROLES,
    PersonalDataAccess,
    care_list,
    care_tag_list,
    household_list,
    personal_data_access,
    personal_data_view_list,
    resident_list,
    visit_list,
)

__all__ = [
    "UNMASKING_ROLES",
    "PersonalDataAccess",
    "care_list",
    "care_tag_list",
    "household_list",
    "personal_data_access",
    "personal_data_view_list",
    "resident_list",
    "visit_list",
]
