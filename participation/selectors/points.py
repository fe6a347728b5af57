"""Reads of volunteer points: ledger entries, the rewards catalogue and redemptions, for
readers in the place and for the volunteer themself."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from participation.models import PointsEntry, Redemption, Reward
from participation.selectors.common import community_q, signed_in, street_q
from participation.selectors.community import either, own_volunteers


def points_entry_list(*, user) -> QuerySet[PointsEntry]:
    """Entries of volunteers in the user's reach, and the user's own."""
    if not signed_in(user):
        return PointsEntry.objects.none()
    reach = Q(account__volunteer__user=user)
    place = community_q(user, "account__volunteer__")
    return PointsEntry.objects.filter(either(place, reach)).select_related(
        "account__volunteer__resident", "account__volunteer__user", "created_by"
    )


def reward_list(*, user) -> QuerySet[Reward]:
    """Rewards of the streets in the user's reach, and those offered where the user
    volunteers (the street's catalogue and their community's)."""
    if not signed_in(user):
        return Reward.objects.none()
    mine = own_volunteers(user)
    reach = Q(street_id__in=mine.values("street")) & (
        Q(community__isnull=True) | Q(community_id__in=mine.values("community"))
    )
    place = street_q(user)
    return Reward.objects.filter(either(place, reach)).select_related("street", "community")


def redemption_list(*, user) -> QuerySet[Redemption]:
    """Redemptions of volunteers in the user's reach, and the user's own."""
    if not signed_in(user):
        return Redemption.objects.none()
    reach = Q(volunteer__user=user)
    place = community_q(user, "volunteer__")
    return Redemption.objects.filter(either(place, reach)).select_related(
        "reward", "volunteer__resident", "volunteer__user", "redeemed_by"
    )
