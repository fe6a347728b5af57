"""Volunteer points (积分): an append-only ledger per volunteer, a rewards catalogue with
stock, and redemptions.

``PointsAccount.balance`` is the running sum of the volunteer's entries. It moves only by a
conditional update that keeps it at zero or above (a CHECK constraint holds it there too),
in the transaction that writes the entry, so a balance never goes negative however many
redemptions race. Entries are never changed or deleted; a correction is an ``adjust`` entry.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.models import VersionedModel
from grids.models import Community
from participation.choices import PointsKind
from participation.models.community import Volunteer
from participation.models.places import InStreet


class PointsAccount(models.Model):
    """A volunteer's points: the balance now and the total ever earned (for rankings)."""

    volunteer = models.OneToOneField(
        Volunteer,
        on_delete=models.PROTECT,
        related_name="points_account",
        verbose_name=_("volunteer"),
    )
    balance = models.IntegerField(_("balance"), default=0)
    earned = models.PositiveIntegerField(_("earned in all"), default=0)

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="points_never_negative"),
        ]

    def __str__(self) -> str:
        return _("Points of volunteer #%(id)s") % {"id": self.volunteer_id}


class PointsEntry(models.Model):
    """One change of a volunteer's points, with the balance after it. ``key`` makes a
    change happen once (``attendance:<sign-up id>``, ``redemption:<id>``): a retry finds
    the entry instead of writing a second one. Append-only."""

    account = models.ForeignKey(
        PointsAccount,
        on_delete=models.PROTECT,
        related_name="entries",
        verbose_name=pgettext_lazy("volunteer points", "account"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=PointsKind.choices)
    amount = models.IntegerField(pgettext_lazy("volunteer points", "points"))
    balance_after = models.IntegerField(_("balance after"))
    reason = models.CharField(_("reason"), max_length=200)
    key = models.CharField(_("key"), max_length=60, unique=True, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        ordering = ["account_id", "at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="points_entry_not_zero"),
            models.CheckConstraint(
                condition=(Q(kind="earn", amount__gt=0) | Q(kind="redeem", amount__lt=0))
                | Q(kind="adjust"),
                name="points_entry_sign_of_kind",
            ),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0), name="points_entry_balance_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["account", "-at"], name="points_entry_account_at")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.kind} {self.amount:+d}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise TypeError("points entries are history: they are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("points entries are history: they are never deleted")


class Reward(InStreet, VersionedModel):
    """A reward of a street's catalogue (or of one community's), for so many points, while
    stock lasts. ``stock`` moves only by conditional update, never below zero."""

    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("community"),
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    cost = models.PositiveIntegerField(
        pgettext_lazy("volunteer points", "points"), validators=[MinValueValidator(1)]
    )
    stock = models.PositiveIntegerField(_("in stock"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ["street_id", "cost", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(cost__gte=1), name="reward_costs_points"),
        ]

    def __str__(self) -> str:
        return self.name


class Redemption(models.Model):
    """A reward taken for points: the stock went down by one and the ``redeem`` entry was
    written in the same transaction. ``handed_over_at`` is when the volunteer got it."""

    reward = models.ForeignKey(
        Reward, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("reward")
    )
    volunteer = models.ForeignKey(
        Volunteer,
        on_delete=models.PROTECT,
        related_name="redemptions",
        verbose_name=_("volunteer"),
    )
    entry = models.OneToOneField(
        PointsEntry, on_delete=models.PROTECT, related_name="redemption", editable=False
    )
    points = models.PositiveIntegerField(pgettext_lazy("volunteer points", "points"))
    redeemed_at = models.DateTimeField(_("redeemed at"))
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("redeemed by"),
    )
    handed_over_at = models.DateTimeField(_("handed over at"), null=True, blank=True)

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-redeemed_at", "-pk"]

    def __str__(self) -> str:
        return _("Redemption #%(id)s") % {"id": self.pk}
