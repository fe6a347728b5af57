"""What the public reaches without signing in: the public service catalogue (the case
categories residents may report, which are also the Open311 services), public reports with
their follow tokens and moderation, and the API keys of Open311 clients.

A follow token and an API key are random secrets; only their SHA-256 is stored.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.models import TimeStampedModel
from grids.models import Grid
from incidents.models import Category, Ticket
from participation.choices import AttributeType, ReportChannel, ReportStatus
from participation.models.places import InCommunity
from participation.models.residents import phone_validator

attribute_code_validator = RegexValidator(
    r"^[A-Za-z0-9_-]{1,40}$", _("Letters, digits, - and _ only.")
)


class PublicService(TimeStampedModel):
    """A case category residents may report (a minor class): its public name and
    description. The Open311 ``service_code`` is the category's code; a service with
    attributes has ``metadata`` in Open311 terms."""

    category = models.OneToOneField(
        Category,
        on_delete=models.PROTECT,
        related_name="public_service",
        verbose_name=_("category"),
    )
    description = models.TextField(_("public description"), max_length=1000, blank=True)
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    active = models.BooleanField(_("offered to the public"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("public service")
        verbose_name_plural = _("public services")
        ordering = ["order", "category__code"]

    def __str__(self) -> str:
        return str(self.category)

    @property
    def service_code(self) -> str:
        return self.category.code


class ServiceAttribute(models.Model):
    """An extra question of a public service (Open311 attribute): its code, datatype,
    whether it is required, and for list types the allowed values
    (``[{"key": ..., "name": ...}]``)."""

    service = models.ForeignKey(
        PublicService,
        on_delete=models.CASCADE,
        related_name="attributes",
        verbose_name=_("service"),
    )
    code = models.CharField(_("code"), max_length=40, validators=[attribute_code_validator])
    datatype = models.CharField(_("datatype"), max_length=16, choices=AttributeType.choices)
    required = models.BooleanField(_("required"), default=False)
    description = models.CharField(_("question"), max_length=200)
    datatype_description = models.CharField(_("how to answer"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    values = models.JSONField(_("values"), default=list, blank=True)

    class Meta:
        verbose_name = _("service attribute")
        verbose_name_plural = _("service attributes")
        ordering = ["service_id", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["service", "code"], name="service_attribute_code"),
        ]

    def __str__(self) -> str:
        return self.code


class Open311Key(models.Model):
    """The API key of one Open311 client application. Only the key's SHA-256 is kept;
    ``prefix`` (its first characters) tells keys apart in the back office."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class PublicReport(InCommunity, TimeStampedModel):
    """A problem reported by the public, on the web page or through an Open311 client.

    ``reference`` and the follow token (kept as ``token_hash``) let the reporter follow it
    without signing in. A named report becomes a case at once; an anonymous one waits for
    moderation (``pending``), then becomes a case or is rejected. Its grid (and the scope
    above it) is located from the point, so the street's command centre moderates it.
    Contact details are personal data: shown only to the staff who moderate, never in logs.
    """

    reference = models.CharField(
        pgettext_lazy("public report", "reference"), max_length=20, unique=True, editable=False
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=10, choices=ReportChannel.choices)
    api_key = models.ForeignKey(
        Open311Key,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("Open311 client"),
    )
    service = models.ForeignKey(
        PublicService, on_delete=models.PROTECT, related_name="reports", verbose_name=_("service")
    )
    description = models.TextField(_("description"), max_length=4000)
    lat = models.FloatField(_("latitude"))
    lng = models.FloatField(_("longitude"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    attributes = models.JSONField(_("answers to the service's questions"), default=dict)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    name = models.CharField(_("name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    email = models.EmailField(_("e-mail"), blank=True)
    device_id = models.CharField(_("device id"), max_length=100, blank=True)
    account_id = models.CharField(_("account id"), max_length=100, blank=True)
    media_url = models.URLField(_("photo address"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    ticket = models.OneToOneField(
        Ticket,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="public_report",
        verbose_name=_("case"),
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moderated by"),
    )
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    moderation_note = models.CharField(_("moderation note"), max_length=500, blank=True)
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="+", editable=False)

    class Meta:
        verbose_name = _("public report")
        verbose_name_plural = _("public reports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="ticketed", ticket__isnull=False)
                | (~Q(status="ticketed") & Q(ticket__isnull=True)),
                name="public_report_ticket_iff_ticketed",
            ),
            models.CheckConstraint(
                condition=Q(anonymous=True) | ~Q(name="") | ~Q(phone="") | ~Q(email=""),
                name="public_report_named_has_contact",
            ),
        ]
        indexes = [models.Index(fields=["street", "status"], name="public_report_street_st")]

    def __str__(self) -> str:
        return self.reference


def _report_photo_path(photo: PublicReportPhoto, filename: str) -> str:
    """Our own name, never the sender's (which may carry a path or personal data)."""
    extension = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}[photo.content_type]
    return f"public-reports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class PublicReportPhoto(models.Model):
    """A photo sent with a public report (at most three), checked by decoding it. It becomes
    the case's "before" photo when the report becomes a case."""

    report = models.ForeignKey(
        PublicReport, on_delete=models.PROTECT, related_name="photos", verbose_name=_("report")
    )
    file = models.FileField(
        pgettext_lazy("uploaded file", "file"), upload_to=_report_photo_path, max_length=200
    )
    content_type = models.CharField(_("content type"), max_length=20)

    class Meta:
        verbose_name = _("report photo")
        verbose_name_plural = _("report photos")
        ordering = ["report_id", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id}:{self.pk}"
