"""The forms behind the ticket page's actions. Each checks what a person typed and turns it
into the ``note`` and ``data`` that ``incidents.workflow.ticket_act`` takes; the workflow
itself decides whether the action is allowed and whether the data make sense."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from incidents import selectors
from incidents.choices import Action, LimitUnit, PhotoPhase, SupervisionLevel
from incidents.handling import dispatchable_departments
from incidents.models import Ticket
from incidents.photos import Photo
from incidents.workflow import WORKFLOW
from personnel.selectors import department_list

NOTE_MAX_LENGTH = 2000
EXTENSION_MAX_AMOUNT = 10_000  # the calendar API previews no more than this
PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"

# What the note means for some actions; any other action calls it a note.
NOTE_LABELS = {
    Action.SUPERVISE: _("Reason"),
    Action.ANSWER_SUPERVISION: _("Answer"),
    Action.CLOSE_SUPERVISION: _("Closing note"),
    Action.TASK_DONE: _("Result"),
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos from one file input; the workflow decodes and checks each of them."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": PHOTO_ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list:
        items = data if isinstance(data, list | tuple) else [data] if data else []
        cleaned = [super(PhotosField, self).clean(item, initial) for item in items]
        if self.required and not cleaned:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return cleaned


class ActionForm(forms.Form):
    """An action with an optional note (required where the workflow says so) and the
    version of the ticket the page showed, so that a stale page changes nothing."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 40}),
    )
    multipart = False

    def __init__(self, *args, ticket: Ticket, user, action: str, **kwargs) -> None:
        # Several action forms share the page: their element ids must not collide.
        kwargs.setdefault("auto_id", f"id_{action}_%s")
        kwargs["initial"] = {"version": ticket.version, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        self.ticket, self.user, self.action = ticket, user, action
        transition = WORKFLOW.get((ticket.status, action))
        self.fields["note"].required = bool(transition and transition.needs_note)
        self.fields["note"].label = NOTE_LABELS.get(action, self.fields["note"].label)

    @property
    def label(self) -> str:
        return Action(self.action).label

    @property
    def compact(self) -> bool:
        """Nothing to fill in: the action is one button."""
        return not self.fields["note"].required and not [
            name for name, field in self.fields.items() if name not in ("version", "note")
        ]

    def action_data(self) -> dict[str, Any]:
        return {}


class DispatchForm(ActionForm):
    """To a lead department with cooperating departments, or to the grid itself."""

    lead_department = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Lead department")
    )
    cooperating_departments = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Cooperating departments"),
    )
    to_grid = forms.BooleanField(required=False, label=_("Handle in the grid (no department)"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The departments the workflow accepts for this case, within the user's reach.
        departments = (
            department_list(user=self.user)
            .filter(pk__in=dispatchable_departments(self.ticket).values("pk"))
            .order_by("code", "pk")
        )
        self.fields["lead_department"].queryset = departments
        self.fields["cooperating_departments"].queryset = departments
        self.fields["lead_department"].initial = self.ticket.category.lead_department_id

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("to_grid"):
            if cleaned.get("cooperating_departments"):
                self.add_error(
                    "cooperating_departments",
                    _("A case handled by the grid has no departments."),
                )
        elif not cleaned.get("lead_department") and "lead_department" not in self.errors:
            self.add_error(
                "lead_department", _("Choose the lead department, or handle it in the grid.")
            )
        return cleaned

    def action_data(self) -> dict[str, Any]:
        if self.cleaned_data["to_grid"]:
            return {"to_grid": True}
        return {
            "lead_department": self.cleaned_data["lead_department"].pk,
            "cooperating_departments": [
                department.pk for department in self.cleaned_data["cooperating_departments"]
            ],
        }


class ExtensionForm(ActionForm):
    amount = forms.IntegerField(label=_("Extend by"), min_value=1, max_value=EXTENSION_MAX_AMOUNT)
    unit = forms.ChoiceField(label=_("Unit"), choices=LimitUnit.choices, initial=LimitUnit.HOURS)

    def action_data(self) -> dict[str, Any]:
        return {"amount": self.cleaned_data["amount"], "unit": self.cleaned_data["unit"]}


class SuperviseForm(ActionForm):
    level = forms.ChoiceField(label=_("Card"), choices=SupervisionLevel.choices)
    due_at = forms.DateTimeField(
        label=_("Answer due at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def action_data(self) -> dict[str, Any]:
        # The typed time is local (the active time zone); the workflow wants ISO with a zone.
        due_at = self.cleaned_data["due_at"].isoformat()
        return {"level": self.cleaned_data["level"], "due_at": due_at}


class OrderForm(ActionForm):
    """Answer or close one supervision order of the ticket."""

    order = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def action_data(self) -> dict[str, Any]:
        return {"order": self.cleaned_data["order"]}


class TaskForm(ActionForm):
    """Accept, finish or return one linked task of the user's department."""

    task = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def action_data(self) -> dict[str, Any]:
        return {"task": self.cleaned_data["task"]}


class MergeForm(ActionForm):
    """Merge into an original the user can see: picked from the suggestions (its id) or
    typed by its number."""

    duplicate_of = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    original_number = forms.CharField(
        label=_("Number of the original ticket"), required=False, max_length=20
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        visible = selectors.ticket_list(user=self.user).exclude(pk=self.ticket.pk)
        if cleaned.get("duplicate_of"):
            original = visible.filter(pk=cleaned["duplicate_of"]).first()
        elif (cleaned.get("original_number") or "").strip():
            original = visible.filter(number=cleaned["original_number"].strip()).first()
        else:
            original = None
        if original is None:
            self.add_error("original_number", _("Give the number of a ticket you can see."))
        cleaned["original"] = original
        return cleaned

    def action_data(self) -> dict[str, Any]:
        return {"duplicate_of": self.cleaned_data["original"].pk}


class RateForm(ActionForm):
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction"),
        coerce=int,
        choices=[(score, str(score)) for score in range(5, 0, -1)],
    )

    def action_data(self) -> dict[str, Any]:
        return {"satisfaction": self.cleaned_data["satisfaction"]}


class SubmitForm(ActionForm):
    """The result with photos taken after handling (one is needed on the ticket)."""

    photos = PhotosField(label=_("Photos after handling"), required=False)
    close_out_reason = forms.CharField(
        label=_("Reason to close out unfinished cooperating tasks"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
    )
    multipart = True

    def action_data(self) -> dict[str, Any]:
        photos = self.cleaned_data["photos"]
        data: dict[str, Any] = {
            "photos": [Photo(file=file, phase=PhotoPhase.AFTER) for file in photos]
        }
        if self.cleaned_data["close_out_reason"].strip():
            data["close_out_reason"] = self.cleaned_data["close_out_reason"].strip()
        return data


class AttachForm(ActionForm):
    phase = forms.ChoiceField(label=_("Taken"), choices=PhotoPhase.choices)
    photos = PhotosField(label=_("Photos"))
    multipart = True

    def action_data(self) -> dict[str, Any]:
        phase = self.cleaned_data["phase"]
        return {"photos": [Photo(file=file, phase=phase) for file in self.cleaned_data["photos"]]}


ACTION_FORMS: dict[str, type[ActionForm]] = {
    Action.DISPATCH: DispatchForm,
    Action.APPROVE_EXTENSION: ExtensionForm,
    Action.SUPERVISE: SuperviseForm,
    Action.ANSWER_SUPERVISION: OrderForm,
    Action.CLOSE_SUPERVISION: OrderForm,
    Action.TASK_ACCEPT: TaskForm,
    Action.TASK_DONE: TaskForm,
    Action.TASK_RETURN: TaskForm,
    Action.MERGE: MergeForm,
    Action.RATE: RateForm,
    Action.SUBMIT: SubmitForm,
    Action.ATTACH: AttachForm,
}
# Actions on one row of a table of the page (a task, an order), not in the actions panel.
ROW_ACTIONS = frozenset(
    {
        Action.ANSWER_SUPERVISION,
        Action.CLOSE_SUPERVISION,
        Action.TASK_ACCEPT,
        Action.TASK_DONE,
        Action.TASK_RETURN,
    }
)


def action_form(action: str, *args, ticket: Ticket, user, **kwargs) -> ActionForm:
    """The form of ``action`` for ``ticket`` (bound when given the POST data and files)."""
    form_class = ACTION_FORMS.get(action, ActionForm)
    return form_class(*args, ticket=ticket, user=user, action=action, **kwargs)
