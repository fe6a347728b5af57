"""Reads of community life: organisations, volunteers, activities and sign-ups, and the
volunteer ranking of a community.

Everyone working in a place reads its community life (``community_q``/``street_q``); a
volunteer who signs in also reads their own record, sign-ups and points, and the activities,
organisations and rewards of the community they serve. Names of volunteers follow the
resident register's masking rule (:func:`shows_name`); contacts' phones are shown only to
keepers of the organisation's street.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import (
    DecimalField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from grids.models import Community
from participation.choices import ActivityStatus, PointsKind
from participation.models import (
    Activity,
    ActivitySignup,
    Organisation,
    PointsEntry,
    Resident,
    Volunteer,
)
from participation.personal_data import mask_name, mask_phone
from participation.selectors.common import community_q, signed_in, street_q
from participation.selectors.residents import PersonalDataAccess, personal_data_access
from personnel.scope import PlacesHeld


def own_volunteers(user) -> QuerySet[Volunteer]:
    """The volunteer records of ``user`` (at most one), as a subquery-able queryset."""
    if not signed_in(user):
        return Volunteer.objects.none()
    return Volunteer.objects.filter(user=user)


def own_volunteer(user) -> Volunteer | None:
    """The user's own volunteer record, if they have one."""
    return own_volunteers(user).select_related("community").first()


def either(place: Q | None, own: Q) -> Q:
    """Rows the place rule (``place``; None: no place, empty: everywhere) or the reader's
    own rule lets through. An empty Q means "everything", and ``Q() | own`` would lose that."""
    if place is None:
        return own
    return place if not place else place | own


def _reach(user, q: Q | None, own: Q) -> Q | None:
    """``q`` (the place rule) or ``own`` (what the user reads as a volunteer)."""
    if not signed_in(user):
        return None
    return either(q, own)


def organisation_list(*, user) -> QuerySet[Organisation]:
    """Organisations of the streets in the user's reach (and of the street they volunteer
    in), with their grids served and contacts."""
    reach = _reach(user, street_q(user), Q(street_id__in=own_volunteers(user).values("street")))
    if reach is None:
        return Organisation.objects.none()
    return (
        Organisation.objects.filter(reach)
        .select_related("street")
        .prefetch_related("grids_served", "contacts")
    )


def volunteer_list(*, user) -> QuerySet[Volunteer]:
    """Volunteers of the communities in the user's reach, and the user's own record, with
    what their names and balances need."""
    reach = _reach(user, community_q(user), Q(user=user))
    if reach is None:
        return Volunteer.objects.none()
    return Volunteer.objects.filter(reach).select_related(
        "resident", "user", "organisation", "community", "points_account"
    )


def activity_list(*, user) -> QuerySet[Activity]:
    """Activities of the communities in the user's reach or where they volunteer."""
    reach = _reach(
        user, community_q(user), Q(community_id__in=own_volunteers(user).values("community"))
    )
    if reach is None:
        return Activity.objects.none()
    return Activity.objects.filter(reach).select_related("community", "organiser", "grid")


def public_activity_list(*, community: Community) -> QuerySet[Activity]:
    """Upcoming activities of ``community`` open for sign-up, soonest first, for public pages
    (no personal data: volunteers are only counted)."""
    return (
        Activity.objects.filter(
            community=community, status=ActivityStatus.OPEN, starts_at__gt=timezone.now()
        )
        .select_related("organiser")
        .order_by("starts_at", "pk")
    )


def signup_list(*, user) -> QuerySet[ActivitySignup]:
    """Sign-ups for activities in the user's reach, and the user's own."""
    reach = _reach(user, community_q(user, "activity__"), Q(volunteer__user=user))
    if reach is None:
        return ActivitySignup.objects.none()
    return ActivitySignup.objects.filter(reach).select_related(
        "activity", "volunteer__resident", "volunteer__user"
    )


# Names -----------------------------------------------------------------------------------


def volunteer_name(volunteer: Volunteer) -> str:
    """The volunteer's name: the resident's, else the user's full name or username."""
    if volunteer.resident_id is not None:
        return volunteer.resident.name
    return volunteer.user.full_name or volunteer.user.username


