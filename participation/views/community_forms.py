"""Forms of the community-life pages. They shape and type the input; the rules are the
services' (their refusals land on these fields through :func:`run`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grids.models import Community, Street
from participation.choices import ActivityKind
from participation.models import Activity, ActivitySignup, Organisation, Reward, Volunteer
from participation.services.points import MAX_POINTS
from personnel.scope import PlacesHeld

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def run(form: forms.Form, step: Callable[[dict], Any]) -> Any | None:
    """``step(cleaned_data)``; None, with the reasons on the form, when the form or the
    service refuses (the service wrote nothing then). PermissionDenied stays a 403."""
    if not form.is_valid():
        return None
    try:
        return step(form.cleaned_data)
    except ValidationError as refusal:
        if not hasattr(refusal, "error_dict"):
            form.add_error(None, refusal.messages)
            return None
        for field, messages in refusal.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    return None


def kept_communities(places: PlacesHeld) -> QuerySet[Community]:
    """The communities where ``places`` (a user's keeper places) keep community life."""
    if places.empty:
        return Community.objects.none()
    communities = Community.objects.select_related("street").order_by("code")
    if places.is_global:
        return communities
    return communities.filter(
        Q(street__district_id__in=places.district_ids)
        | Q(street_id__in=places.street_ids)
        | Q(pk__in=places.community_ids)
    )


def kept_streets(places: PlacesHeld) -> QuerySet[Street]:
    if places.empty:
        return Street.objects.none()
    streets = Street.objects.order_by("code")
    if places.is_global:
        return streets
    return streets.filter(Q(district_id__in=places.district_ids) | Q(pk__in=places.street_ids))


class PlaceLabelled(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.code} {obj.name}"


class ActivityForm(forms.Form):
    community = PlaceLabelled(label=_("Community"), queryset=Community.objects.none())
    title = forms.CharField(label=_("Title"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DATETIME)
    place = forms.CharField(label=_("Place"), max_length=200)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=10000)
    points_per_hour = forms.IntegerField(
        label=_("Points per hour of service"), min_value=0, max_value=1000, initial=10
    )
    organiser = forms.ModelChoiceField(
        label=_("Organiser"), queryset=Organisation.objects.none(), required=False
    )
    description = forms.CharField(
        label=pgettext_lazy("activity", "Description"),
        max_length=4000,
        required=False,
        widget=forms.Textarea,
    )

    def __init__(self, *args, communities, organisations, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["organiser"].queryset = organisations


class SignupForm(forms.Form):
    volunteer = forms.ModelChoiceField(label=_("Volunteer"), queryset=Volunteer.objects.none())

    def __init__(self, *args, volunteers, names=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = volunteers
        if names is not None:  # the names this reader sees, for the choices shown
            self.fields["volunteer"].label_from_instance = lambda v: names.show(v)[0]


class WithdrawForm(forms.Form):
    signup = forms.ModelChoiceField(queryset=ActivitySignup.objects.none())

    def __init__(self, *args, activity: Activity, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["signup"].queryset = activity.signups.filter(status="signed_up")


class AttendanceForm(forms.Form):
    """One row per sign-up in force: came (ticked by default) and hours (empty: the
    activity's duration)."""

    def __init__(self, *args, signups, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rows = []
        for signup in signups:
            attended = f"attended_{signup.pk}"
            hours = f"hours_{signup.pk}"
            self.fields[attended] = forms.BooleanField(
                label=_("Came"), required=False, initial=True
            )
            self.fields[hours] = forms.DecimalField(
                label=_("Hours"), required=False, min_value=0, max_digits=5, decimal_places=2
            )
            self.rows.append((signup, self[attended], self[hours]))

    def records(self) -> list[tuple[int, bool, Any]]:
        return [
            (
                signup.pk,
                self.cleaned_data[f"attended_{signup.pk}"],
                self.cleaned_data[f"hours_{signup.pk}"],
            )
            for signup, _attended, _hours in self.rows
        ]


class AdjustForm(forms.Form):
    amount = forms.IntegerField(
        label=pgettext_lazy("volunteer points", "Points"),
        min_value=-MAX_POINTS,
        max_value=MAX_POINTS,
        help_text=_("Negative to take points away."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)


class RedeemForm(forms.Form):
    reward = forms.ModelChoiceField(label=_("Reward"), queryset=Reward.objects.none())

    def __init__(self, *args, rewards, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reward"].queryset = rewards
        self.fields["reward"].label_from_instance = lambda r: (
            _("%(name)s (%(cost)d points, %(stock)d left)")
            % {"name": r.name, "cost": r.cost, "stock": r.stock}
        )


class RewardForm(forms.Form):
    where = forms.ChoiceField(label=_("Offered in"))
    name = forms.CharField(label=_("Name"), max_length=100)
    cost = forms.IntegerField(
        label=pgettext_lazy("volunteer points", "Points"), min_value=1, max_value=MAX_POINTS
    )
    stock = forms.IntegerField(label=_("In stock"), min_value=0, max_value=100_000, initial=0)
    description = forms.CharField(
        label=pgettext_lazy("reward", "Description"), max_length=2000, required=False
    )

    def __init__(self, *args, streets, communities, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.places = {f"S{s.pk}": (s, None) for s in streets}
        self.places |= {f"C{c.pk}": (c.street, c) for c in communities}
        self.fields["where"].choices = [
            (f"S{s.pk}", _("%(street)s (whole street)") % {"street": s.name}) for s in streets
        ] + [(f"C{c.pk}", f"{c.street.name} · {c.name}") for c in communities]


class RestockForm(forms.Form):
    count = forms.IntegerField(
        label=_("Items"),
        min_value=-100_000,
        max_value=100_000,
        help_text=_("Negative to write off lost items."),
    )
