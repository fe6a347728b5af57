"""Reads of the participation app, one module per concern, always for a user and
restricted to what the user may see. The resident register's selectors are re-exported
here, where callers have always found them."""

from participation.selectors.residents import (
    CARE_LIST_DAYS_DEFAULT,
    CARE_LIST_DAYS_MAX,
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
    "CARE_LIST_DAYS_DEFAULT",
    "CARE_LIST_DAYS_MAX",
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
