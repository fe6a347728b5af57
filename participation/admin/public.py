"""Back office of the public side: the public service catalogue with its Open311 questions,
Open311 API keys, and public reports (read-only, contacts masked).

A new API key is made by the add form (or ``manage.py create_open311_key NAME``) and shown
once, in the message after saving; only its hash is kept. Keys are withdrawn with the
"deactivate" action, never edited.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gridgov.admin_base import SelectorReadOnlyAdmin
from incidents.models import Category
from participation.choices import AttributeType
from participation.models import Open311Key, PublicReport, PublicService, ServiceAttribute
from participation.personal_data import mask_name, mask_phone
from participation.selectors.public import public_report_list
from participation.services.open311 import open311_key_create, open311_key_deactivate

LIST_TYPES = (AttributeType.SINGLE, AttributeType.MULTI)


class ServiceAttributeForm(forms.ModelForm):
    """A list question needs its values ([{"key": ..., "name": ...}], keys unique); any
    other question has none."""

    class Meta:
        model = ServiceAttribute
        fields = (
            "code",
            "description",
            "datatype",
            "required",
            "datatype_description",
            "order",
            "values",
        )

    def clean(self) -> dict:
        data = super().clean()
        values = data.get("values") or []
        if data.get("datatype") in LIST_TYPES:
            well_formed = isinstance(values, list) and all(
                isinstance(v, dict)
                and str(v.get("key", "")).strip()
                and str(v.get("name", "")).strip()
                for v in values
            )
            keys = [str(v.get("key")) for v in values] if well_formed else []
            if not values or not well_formed or len(set(keys)) != len(keys):
                raise ValidationError(
                    {
                        "values": _(
                            'Give the choices as [{"key": "a", "name": "…"}, …], keys unique.'
                        )
                    }
                )
        elif values:
            raise ValidationError({"values": _("Only list questions have values.")})
        return data


class ServiceAttributeInline(admin.TabularInline):
    model = ServiceAttribute
    form = ServiceAttributeForm
    extra = 0


@admin.register(PublicService)
class PublicServiceAdmin(admin.ModelAdmin):
    list_display = ("category", "active", "order", "question_count")
    list_filter = ("active", "category__parent")
    search_fields = ("category__code", "category__name", "keywords")
    inlines = [ServiceAttributeInline]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("category").prefetch_related("attributes")
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "category":
            kwargs["queryset"] = Category.objects.filter(parent__isnull=False, active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("questions"))
    def question_count(self, service: PublicService) -> int:
        return len(service.attributes.all())


@admin.register(Open311Key)
class Open311KeyAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "active", "created_at", "last_used_at")
    list_filter = ("active",)
    fields = ("name",)
    actions = ["deactivate"]

    def get_readonly_fields(self, request, obj: Open311Key | None = None) -> tuple:
        if obj is None:
            return ()
        return ("name", "prefix", "active", "created_at", "last_used_at")

    def get_fields(self, request, obj: Open311Key | None = None) -> tuple:
        return ("name",) if obj is None else self.get_readonly_fields(request, obj)

    def has_delete_permission(self, request, obj: Open311Key | None = None) -> bool:
        return False  # reports keep their client: withdraw a key instead

    def save_model(self, request, obj: Open311Key, form, change: bool) -> None:
        if change:
            return
        key, plain = open311_key_create(name=obj.name)
        obj.pk, obj.prefix, obj.key_hash, obj.created_at = (
            key.pk,
            key.prefix,
            key.key_hash,
            key.created_at,
        )
        obj._state.adding, obj._state.db = False, key._state.db
        messages.warning(
            request,
            _("The API key of %(name)s is %(key)s. Copy it now: it is not shown again.")
            % {"name": key.name, "key": plain},
        )

    @admin.action(description=_("Deactivate the selected keys"))
    def deactivate(self, request, queryset) -> None:
        count = sum(open311_key_deactivate(key=key) for key in queryset)
        self.message_user(
            request,
            ngettext("%(count)d key deactivated.", "%(count)d keys deactivated.", count)
            % {"count": count},
        )


@admin.register(PublicReport)
class PublicReportAdmin(SelectorReadOnlyAdmin):
    """Public reports the user moderates; the contact is masked (moderate on the
    moderation page, which shows it to call back)."""

    selector = public_report_list
    list_display = ("reference", "status", "channel", "service", "street", "created_at")
    list_filter = ("status", "channel")
    search_fields = ("reference",)
    fields = readonly_fields = (
        "reference",
        "status",
        "channel",
        "api_key",
        "service",
        "description",
        "attributes",
        "lat",
        "lng",
        "address",
        "grid",
        "anonymous",
        "masked_name",
        "masked_phone",
        "masked_email",
        "ticket",
        "moderated_by",
        "moderated_at",
        "moderation_note",
        "created_at",
    )

    @admin.display(description=_("name"))
    def masked_name(self, report: PublicReport) -> str:
        return mask_name(report.name)

    @admin.display(description=_("phone"))
    def masked_phone(self, report: PublicReport) -> str:
        return mask_phone(report.phone) if report.phone else ""

    @admin.display(description=_("e-mail"))
    def masked_email(self, report: PublicReport) -> str:
        local, _at, domain = report.email.partition("@")
        return f"{local[:1]}***@{domain}" if report.email else ""
