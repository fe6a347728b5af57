"""Writes of community life: organisations and their contacts, volunteers, activities with
sign-up, withdrawal and attendance.

Keepers (administrators, street staff, and community staff for their community's rows; see
``participation.selectors.common``) create and change them; a volunteer who signs in signs
up and withdraws themself. An activity's capacity holds under concurrency: ``signed_up``
moves only by a conditional update below ``capacity`` (the CHECK constraint is the
backstop). Attendance is ``participation.services.attendance``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.exceptions import StaleObjectError
from gridgov.versioning import save_versioned
from grids.models import Community, Grid, Street
from participation.choices import ActivityStatus, DayPart, SignupStatus, Skill
from participation.models import (
    Activity,
    ActivitySignup,
    Organisation,
    OrganisationContact,
    Resident,
    Volunteer,
)
from participation.selectors.common import keeps
from participation.services.places import place_in_community, place_in_street
from participation.services.points import points_account_for
from personnel.services.notifications import notify_many

MAX_CONTACTS = 10
CONTACT_FIELDS = ("name", "title", "phone", "email")


def _keeper(by, row, message: str) -> None:
    if not keeps(by, row):
        raise PermissionDenied(message)


# Organisations ---------------------------------------------------------------------------


def _check_grids(street: Street, grids: Iterable[Grid]) -> list[Grid]:
    grids = list(grids)
    if any(grid.street_id != street.pk for grid in grids):
        raise ValidationError({"grids_served": _("An organisation serves grids of its street.")})
    return grids


def _set_contacts(organisation: Organisation, contacts: Sequence[dict[str, str]]) -> None:
    """Replace the organisation's contacts (they are not history: the list is the truth)."""
    if len(contacts) > MAX_CONTACTS:
        raise ValidationError({"contacts": _("At most %(max)d contacts.") % {"max": MAX_CONTACTS}})
    rows = []
    for index, values in enumerate(contacts):
        contact = OrganisationContact(
            organisation=organisation, **{k: values.get(k, "") for k in CONTACT_FIELDS}
        )
        try:
            contact.full_clean(exclude=["organisation"])
        except ValidationError as error:
            raise ValidationError(
                {f"contacts.{index}.{field}": messages for field, messages in error}
            ) from None
        rows.append(contact)
    organisation.contacts.all().delete()
    OrganisationContact.objects.bulk_create(rows)


@transaction.atomic
def organisation_create(
    *,
    created_by,
    street: Street,
    name: str,
    kind: str,
    description: str = "",
    grids_served: Iterable[Grid] = (),
    contacts: Sequence[dict[str, str]] = (),
    active: bool = True,
) -> Organisation:
    """Register an organisation of ``street`` with the grids it serves and its contacts."""
    organisation = Organisation(name=name, kind=kind, description=description, active=active)
    place_in_street(organisation, street)
    _keeper(created_by, organisation, _("Only keepers of the street register organisations."))
    grids = _check_grids(street, grids_served)
    organisation.full_clean()
    organisation.save()
    organisation.grids_served.set(grids)
    _set_contacts(organisation, contacts)
    return organisation


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, by, expected_version: int | None = None, **fields: Any
) -> Organisation:
    """Change an organisation (compare-and-swap on ``version``); ``grids_served`` and
    ``contacts`` replace the lists. It stays in its street."""
    _keeper(by, organisation, _("Only keepers of the street change organisations."))
    grids = fields.pop("grids_served", None)
    contacts = fields.pop("contacts", None)
    if "street" in fields and fields.pop("street").pk != organisation.street_id:
        raise ValidationError({"street": _("An organisation stays in its street.")})
    for name, value in fields.items():
        setattr(organisation, name, value)
    organisation.full_clean()
    organisation = save_versioned(organisation, expected_version=expected_version)
    if grids is not None:
        organisation.grids_served.set(_check_grids(organisation.street, grids))
    if contacts is not None:
        _set_contacts(organisation, contacts)
    return organisation


# Volunteers ------------------------------------------------------------------------------


