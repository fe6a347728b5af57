"""Writes of volunteer points (积分): the append-only ledger, the rewards catalogue and
redemptions.

Every change of a balance is one :class:`PointsEntry` written in the transaction that moves
``PointsAccount.balance`` by a conditional update (``balance >= -amount``), so a balance never
goes negative however many redemptions race; the CHECK constraint on the account is the
backstop. Entries with a ``key`` are written once: a retry finds the first entry. A reward's
stock moves the same way (``stock >= 1``), and a redemption takes one from the stock and
writes its ``redeem`` entry in one transaction: if either refuses, nothing is written.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.exceptions import StaleObjectError
from grids.models import Community, Street
from participation.choices import PointsKind
from participation.models import PointsAccount, PointsEntry, Redemption, Reward, Volunteer
from participation.selectors.common import keeps
from participation.services.places import place_in_street

MAX_POINTS = 1_000_000  # one entry's size: far above any reward or a season's service


def points_account_for(volunteer: Volunteer) -> PointsAccount:
    """The volunteer's account (made on first use; a concurrent first use finds the other's)."""
    account, _created = PointsAccount.objects.get_or_create(volunteer=volunteer)
    return account


def _post(
    *,
    volunteer: Volunteer,
    kind: str,
    amount: int,
    reason: str,
    by=None,
    key: str | None = None,
    at: datetime | None = None,
    field: str = "amount",
) -> PointsEntry:
    """Write one entry and move the balance with it; a key already written returns its entry
    (``field``: the input a refusal for want of points is about).

    The account row is locked first, so two writers of the same key queue up and the second
    finds the first's entry. The conditional update keeps the balance at zero or above.
    """
    if not isinstance(amount, int) or isinstance(amount, bool) or amount == 0:
        raise ValidationError({"amount": _("Points are a whole number other than zero.")})
    if abs(amount) > MAX_POINTS:
        raise ValidationError(
            {"amount": _("At most %(max)d points at a time.") % {"max": MAX_POINTS}}
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the points change.")})
    account = points_account_for(volunteer)
    PointsAccount.objects.select_for_update().filter(pk=account.pk).get()
    if key is not None:
        done = PointsEntry.objects.filter(key=key).first()
        if done is not None:
            return done
    earned = amount if kind == PointsKind.EARN else 0
    moved = PointsAccount.objects.filter(pk=account.pk, balance__gte=-amount).update(
        balance=F("balance") + amount, earned=F("earned") + earned
    )
    if not moved:
        short = _("Not enough points: a balance never goes below zero.")
        raise ValidationError({field: ValidationError(short, code="insufficient_points")})
    balance = PointsAccount.objects.values_list("balance", flat=True).get(pk=account.pk)
    entry = PointsEntry(
        account=account,
        kind=kind,
        amount=amount,
        balance_after=balance,
        reason=reason.strip()[:200],
        key=key,
        created_by=by,
        at=at or timezone.now(),
    )
    entry.full_clean(exclude=["key"] if key is None else None)
    entry.save()
    return entry


@transaction.atomic
def points_earn(
    *,
    volunteer: Volunteer,
    amount: int,
    reason: str,
    key: str,
    by=None,
    at: datetime | None = None,
) -> PointsEntry:
    """Credit points earned by service. ``key`` names the deed (``attendance:<sign-up id>``):
    crediting the same key again returns the first entry and pays nothing."""
    if amount <= 0:
        raise ValidationError({"amount": _("Earned points are more than zero.")})
    return _post(
        volunteer=volunteer,
        kind=PointsKind.EARN,
        amount=amount,
        reason=reason,
        by=by,
        key=key,
        at=at,
    )


@transaction.atomic
def points_adjust(*, volunteer: Volunteer, amount: int, reason: str, by) -> PointsEntry:
    """A correction by a keeper of the volunteer's community, up or down, with a reason; a
    balance never goes below zero."""
    if not keeps(by, volunteer):
        raise PermissionDenied(_("Only keepers of the volunteer's community adjust points."))
    return _post(volunteer=volunteer, kind=PointsKind.ADJUST, amount=amount, reason=reason, by=by)


def _check_reward(reward: Reward, **fields: Any) -> None:
    community = fields.get("community", reward.community)
    if community is not None and community.street_id != reward.street_id:
        raise ValidationError({"community": _("The community lies in another street.")})


@transaction.atomic
def reward_create(
    *,
    created_by,
    street: Street,
    name: str,
    cost: int,
    stock: int = 0,
    description: str = "",
    community: Community | None = None,
    active: bool = True,
) -> Reward:
    """Add a reward to a street's catalogue (or to one community's of the street)."""
    reward = Reward(
        name=name,
        cost=cost,
        stock=stock,
        description=description,
        community=community,
        active=active,
    )
    place_in_street(reward, street)
    _check_reward(reward)
    if not keeps(created_by, reward):
        raise PermissionDenied(_("Only keepers of the catalogue add rewards."))
    reward.full_clean()
    reward.save()
    return reward


REWARD_FIELDS = ("name", "description", "cost", "active")


@transaction.atomic
def reward_update(
    *, reward: Reward, by, expected_version: int | None = None, **fields: Any
) -> Reward:
    """Change a reward's name, description, cost or active flag (compare-and-swap on
    ``version``). The stock is not among them: it moves only by :func:`reward_restock` and
    by redemptions, so that an edit never overwrites a redemption that happened meanwhile."""
    if not keeps(by, reward):
        raise PermissionDenied(_("Only keepers of the catalogue change rewards."))
    unknown = set(fields) - set(REWARD_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    for name, value in fields.items():
        setattr(reward, name, value)
    reward.full_clean()
    seen = reward.version if expected_version is None else expected_version
    now = timezone.now()
    changed = Reward.objects.filter(pk=reward.pk, version=seen).update(
        version=F("version") + 1, updated_at=now, **{n: getattr(reward, n) for n in REWARD_FIELDS}
    )
    if not changed:
        raise StaleObjectError(f"Reward {reward.pk} changed since version {seen}")
    reward.refresh_from_db()
    return reward


@transaction.atomic
def reward_restock(*, reward: Reward, by, count: int) -> Reward:
    """Add ``count`` items to the stock (negative: write off lost ones, never below zero)."""
    if not keeps(by, reward):
        raise PermissionDenied(_("Only keepers of the catalogue change the stock."))
    if count == 0:
        raise ValidationError({"count": _("Add or remove at least one item.")})
    moved = Reward.objects.filter(pk=reward.pk, stock__gte=-count).update(
        stock=F("stock") + count, updated_at=timezone.now()
    )
    if not moved:
        raise ValidationError({"count": _("The stock cannot go below zero.")})
    reward.refresh_from_db()
    return reward


def _may_redeem(by, volunteer: Volunteer) -> bool:
    return (volunteer.user_id is not None and volunteer.user_id == by.pk) or keeps(by, volunteer)


@transaction.atomic
def redemption_create(*, reward: Reward, volunteer: Volunteer, by) -> Redemption:
    """Take one of ``reward`` for ``volunteer``'s points: the volunteer themself or a keeper
    of their community on their behalf. One item leaves the stock and the ``redeem`` entry
    is written in the same transaction; without stock or points nothing is written."""
    if not _may_redeem(by, volunteer):
        raise PermissionDenied(_("Only the volunteer or a keeper of their community redeems."))
    if not volunteer.active:
        raise ValidationError({"volunteer": _("This volunteer is no longer active.")})
    if reward.street_id != volunteer.street_id or reward.community_id not in (
        None,
        volunteer.community_id,
    ):
        raise ValidationError({"reward": _("This reward is not offered in the volunteer's area.")})
    if not reward.active:
        raise ValidationError({"reward": _("This reward is no longer offered.")})
    taken = Reward.objects.filter(pk=reward.pk, active=True, stock__gte=1).update(
        stock=F("stock") - 1, updated_at=timezone.now()
    )
    if not taken:
        raise ValidationError(
            {"reward": ValidationError(_("This reward is out of stock."), code="out_of_stock")}
        )
    # The cost as it is now, not as the caller read it: a raised cost is what is paid.
    cost = Reward.objects.values_list("cost", flat=True).get(pk=reward.pk)
    entry = _post(
        volunteer=volunteer,
        kind=PointsKind.REDEEM,
        amount=-cost,
        reason=_("Redeemed: %(reward)s") % {"reward": reward.name},
        by=by,
        field="volunteer",
    )
    redemption = Redemption(
        reward=reward,
        volunteer=volunteer,
        entry=entry,
        points=cost,
        redeemed_at=entry.at,
        redeemed_by=by,
    )
    redemption.save()
    return redemption


@transaction.atomic
def redemption_hand_over(*, redemption: Redemption, by, at: datetime | None = None) -> Redemption:
    """Record that the volunteer got the reward (once; a second call changes nothing)."""
    if not keeps(by, redemption.volunteer):
        raise PermissionDenied(_("Only keepers of the volunteer's community hand rewards over."))
    at = at or timezone.now()
    Redemption.objects.filter(pk=redemption.pk, handed_over_at__isnull=True).update(
        handed_over_at=at
    )
    redemption.refresh_from_db(fields=["handed_over_at"])
    return redemption
