"""The double-entry ledger: accounts, transactions with their legs, running balances per
account, source and month, and period locks.

A leg's amount is signed: positive debits its account, negative credits it. The legs of
a posted transaction sum to zero. Posted transactions and their legs are never changed or
deleted (the models refuse it; on PostgreSQL triggers refuse it too); a correction is a
reversal.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from funding.choices import AccountType, FundSource, TransactionStatus
from funding.models.entities import EntityOwned
from grids.models import Street

MONEY = {"max_digits": 14, "decimal_places": 2}


class Account(EntityOwned):
    """An account of one entity's chart (a tree: ``parent`` within the same entity)."""

    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    type = models.CharField(_("type"), max_length=10, choices=AccountType.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent account"),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["entity_key", "code"]
        constraints = [
            models.UniqueConstraint(fields=["entity_key", "code"], name="account_code_per_entity")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Transaction(EntityOwned):
    """A journal entry of two or more legs; a draft until posted, then history."""

    date = models.DateField(_("date"))
    period = models.DateField(_("period"), editable=False)  # the first day of its month
    description = models.CharField(_("description"), max_length=200)
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    voucher_number = models.CharField(_("voucher number"), max_length=40, blank=True)
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=TransactionStatus.choices,
        default=TransactionStatus.DRAFT,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("posted by"),
    )
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )

    class Meta:
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["street", "period"], name="transaction_street_period"),
            models.Index(fields=["entity_key", "date"], name="transaction_entity_date"),
        ]

    def __str__(self) -> str:
        return f"{self.voucher_number or self.pk} {self.description}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and (
            Transaction.objects.filter(pk=self.pk, status=TransactionStatus.POSTED).exists()
        ):
            raise TypeError("a posted transaction is history: reverse it instead")
        self.period = self.date.replace(day=1)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.status == TransactionStatus.POSTED:
            raise TypeError("a posted transaction is history: reverse it instead")
        return super().delete(*args, **kwargs)


class Leg(models.Model):
    """One line of a transaction: an account, a fund source and a signed amount (debit
    positive, credit negative; never zero)."""

    transaction = models.ForeignKey(
        Transaction, on_delete=models.PROTECT, related_name="legs", verbose_name=_("transaction")
    )
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="legs", verbose_name=_("account")
    )
    source = models.CharField(_("fund source"), max_length=16, choices=FundSource.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    memo = models.CharField(_("memo"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("leg")
        verbose_name_plural = _("legs")
        ordering = ["transaction", "pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="leg_amount_not_zero")
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.source} {self.amount}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None or (
            Transaction.objects.filter(
                pk=self.transaction_id, status=TransactionStatus.POSTED
            ).exists()
        ):
            raise TypeError("legs of a posted transaction are history")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("legs are removed only with their draft")


class AccountBalance(models.Model):
    """The posted balance of one account, from one source, in one month: updated in the
    posting's transaction with its rows locked in key order, so concurrent postings never
    lose an update and never deadlock."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="balances")
    source = models.CharField(max_length=16, choices=FundSource.choices)
    period = models.DateField()
    balance = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0.00"))

    class Meta:
        verbose_name = _("account balance")
        verbose_name_plural = _("account balances")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "source", "period"], name="balance_per_account_source_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.source} {self.period} {self.balance}"


class PeriodLock(models.Model):
    """A closed month of one street's books (its communities' and grids' included):
    nothing can be posted into it."""

    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="+")
    period = models.DateField(_("period"))
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    locked_at = models.DateTimeField(_("locked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("period lock")
        verbose_name_plural = _("period locks")
        constraints = [
            models.UniqueConstraint(fields=["street", "period"], name="one_lock_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.street_id} {self.period:%Y-%m}"