def clean_skills(skills: Iterable[str]) -> list[str]:
    skills = list(dict.fromkeys(skills))
    unknown = [skill for skill in skills if skill not in Skill.values]
    if unknown:
        raise ValidationError(
            {"skills": _("Unknown skills: %(skills)s.") % {"skills": ", ".join(map(str, unknown))}}
        )
    return skills


def clean_availability(availability: Any) -> dict[str, list[str]]:
    """``{"0": ["morning"], …}``: weekdays 0 (Monday) to 6, each with parts of the day."""
    if not isinstance(availability, dict):
        raise ValidationError({"availability": _("Availability maps weekdays to parts of a day.")})
    cleaned: dict[str, list[str]] = {}
    for day, parts in availability.items():
        if str(day) not in {str(n) for n in range(7)}:
            raise ValidationError(
                {
                    "availability": _("Weekdays are 0 (Monday) to 6 (Sunday), not %(day)s.")
                    % {"day": day}
                }
            )
        if not isinstance(parts, list) or any(part not in DayPart.values for part in parts):
            raise ValidationError(
                {"availability": _("Parts of a day are morning, afternoon and evening.")}
            )
        if parts:
            cleaned[str(day)] = [part for part in DayPart.values if part in parts]
    return dict(sorted(cleaned.items()))


def _check_volunteer(volunteer: Volunteer) -> None:
    if volunteer.resident_id is None and volunteer.user_id is None:
        raise ValidationError(_("A volunteer is a resident, a user, or both."))
    resident = volunteer.resident
    if resident is not None and resident.community_id != volunteer.community_id:
        raise ValidationError({"resident": _("The resident lives in another community.")})
    team = volunteer.organisation
    if team is not None and team.street_id != volunteer.street_id:
        raise ValidationError({"organisation": _("The team belongs to another street.")})


@transaction.atomic
def volunteer_create(
    *,
    created_by,
    community: Community | None = None,
    resident: Resident | None = None,
    user=None,
    organisation: Organisation | None = None,
    skills: Iterable[str] = (),
    availability: dict | None = None,
    joined_on: date | None = None,
    active: bool = True,
) -> Volunteer:
    """Register a volunteer: a resident (of ``community``, which defaults to theirs), a user
    who signs in, or both. Skills and availability are checked against the choices."""
    community = community or (resident.community if resident is not None else None)
    if community is None:
        raise ValidationError({"community": _("Say which community the volunteer serves.")})
    volunteer = Volunteer(
        resident=resident,
        user=user,
        organisation=organisation,
        skills=clean_skills(skills),
        availability=clean_availability(availability or {}),
        joined_on=joined_on or timezone.localdate(),
        active=active,
    )
    place_in_community(volunteer, community)
    _keeper(created_by, volunteer, _("Only keepers of the community register volunteers."))
    _check_volunteer(volunteer)
    volunteer.full_clean()
    volunteer.save()
    points_account_for(volunteer)
    return volunteer


VOLUNTEER_FIELDS = ("user", "organisation", "skills", "availability", "active", "joined_on")


