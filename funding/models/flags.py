"""Irregular-use flags raised by the nightly check (or on demand), resolved with a note."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from funding.choices import FlagKind, FlagStatus
from funding.models.budgets import ExpenditureRequest
from funding.models.entities import EntityOwned
from funding.models.ledger import Transaction


class Flag(EntityOwned):
    """One finding: its kind, the reason in words, what it is about, and its resolution.
    ``key`` makes a finding unique, so a re-run of the check raises nothing twice."""

    kind = models.CharField(_("kind"), max_length=16, choices=FlagKind.choices)
    key = models.CharField(max_length=120, unique=True, editable=False)
    reason = models.TextField(_("reason"))
    request = models.ForeignKey(
        ExpenditureRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="flags",
        verbose_name=_("expenditure request"),
    )
    transaction = models.ForeignKey(
        Transaction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="flags",
        verbose_name=_("transaction"),
    )
    detected_at = models.DateTimeField(_("detected at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=8, choices=FlagStatus.choices, default=FlagStatus.OPEN
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)

    class Meta:
        verbose_name = _("irregularity flag")
        verbose_name_plural = _("irregularity flags")
        ordering = ["-detected_at", "-pk"]
        indexes = [models.Index(fields=["street", "status"], name="flag_street_status")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"

    def delete(self, *args, **kwargs):
        raise TypeError("flags are kept: resolve them with a note instead")
