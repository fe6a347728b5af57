"""Proposals and needs raised bottom-up by residents and organisations, the support they
gather (once per person) and the community's official answers.

A proposal's status changes only by an answer (``ProposalAnswer``, append-only): in
progress, accepted (which may have made a case or an activity) or declined with a reason.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.models import VersionedModel
from grids.models import Grid
from incidents.models import Ticket
from participation.choices import ProposalKind, ProposalStatus
from participation.models.community import Activity, Organisation
from participation.models.places import InCommunity


class Proposal(InCommunity, VersionedModel):
    """A proposal or need of a community, raised by a signed-in person (for themselves or
    for an organisation). ``supporters`` counts the ``ProposalSupport`` rows."""

    kind = models.CharField(_("kind"), max_length=10, choices=ProposalKind.choices)
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"), max_length=4000)
    grid = models.ForeignKey(
        Grid,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("grid"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("author"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("on behalf of"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.OPEN
    )
    supporters = models.PositiveIntegerField(_("supporters"), default=0, editable=False)
    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case made of it"),
    )
    activity = models.ForeignKey(
        Activity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("activity made of it"),
    )

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["community", "status"], name="proposal_comm_status")]

    def __str__(self) -> str:
        return self.title


class ProposalSupport(models.Model):
    """One person's support of a proposal (once per person)."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, related_name="supports", verbose_name=_("proposal")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "user"],
                name="support_once_per_person",
                violation_error_message=_("You support this proposal already."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}:{self.user_id}"


class ProposalAnswer(models.Model):
    """An official answer of the community: the status it set and its text (the reason, for
    a decline), with the case or activity an acceptance made. Append-only."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, related_name="answers", verbose_name=_("proposal")
    )
    status = models.CharField(_("status"), max_length=12, choices=ProposalStatus.choices)
    text = models.TextField(pgettext_lazy("proposal", "answer"), max_length=4000)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("proposal", "answered by"),
    )
    at = models.DateTimeField(_("at"))
    ticket = models.ForeignKey(
        Ticket, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = pgettext_lazy("proposal", "answer")
        verbose_name_plural = pgettext_lazy("proposal", "answers")
        ordering = ["proposal_id", "at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(status="open"), name="answer_sets_a_status"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} {self.status}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise TypeError("answers are history: they are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("answers are history: they are never deleted")
