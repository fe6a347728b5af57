"""Budgets per entity and fiscal year, and expenditure requests against their lines, with
append-only approvals and receipts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from funding.choices import BudgetCategory, ExpenditureStatus, FundSource, PayeeKind
from funding.models.entities import EntityOwned
from funding.models.ledger import MONEY, Transaction
from gridgov.models import VersionedModel


class Budget(EntityOwned):
    """One entity's budget for one fiscal year (a calendar year)."""

    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["-fiscal_year", "entity_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["entity_key", "fiscal_year"], name="one_budget_per_entity_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.entity_key} {self.fiscal_year}"


class BudgetLine(models.Model):
    """An amount for one category of spending, funded by one source."""

    budget = models.ForeignKey(
        Budget, on_delete=models.PROTECT, related_name="lines", verbose_name=_("budget")
    )
    category = models.CharField(_("category"), max_length=12, choices=BudgetCategory.choices)
    source = models.CharField(_("fund source"), max_length=16, choices=FundSource.choices)
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["budget", "category", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "category", "source"], name="one_line_per_category_source"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="budget_line_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.budget} {self.category} {self.source} {self.amount}"


class ExpenditureRequest(VersionedModel):
    """A request to spend from a budget line: requested → approved (one approval, two
    above the threshold) → paid, or rejected or withdrawn. Payment posts the ledger
    transaction."""

    budget_line = models.ForeignKey(
        BudgetLine,
        on_delete=models.PROTECT,
        related_name="requests",
        verbose_name=_("budget line"),
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    payee = models.CharField(_("payee"), max_length=100)
    payee_kind = models.CharField(_("payee kind"), max_length=12, choices=PayeeKind.choices)
    purpose = models.CharField(_("purpose"), max_length=300)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ExpenditureStatus.choices,
        default=ExpenditureStatus.REQUESTED,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("paid by"),
    )
    transaction = models.OneToOneField(
        Transaction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="expenditure",
        verbose_name=_("ledger transaction"),
    )

    class Meta:
        verbose_name = _("expenditure request")
        verbose_name_plural = _("expenditure requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="expenditure_positive")
        ]

    def __str__(self) -> str:
        return f"{self.payee} {self.amount} {self.status}"


class Approval(models.Model):
    """One approver's decision on a request; never changed or deleted."""

    request = models.ForeignKey(
        ExpenditureRequest, on_delete=models.PROTECT, related_name="approvals"
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved = models.BooleanField(_("approved"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "approver"], name="one_decision_each")
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.approver_id} {self.approved}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise TypeError("approvals are history: they are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("approvals are history: they are never deleted")


def _receipt_path(instance: Receipt, filename: str) -> str:
    return f"receipts/{instance.request_id}/{instance.stored_name}"


class Receipt(models.Model):
    """A voucher or receipt (PDF or image, checked) of a request; kept for ever."""

    request = models.ForeignKey(
        ExpenditureRequest, on_delete=models.PROTECT, related_name="receipts"
    )
    file = models.FileField(_("file"), upload_to=_receipt_path, max_length=200)
    stored_name = models.CharField(max_length=60, editable=False)
    content_type = models.CharField(_("content type"), max_length=30)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.stored_name}"

    def delete(self, *args, **kwargs):
        raise TypeError("receipts are evidence: they are never deleted")
