"""Forms of the public pages. They only shape the input: every rule of a report is the
service's, and its refusals land on these fields. The spam check is the honeypot of
:mod:`participation.public.honeypot`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from participation.choices import AttributeType
from participation.models import PublicService
from participation.public.honeypot import HoneypotForm
from participation.services.public_reports import MAX_PHOTOS


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to three photos from one file input (each checked by decoding in the service)."""

    def __init__(self, **kwargs: Any) -> None:
        attrs = {"accept": "image/jpeg,image/png,image/webp", "multiple": True}
        super().__init__(widget=MultipleFileInput(attrs=attrs), required=False, **kwargs)

    def clean(self, data, initial=None) -> list:
        files = data if isinstance(data, list | tuple) else [data]
        return [super(PhotosField, self).clean(file, initial) for file in files if file]


def _attribute_field(attribute) -> forms.Field:
    choices = [(str(o.get("key")), str(o.get("name"))) for o in attribute.values]
    common = {"label": attribute.description, "required": False}
    if attribute.datatype == AttributeType.MULTI:
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **common
        )
    if attribute.datatype == AttributeType.SINGLE:
        return forms.ChoiceField(choices=[("", "---------"), *choices], **common)
    widgets = {
        AttributeType.TEXT: forms.Textarea(attrs={"rows": 3}),
        AttributeType.NUMBER: forms.NumberInput(attrs={"step": "any"}),
        AttributeType.DATETIME: forms.DateTimeInput(attrs={"type": "datetime-local"}),
    }
    return forms.CharField(
        widget=widgets.get(attribute.datatype, forms.TextInput()),
        help_text=attribute.datatype_description,
        **common,
    )


def attribute_name(service: PublicService, code: str) -> str:
    return f"attr-{service.pk}-{code}"


class ReportForm(HoneypotForm):
    """A problem report: the category (a public service), the place (a point picked on the
    map, or an address), the words, photos, and a name with a phone or e-mail unless the
    reporter stays anonymous. The questions of every service are fields of their own; only
    the chosen service's answers are sent on."""

    service = forms.TypedChoiceField(label=_("What kind of problem?"), coerce=int)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    address = forms.CharField(
        label=_("Address or landmark"),
        max_length=200,
        required=False,
        help_text=_("Without a point on the map, name the community, e.g. “光明社区 3号楼”."),
    )
    description = forms.CharField(
        label=_("What is wrong?"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    photos = PhotosField(
        label=_("Photos"),
        help_text=_("Up to %(count)d photos (JPEG, PNG or WebP).") % {"count": MAX_PHOTOS},
    )
    anonymous = forms.BooleanField(
        label=_("Report anonymously"),
        required=False,
        help_text=_("An anonymous report is checked by the command centre before it is filed."),
    )
    name = forms.CharField(label=_("Your name"), max_length=50, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)

    def __init__(self, *args: Any, services: list[tuple[str, list[PublicService]]], **kwargs):
        super().__init__(*args, **kwargs)
        self.services = {service.pk: service for _group, group in services for service in group}
        self.fields["service"].choices = [
            ("", "---------"),
            *[
                (group, [(s.pk, s.category.local_name) for s in members])
                for group, members in services
            ],
        ]
        self.questions: list[tuple[PublicService, list[str]]] = []
        for service in self.services.values():
            names = []
            for attribute in service.attributes.all():
                name = attribute_name(service, attribute.code)
                self.fields[name] = _attribute_field(attribute)
                names.append(name)
            if names:
                self.questions.append((service, names))

    def question_fields(self) -> list[tuple[PublicService, list[forms.BoundField]]]:
        return [(service, [self[name] for name in names]) for service, names in self.questions]

    def chosen_service(self) -> PublicService:
        return self.services[self.cleaned_data["service"]]

    def answers(self) -> dict[str, Any]:
        service = self.chosen_service()
        return {
            attribute.code: self.cleaned_data.get(attribute_name(service, attribute.code))
            for attribute in service.attributes.all()
        }

    def refuse(self, error: ValidationError) -> None:
        """Put a service's refusal on the fields it names ("location" on the address,
        anything else unknown above the form)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for field, messages in error.message_dict.items():
            target = {"location": "address", "lat": "address", "lng": "address"}.get(field, field)
            self.add_error(target if target in self.fields else None, messages)


class FollowForm(forms.Form):
    reference = forms.CharField(label=_("Report number"), max_length=20)
    token = forms.CharField(label=_("Follow code"), max_length=100)


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with the handling?"),
        coerce=int,
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