def shows_name(access: PersonalDataAccess, volunteer: Volunteer, user) -> bool:
    """Whether ``user`` (with the register's ``access``) reads the volunteer's name unmasked:
    their own record, a resident the register shows them, or a user-only volunteer of a
    street or district where they may see residents."""
    if volunteer.user_id is not None and volunteer.user_id == getattr(user, "pk", None):
        return True
    if volunteer.resident_id is not None:
        return access.covers(volunteer.resident)
    return (
        access.is_global
        or volunteer.street_id in access.street_ids
        or volunteer.district_id in access.district_ids
    )


def shown_name(access: PersonalDataAccess, volunteer: Volunteer, user) -> tuple[str, bool]:
    """(name as shown, masked?)."""
    name = volunteer_name(volunteer)
    if shows_name(access, volunteer, user):
        return name, False
    return mask_name(name), True


class Names:
    """Volunteers' names as one reader sees them; remembers the residents it showed
    unmasked (``revealed``), which the caller logs as personal-data views."""

    def __init__(self, user) -> None:
        self.user = user
        self.access = personal_data_access(user=user)
        self.revealed: dict[int, Resident] = {}

    def show(self, volunteer: Volunteer) -> tuple[str, bool]:
        """(name as shown, masked?)."""
        name, masked = shown_name(self.access, volunteer, self.user)
        own = volunteer.user_id is not None and volunteer.user_id == self.user.pk
        if not masked and not own and volunteer.resident_id is not None:
            self.revealed[volunteer.resident_id] = volunteer.resident
        return name, masked


def mask_email(email: str) -> str:
    """``zhang.wei@example.cn`` → ``z***@example.cn``."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else ""


def shown_contacts(organisation: Organisation, *, unmasked: bool) -> list[dict[str, str]]:
    """The organisation's contacts as a reader sees them: phones and e-mails masked unless
    ``unmasked`` (the reader keeps the street)."""
    rows = []
    for contact in organisation.contacts.all():
        phone, email = contact.phone, contact.email
        if not unmasked:
            phone, email = mask_phone(phone) if phone else "", mask_email(email)
        rows.append({"name": contact.name, "title": contact.title, "phone": phone, "email": email})
    return rows


def keeps_street(places: PlacesHeld, row) -> bool:
    """Whether ``places`` (a user's :func:`keeper_places`) keep ``row``'s street."""
    return places.covers(district_id=row.district_id, street_id=row.street_id, community_id=None)


# Ranking ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Local dates, both included."""

    start: date
    end: date

    @classmethod
    def this_year(cls) -> Period:
        today = timezone.localdate()
        return cls(start=date(today.year, 1, 1), end=today)

    def bounds(self) -> tuple[datetime, datetime]:
        zone = timezone.get_current_timezone()
        start = datetime.combine(self.start, time.min, tzinfo=zone)
        end = datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone)
        return start, end


RANKING_ORDERS = {"hours": ("-hours", "-points", "pk"), "points": ("-points", "-hours", "pk")}


def volunteer_ranking(
    *, user, community: Community, period: Period, order: str = "hours"
) -> QuerySet[Volunteer]:
    """Volunteers of ``community`` in the user's reach with the service ``hours`` of activities
    that started in ``period`` and the ``points`` they earned in it (earn entries only: spent
    or adjusted points do not rank), best first; volunteers with neither are left out."""
    start, end = period.bounds()
    hours = (
        ActivitySignup.objects.filter(
            volunteer=OuterRef("pk"),
            attended=True,
            activity__starts_at__gte=start,
            activity__starts_at__lt=end,
        )
        .order_by()
        .values("volunteer")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    points = (
        PointsEntry.objects.filter(
            account__volunteer=OuterRef("pk"), kind=PointsKind.EARN, at__gte=start, at__lt=end
        )
        .order_by()
        .values("account")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    hours_field = DecimalField(max_digits=9, decimal_places=2)
    return (
        volunteer_list(user=user)
        .filter(community=community)
        .annotate(
            hours=Coalesce(
                Subquery(hours, output_field=hours_field),
                Value(Decimal(0)),
                output_field=hours_field,
            ),
            points=Coalesce(
                Subquery(points, output_field=IntegerField()), Value(0), output_field=IntegerField()
            ),
        )
        .filter(Q(hours__gt=0) | Q(points__gt=0))
        .order_by(*RANKING_ORDERS[order])
    )
