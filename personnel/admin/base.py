"""The base of the personnel admins: scoped reads, service saves, scoped choices."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import HttpResponseRedirect

from grids.admin import ScopedAdmin, _adopt
from personnel import selectors
from personnel.models import Course, Department, GridWorker, TrainingSession, User
from personnel.selectors import sees_personal_data


def unmasked(request) -> bool:
    """Whether the signed-in user sees personal data; asked once per request."""
    if not hasattr(request, "_gridgov_unmasked"):
        request._gridgov_unmasked = sees_personal_data(user=request.user)
    return request._gridgov_unmasked


class PersonnelAdmin(ScopedAdmin):
    """A scoped admin whose saves go through services that need the acting user.

    The form class built for each request carries ``acting_user``, so that its validation
    runs the services' checks for that user (see personnel.forms).
    """

    actions = ()
    related_selectors = {
        **ScopedAdmin.related_selectors,
        User: selectors.user_list,
        Department: selectors.department_list,
        GridWorker: selectors.worker_list,
        Course: selectors.course_list,
        TrainingSession: selectors.training_session_list,
    }

    def get_form(self, request, obj: Model | None = None, change: bool = False, **kwargs: Any):
        form = super().get_form(request, obj, change=change, **kwargs)
        # modelform_factory built this class for this request alone.
        form.acting_user = request.user
        return form

    def changeform_view(self, request, *args: Any, **kwargs: Any):
        try:
            return super().changeform_view(request, *args, **kwargs)
        except PermissionDenied as exc:
            # The form's checks passed, the service's refused: a role changed meanwhile.
            if not str(exc):
                raise
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def create_with(self, request, data: dict[str, Any]) -> Model:
        """Call the create service with the form's data."""
        raise NotImplementedError

    def update_with(
        self, request, obj: Model, data: dict[str, Any], expected_version: int | None
    ) -> Model:
        """Call the update service with the changed fields."""
        raise NotImplementedError

    def save_model(self, request, obj: Model, form, change: bool) -> None:
        data = {
            name: value
            for name, value in form.cleaned_data.items()
            if name in form.fields and name != "expected_version"
        }
        if change:
            changed = {name: data[name] for name in form.changed_data if name in data}
            saved = self.update_with(
                request, obj, changed, form.cleaned_data.get("expected_version")
            )
        else:
            saved = self.create_with(request, data)
        _adopt(obj, saved)

    def apply_each(self, request, rows, change, done_message) -> None:
        """Run ``change(row)`` (a service call) on each row; refusals are reported per row,
        the others counted. ``done_message(n)`` words the success."""
        done = 0
        for row in rows:
            try:
                change(row)
            except (ValidationError, PermissionDenied) as exc:
                reason = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                self.message_user(request, f"{row}: {reason}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, done_message(done), messages.SUCCESS)


class AddOnlyAdmin(PersonnelAdmin):
    """Rows added through a service and never edited (they end, or are revoked)."""

    def has_change_permission(self, request, obj: Model | None = None) -> bool:
        # The list and its actions need the model permission; a row itself is read-only.
        return obj is None and super().has_change_permission(request)


class ReadOnlyAdmin(ScopedAdmin):
    """Records made elsewhere (the phone, the inbox), shown in scope, never edited here."""

    actions = ()

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj: Model | None = None) -> bool:
        return False
