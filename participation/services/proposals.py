"""Writes of proposals and needs: raising one, supporting it (once per person), and the
community's official answers.

* Any signed-in person raises a proposal of a community, for themself or on behalf of an
  organisation of the community's street they speak for (:func:`speaks_for`).
* Others support it once each while it waits or is in progress; its author does not (the
  author's own backing is the proposal itself). ``supporters`` moves with the support row
  in one transaction, by ``F()``, so concurrent supports never lose a count.
* Keepers of the community answer it: in progress (as often as there is news), accepted
  (optionally making a case or an activity of it) or declined with a reason. Accepted and
  declined are final. Each answer is an append-only row and a compare-and-swap of the
  proposal's status and version, and the author is notified with a link to the proposal.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.exceptions import StaleObjectError
from grids.locate import locate_grid_id
from grids.models import Community, Grid
from incidents.choices import Source
from incidents.models import Category, Ticket
from incidents.services.tickets import ticket_create
from participation.choices import ANSWER_STATUSES, ProposalStatus
from participation.models import (
    Activity,
    Organisation,
    Proposal,
    ProposalAnswer,
    ProposalSupport,
    Volunteer,
)
from participation.selectors.common import keeps, signed_in
from participation.services.community import activity_create
from participation.services.places import place_in_community
from personnel.choices import NotificationKind
from personnel.services.notifications import notify

SUPPORTABLE = (ProposalStatus.OPEN, ProposalStatus.IN_PROGRESS)
FINAL = (ProposalStatus.ACCEPTED, ProposalStatus.DECLINED)
ACTIVITY_FIELDS = (
    "title",
    "kind",
    "starts_at",
    "ends_at",
    "place",
    "capacity",
    "description",
    "points_per_hour",
)


def speaks_for(user, organisation: Organisation, proposal: Proposal) -> bool:
    """Whether ``user`` may raise ``proposal`` (placed in its community) on behalf of
    ``organisation``: as one of its contacts (the same e-mail address: contacts carry no
    user account), as an active volunteer of it, or as a keeper of the community."""
    email = (user.email or "").strip()
    if email and organisation.contacts.filter(email__iexact=email).exists():
        return True
    if Volunteer.objects.filter(user=user, organisation=organisation, active=True).exists():
        return True
    return keeps(user, proposal)


@transaction.atomic
def proposal_raise(
    *,
    author,
    community: Community,
    kind: str,
    title: str,
    body: str,
    grid: Grid | None = None,
    organisation: Organisation | None = None,
) -> Proposal:
    """Raise a proposal or need of ``community`` (optionally about one of its grids), by
    ``author`` for themself or on behalf of ``organisation``."""
    if not signed_in(author):
        raise PermissionDenied(_("Sign in to raise a proposal."))
    proposal = Proposal(
        kind=kind, title=title, body=body, grid=grid, author=author, organisation=organisation
    )
    place_in_community(proposal, community)
    if grid is not None and grid.community_id != community.pk:
        raise ValidationError({"grid": _("The grid lies in another community.")})
    if organisation is not None:
        if organisation.street_id != community.street_id:
            raise ValidationError(
                {"organisation": _("The organisation belongs to another street.")}
            )
        if not speaks_for(author, organisation, proposal):
            raise ValidationError(
                {"organisation": _("You are not a contact or volunteer of this organisation.")}
            )
    proposal.full_clean()
    proposal.save()
    return proposal


@transaction.atomic
def proposal_support(*, proposal: Proposal, user) -> ProposalSupport:
    """``user`` supports ``proposal`` (once; not their own; only while it is open or in
    progress). ``proposal.supporters`` is refreshed."""
    if not signed_in(user):
        raise PermissionDenied(_("Sign in to support a proposal."))
    if proposal.author_id == user.pk:
        raise ValidationError(_("You raised this proposal: support comes from others."))
    if proposal.status not in SUPPORTABLE:
        raise ValidationError(_("This proposal is answered: it takes no more support."))
    support = ProposalSupport(proposal=proposal, user=user, at=timezone.now())
    try:
        with transaction.atomic():  # a savepoint: the unique constraint decides races
            support.save()
    except IntegrityError:
        raise ValidationError(_("You support this proposal already.")) from None
    Proposal.objects.filter(pk=proposal.pk).update(supporters=F("supporters") + 1)
    proposal.refresh_from_db(fields=["supporters"])
    return support


def _community_centre(community: Community) -> tuple[float, float] | None:
    """The community's centroid when it lies in one of its grids, else the centroid of its
    first grid (a concave community's centroid may lie outside it)."""
    if community.centroid_lat is not None and community.centroid_lng is not None:
        point = (community.centroid_lat, community.centroid_lng)
        if _community_of(*point) == community.pk:
            return point
    grid = (
        Grid.objects.filter(community=community, centroid_lat__isnull=False)
        .order_by("code")
        .first()
    )
    return None if grid is None else (grid.centroid_lat, grid.centroid_lng)


def _community_of(lat: float, lng: float) -> int | None:
    grid_id = locate_grid_id(lat, lng)
    if grid_id is None:
        return None
    return Grid.objects.filter(pk=grid_id).values_list("community_id", flat=True).first()


def _ticket_point(proposal: Proposal, lat: float | None, lng: float | None) -> tuple[float, float]:
    """Where the case lies: the point given, else the proposal's grid, else the community's
    centre; always inside the proposal's community."""
    if (lat is None) != (lng is None):
        raise ValidationError({"lat": _("Give both latitude and longitude, or neither.")})
    if lat is not None:
        point = (lat, lng)
    elif proposal.grid_id is not None:
        point = (proposal.grid.centroid_lat, proposal.grid.centroid_lng)
    else:
        point = _community_centre(proposal.community)
        if point is None:
            raise ValidationError(
                {"lat": _("Give the case's location: the community has no grids.")}
            )
    if _community_of(*point) != proposal.community_id:
        raise ValidationError({"lat": _("The point lies outside the proposal's community.")})
    return point


def _make_ticket(
    proposal: Proposal, category: Category, lat: float | None, lng: float | None
) -> Ticket:
    """A case reported by the proposal's author (from the public: its closing asks them
    for a rating)."""
    lat, lng = _ticket_point(proposal, lat, lng)
    return ticket_create(
        reporter=proposal.author,
        source=Source.RESIDENT,
        category=category,
        lat=lat,
        lng=lng,
        title=proposal.title,
        description=proposal.body,
    )


def _make_activity(proposal: Proposal, answered_by, fields: dict[str, Any]) -> Activity:
    """An activity of the proposal's community, organised by the organisation it was raised
    for; its errors are named ``activity.<field>``."""
    unknown = set(fields) - set(ACTIVITY_FIELDS)
    if unknown:
        raise ValidationError(
            {"activity": _("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}}
        )
    missing = [name for name in ACTIVITY_FIELDS[:6] if fields.get(name) in (None, "")]
    if missing:
        raise ValidationError(
            {f"activity.{name}": _("This field is required.") for name in missing}
        )
    try:
        return activity_create(
            created_by=answered_by,
            community=proposal.community,
            organiser=proposal.organisation,
            grid=proposal.grid,
            **{"description": proposal.body, **fields},
        )
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise ValidationError({"activity": error.messages}) from None
        raise ValidationError(
            {
                "activity" if name == "__all__" else f"activity.{name}": messages
                for name, messages in error.message_dict.items()
            }
        ) from None


def _check_answer(proposal: Proposal, status: str, text: str, makes: bool) -> None:
    if status not in ANSWER_STATUSES:
        raise ValidationError({"status": _("Answer with in progress, accepted or declined.")})
    if proposal.status in FINAL:
        raise ValidationError({"status": _("This proposal has its final answer already.")})
    if not text.strip():
        message = (
            _("Say why the proposal is declined.")
            if status == ProposalStatus.DECLINED
            else _("Write the answer the author will read.")
        )
        raise ValidationError({"text": message})
    if makes and status != ProposalStatus.ACCEPTED:
        raise ValidationError({"status": _("Only an acceptance makes a case or an activity.")})


def _tell_author(proposal: Proposal, answer: ProposalAnswer) -> None:
    notify(
        user=proposal.author,
        title=_("Your proposal “%(title)s”: %(status)s")
        % {"title": proposal.title, "status": answer.get_status_display()},
        body=answer.text,
        url=reverse("participation:proposal", args=[proposal.pk]),
        kind=NotificationKind.GENERAL,
    )


@transaction.atomic
def proposal_answer(
    *,
    proposal: Proposal,
    answered_by,
    status: str,
    text: str,
    expected_version: int | None = None,
    category: Category | None = None,
    lat: float | None = None,
    lng: float | None = None,
    activity: dict[str, Any] | None = None,
) -> ProposalAnswer:
    """Answer ``proposal`` officially with ``status`` and ``text``. An acceptance may make a
    case of ``category`` (at ``lat``/``lng``, else the proposal's grid or community centre,
    source ``resident``, reported by the author) or an activity from the ``activity``
    fields (title, kind, starts_at, ends_at, place, capacity; description and
    points_per_hour optional) — one or the other. Raises StaleObjectError when the proposal
    changed since ``expected_version``."""
    if not keeps(answered_by, proposal):
        raise PermissionDenied(_("Only keepers of the community answer its proposals."))
    if category is not None and activity:
        raise ValidationError(_("Make a case or an activity of it, not both."))
    _check_answer(proposal, status, text, category is not None or bool(activity))
    ticket = made = None
    if category is not None:
        ticket = _make_ticket(proposal, category, lat, lng)
    elif activity:
        made = _make_activity(proposal, answered_by, activity)
    now = timezone.now()
    seen = proposal.version if expected_version is None else expected_version
    links = {"ticket": ticket} if ticket else {"activity": made} if made else {}
    changed = Proposal.objects.filter(pk=proposal.pk, version=seen, status=proposal.status).update(
        status=status, version=F("version") + 1, updated_at=now, **links
    )
    if not changed:
        raise StaleObjectError(f"proposal {proposal.pk} changed since version {seen}")
    answer = ProposalAnswer(
        proposal=proposal,
        status=status,
        text=text.strip(),
        answered_by=answered_by,
        at=now,
        ticket=ticket,
        activity=made,
    )
    answer.full_clean()
    answer.save()
    proposal.status, proposal.version, proposal.updated_at = status, seen + 1, now
    for name, value in links.items():
        setattr(proposal, name, value)
    _tell_author(proposal, answer)
    return answer