@transaction.atomic
def volunteer_update(
    *, volunteer: Volunteer, by, expected_version: int | None = None, **fields: Any
) -> Volunteer:
    """Change a volunteer's skills, availability, team, account or active flag
    (compare-and-swap on ``version``). Who they are (the resident) and where they serve stay."""
    _keeper(by, volunteer, _("Only keepers of the community change volunteers."))
    for name in ("community", "resident"):
        if name in fields and getattr(fields.pop(name), "pk", None) != getattr(
            volunteer, f"{name}_id"
        ):
            raise ValidationError({name: _("This cannot change; register a new volunteer.")})
    unknown = set(fields) - set(VOLUNTEER_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    if "skills" in fields:
        fields["skills"] = clean_skills(fields["skills"])
    if "availability" in fields:
        fields["availability"] = clean_availability(fields["availability"])
    for name, value in fields.items():
        setattr(volunteer, name, value)
    _check_volunteer(volunteer)
    volunteer.full_clean()
    return save_versioned(volunteer, expected_version=expected_version)


# Activities ------------------------------------------------------------------------------


def _check_activity(activity: Activity) -> None:
    organiser = activity.organiser
    if organiser is not None and organiser.street_id != activity.street_id:
        raise ValidationError({"organiser": _("The organiser belongs to another street.")})
    if activity.capacity is not None and activity.capacity < activity.signed_up:
        raise ValidationError(
            {
                "capacity": _("%(count)d volunteers have signed up already.")
                % {"count": activity.signed_up}
            }
        )


@transaction.atomic
def activity_create(
    *,
    created_by,
    community: Community,
    title: str,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    place: str,
    capacity: int,
    description: str = "",
    organiser: Organisation | None = None,
    grid: Grid | None = None,
    points_per_hour: int = 10,
) -> Activity:
    """Announce an activity of ``community`` (optionally in one of its grids), open for
    sign-up until it starts."""
    activity = Activity(
        title=title,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        capacity=capacity,
        description=description,
        organiser=organiser,
        grid=grid,
        points_per_hour=points_per_hour,
        created_by=created_by,
    )
    place_in_community(activity, community)
    _keeper(created_by, activity, _("Only keepers of the community announce activities."))
    _check_activity(activity)
    activity.full_clean()
    activity.save()
    return activity


ACTIVITY_FIELDS = (
    "title",
    "description",
    "kind",
    "organiser",
    "grid",
    "starts_at",
    "ends_at",
    "place",
    "capacity",
    "points_per_hour",
)


@transaction.atomic
def activity_update(
    *, activity: Activity, by, expected_version: int | None = None, **fields: Any
) -> Activity:
    """Change an open activity (compare-and-swap on ``version``). ``signed_up`` is not
    written: sign-ups move it meanwhile, and the capacity never drops below it."""
    _keeper(by, activity, _("Only keepers of the community change activities."))
    if activity.status != ActivityStatus.OPEN:
        raise ValidationError({"status": _("Only an open activity can be changed.")})
    if "community" in fields and fields.pop("community").pk != activity.community_id:
        raise ValidationError({"community": _("An activity stays in its community.")})
    unknown = set(fields) - set(ACTIVITY_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    for name, value in fields.items():
        setattr(activity, name, value)
    _check_activity(activity)
    activity.full_clean()
    seen = activity.version if expected_version is None else expected_version
    values = {
        f.attname: getattr(activity, f.attname)
        for f in Activity._meta.concrete_fields
        if f.name in ACTIVITY_FIELDS
    }
    changed = Activity.objects.filter(
        pk=activity.pk,
        version=seen,
        status=ActivityStatus.OPEN,
        signed_up__lte=activity.capacity,
    ).update(version=F("version") + 1, updated_at=timezone.now(), **values)
    if not changed:
        current = Activity.objects.get(pk=activity.pk)
        if current.version == seen and current.signed_up > activity.capacity:
            activity.signed_up = current.signed_up
            _check_activity(activity)
        raise StaleObjectError(f"Activity {activity.pk} changed since version {seen}")
    activity.refresh_from_db()
    return activity


def _signed_up_users(activity: Activity) -> list[int]:
    return list(
        activity.signups.filter(
            status=SignupStatus.SIGNED_UP, volunteer__user__isnull=False
        ).values_list("volunteer__user_id", flat=True)
    )


@transaction.atomic
def activity_cancel(*, activity: Activity, by, expected_version: int | None = None) -> Activity:
    """Cancel an open activity; volunteers who signed up in and have an account are told."""
    _keeper(by, activity, _("Only keepers of the community cancel activities."))
    seen = activity.version if expected_version is None else expected_version
    changed = Activity.objects.filter(
        pk=activity.pk, version=seen, status=ActivityStatus.OPEN
    ).update(status=ActivityStatus.CANCELLED, version=F("version") + 1, updated_at=timezone.now())
    if not changed:
        current = Activity.objects.get(pk=activity.pk)
        if current.status != ActivityStatus.OPEN:
            raise ValidationError({"status": _("Only an open activity can be cancelled.")})
        raise StaleObjectError(f"Activity {activity.pk} changed since version {seen}")
    activity.refresh_from_db()
    notify_many(
        user_ids=_signed_up_users(activity),
        title=_("Activity cancelled: %(title)s") % {"title": activity.title},
        body=_("The activity on %(day)s at %(place)s will not take place.")
        % {
            "day": timezone.localtime(activity.starts_at).strftime("%Y-%m-%d %H:%M"),
            "place": activity.place,
        },
    )
    return activity


def _acts_for(by, volunteer: Volunteer, activity: Activity) -> None:
    """The volunteer themself, or a keeper of the activity on their behalf."""
    own = volunteer.user_id is not None and volunteer.user_id == by.pk
    if not own and not keeps(by, activity):
        raise PermissionDenied(_("Only the volunteer or a keeper of the activity does this."))


@transaction.atomic
def activity_signup(
    *, activity: Activity, volunteer: Volunteer, by, at: datetime | None = None
) -> ActivitySignup:
    """Sign ``volunteer`` up for ``activity`` (by themself or by a keeper; ``at`` when that
    happened, now by default). The place is taken by a conditional update below capacity,
    so concurrent sign-ups never exceed it."""
    _acts_for(by, volunteer, activity)
    now = min(at, timezone.now()) if at is not None else timezone.now()
    if activity.status != ActivityStatus.OPEN:
        raise ValidationError({"activity": _("This activity is not open for sign-up.")})
    if activity.starts_at <= now:
        raise ValidationError({"activity": _("This activity has started already.")})
    if not volunteer.active:
        raise ValidationError({"volunteer": _("This volunteer is no longer active.")})
    if volunteer.community_id != activity.community_id:
        raise ValidationError({"volunteer": _("The volunteer serves another community.")})
    if activity.signups.filter(volunteer=volunteer, status=SignupStatus.SIGNED_UP).exists():
        raise ValidationError({"volunteer": _("This volunteer has signed up already.")})
    try:
        with transaction.atomic():
            taken = Activity.objects.filter(
                pk=activity.pk, status=ActivityStatus.OPEN, signed_up__lt=F("capacity")
            ).update(signed_up=F("signed_up") + 1)
            if not taken:
                raise ValidationError(
                    {"activity": ValidationError(_("This activity is full."), code="activity_full")}
                )
            signup = ActivitySignup.objects.create(
                activity=activity, volunteer=volunteer, signed_up_at=now, signed_up_by=by
            )
    except IntegrityError:
        # The same volunteer's other sign-up won the race (or the CHECK held the capacity).
        raise ValidationError({"volunteer": _("This volunteer has signed up already.")}) from None
    activity.refresh_from_db(fields=["signed_up"])
    return signup


@transaction.atomic
def activity_withdraw(*, activity: Activity, volunteer: Volunteer, by) -> ActivitySignup:
    """Withdraw ``volunteer``'s sign-up before the activity starts; the place is free again."""
    _acts_for(by, volunteer, activity)
    if activity.status != ActivityStatus.OPEN or activity.starts_at <= timezone.now():
        raise ValidationError({"activity": _("Withdrawing is possible until the activity starts.")})
    signup = activity.signups.filter(volunteer=volunteer, status=SignupStatus.SIGNED_UP).first()
    now = timezone.now()
    withdrawn = signup is not None and ActivitySignup.objects.filter(
        pk=signup.pk, status=SignupStatus.SIGNED_UP
    ).update(status=SignupStatus.WITHDRAWN, withdrawn_at=now)
    if not withdrawn:
        raise ValidationError({"volunteer": _("This volunteer has not signed up.")})
    Activity.objects.filter(pk=activity.pk, signed_up__gt=0).update(signed_up=F("signed_up") - 1)
    activity.refresh_from_db(fields=["signed_up"])
    signup.refresh_from_db()
    return signup
