"""What each role may do in participation (the where is the selectors' business).

* The resident register: grid workers and street staff keep it and record visits,
  supervisors and community staff read it (masked), administrators do everything; the
  personal-data view log is read by administrators only.
* Community life (organisations, volunteers, activities, points, rewards, proposals'
  answers, surveys): kept by street staff, community staff and administrators; everyone
  with a place role reads it. Signing up, withdrawing, redeeming and raising or supporting
  a proposal need no model permission: they are a person's own acts, checked by the
  services.
* Public reports are moderated by the command centre (street staff) and administrators.
"""

from __future__ import annotations

_REGISTER = ("resident", "household", "visit")
_COMMUNITY_LIFE = (
    "organisation",
    "volunteer",
    "activity",
    "activitysignup",
    "pointsentry",
    "reward",
    "redemption",
    "proposalanswer",
    "survey",
)
_READ_ONLY = ("caretag", "proposal", "rating", "publicservice", "pointsaccount")


def _perms(verbs: tuple[str, ...], models: tuple[str, ...]) -> set[str]:
    return {f"participation.{verb}_{model}" for model in models for verb in verbs}


def register_participation_permissions() -> None:
    from personnel.choices import Role
    from personnel.roles import register_role_permissions

    read_all = _perms(("view",), (*_REGISTER, *_COMMUNITY_LIFE, *_READ_ONLY))
    keep_register = _perms(("add", "change"), _REGISTER)
    keep_life = _perms(("add", "change"), _COMMUNITY_LIFE)
    moderate = _perms(("view", "change"), ("publicreport",))
    register_role_permissions(
        {
            Role.ADMIN: read_all
            | keep_register
            | keep_life
            | moderate
            | {"participation.view_personaldataview"},
            Role.STREET_STAFF: read_all | keep_register | keep_life | moderate,
            Role.COMMUNITY_STAFF: read_all | keep_life,
            Role.GRID_CHIEF: read_all,
            Role.GRID_WORKER: read_all | keep_register,
            Role.SUPERVISOR: read_all,
        }
    )
