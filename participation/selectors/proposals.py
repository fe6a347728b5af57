"""Reads of proposals and needs.

A proposal is read by everyone who works in its community (``community_q``), by its author
and by those who support it. Proposals are public matters (the public community page lists
them), so any signed-in person may support one by its id: :func:`supportable_proposals`.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from grids.models import Community
from participation.models import Organisation, Proposal, ProposalAnswer, ProposalSupport
from participation.selectors.common import community_q, keeper_places, signed_in
from personnel.scope import scope_for


def _supported_by(user) -> Exists:
    return Exists(ProposalSupport.objects.filter(proposal=OuterRef("pk"), user=user))


def proposal_list(*, user) -> QuerySet[Proposal]:
    """Proposals of the places the user works in, the user's own and those the user
    supports; each row has ``supported`` (whether the user supports it)."""
    if not signed_in(user):
        return Proposal.objects.none()
    proposals = Proposal.objects.select_related(
        "community", "author", "organisation", "grid"
    ).annotate(supported=_supported_by(user))
    reach = community_q(user)
    if reach is not None and not reach:  # an empty Q: everywhere (and Q() | x would be x)
        return proposals
    own = Q(author=user) | Q(_supported_by(user))
    return proposals.filter(own if reach is None else reach | own)


def supportable_proposals(*, user) -> QuerySet[Proposal]:
    """Every proposal, for a signed-in person to support by id (the service refuses the
    answered ones and one's own)."""
    if not signed_in(user):
        return Proposal.objects.none()
    return Proposal.objects.annotate(supported=_supported_by(user))


def proposal_answer_list(*, user, proposal: Proposal) -> QuerySet[ProposalAnswer]:
    """The official answers of a proposal the user reads, oldest first."""
    if not proposal_list(user=user).filter(pk=proposal.pk).exists():
        return ProposalAnswer.objects.none()
    return ProposalAnswer.objects.filter(proposal=proposal).select_related(
        "answered_by", "ticket", "activity"
    )


def proposal_support_list(*, user, proposal: Proposal) -> QuerySet[ProposalSupport]:
    """Who supports a proposal the user reads, newest first."""
    if not proposal_list(user=user).filter(pk=proposal.pk).exists():
        return ProposalSupport.objects.none()
    return (
        ProposalSupport.objects.filter(proposal=proposal)
        .select_related("user")
        .order_by("-at", "-pk")
    )


def public_proposal_list(*, community: Community) -> QuerySet[Proposal]:
    """A community's proposals for public pages, newest first: kind, title, text, status,
    supporters and the latest official answer (``answer_text``, ``answered_at``); nothing
    that names a person (the author and the answerer are left out)."""
    latest = ProposalAnswer.objects.filter(proposal=OuterRef("pk")).order_by("-at", "-pk")
    return (
        Proposal.objects.filter(community=community)
        .only("id", "kind", "title", "body", "status", "supporters", "created_at", "community")
        .annotate(
            answer_text=Subquery(latest.values("text")[:1]),
            answered_at=Subquery(latest.values("at")[:1]),
        )
        .order_by("-created_at", "-pk")
    )


def raisable_communities(*, user) -> QuerySet[Community]:
    """The communities offered to someone raising a proposal: those the user works in or
    above, or every community for a person without a place role (a resident)."""
    communities = Community.objects.select_related("street").order_by("code")
    if not signed_in(user):
        return communities.none()
    scope = scope_for(user)
    if scope.is_global or scope.is_empty:
        return communities
    mine = communities.filter(
        Q(pk__in=scope.community_ids | scope.above_community_ids)
        | Q(street_id__in=scope.street_ids)
        | Q(street__district_id__in=scope.district_ids)
    )
    return mine if mine.exists() else communities


def organisations_spoken_for(*, user) -> QuerySet[Organisation]:
    """Organisations the user may raise proposals for: those naming the user's e-mail
    among their contacts, those the user volunteers in, and those of the streets the user
    keeps (the service checks the proposal's community too)."""
    if not signed_in(user):
        return Organisation.objects.none()
    places = keeper_places(user)
    if places.is_global:
        return Organisation.objects.filter(active=True).order_by("name")
    q = Q(volunteers__user=user, volunteers__active=True)
    if user.email:
        q |= Q(contacts__email__iexact=user.email)
    q |= Q(district_id__in=places.district_ids) | Q(street_id__in=places.street_ids)
    q |= Q(street__communities__in=places.community_ids)
    return Organisation.objects.filter(q, active=True).distinct().order_by("name")
