"""Back-office forms of the personnel app.

Each runs the services' own checks for the signed-in user while it is validated (the
granting rule, the user's area, a grid's open primary), so a refusal shows on the form
instead of failing on save. ``acting_user`` is set by the admin on the form class it builds
for each request.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from grids.admin import ServiceValidatedForm
from personnel.models import Department, GridAssignment, GridWorker, RoleAssignment
from personnel.services.departments import department_validate
from personnel.services.roles import can_grant
from personnel.services.workers import grid_assignment_validate, worker_validate


class ActingUserChecks:
    """Runs ``check()`` (the service-side checks) after the model's validation; a
    PermissionDenied becomes a form-wide error, a ValidationError errors on its fields."""

    acting_user = None

    def check(self) -> None:
        """Raise ValidationError or PermissionDenied as the service would."""

    def run_checks(self) -> None:
        try:
            self.check()
        except PermissionDenied as exc:
            self.add_error(None, ValidationError(str(exc), code="permission_denied"))
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                self.add_error(None, exc)
                return
            for field, errors in exc.error_dict.items():
                target = field if field in self.fields and field != NON_FIELD_ERRORS else None
                self.add_error(target, errors)


class VersionedServiceForm(ActingUserChecks, ServiceValidatedForm):
    """Edits of versioned rows: the compare-and-swap guard of ServiceValidatedForm, then the
    service checks."""

    def service_validate(self) -> None:
        self.run_checks()

    @property
    def permission(self) -> str:
        verb = "change" if self.instance.pk is not None else "add"
        return f"personnel.{verb}_{self._meta.model._meta.model_name}"


class DepartmentForm(VersionedServiceForm):
    class Meta:
        model = Department
        fields = "__all__"

    def check(self) -> None:
        department_validate(
            department=self.instance, user=self.acting_user, permission=self.permission
        )


class GridWorkerForm(VersionedServiceForm):
    class Meta:
        model = GridWorker
        fields = "__all__"

    def check(self) -> None:
        worker_validate(worker=self.instance, user=self.acting_user, permission=self.permission)


class AddOnlyForm(ActingUserChecks, forms.ModelForm):
    """Adding rows that are never edited afterwards (assignments: they end, or are revoked)."""

    def _post_clean(self) -> None:
        super()._post_clean()  # construct_instance() and the model's full_clean()
        if not self.errors:
            self.run_checks()


class GridAssignmentForm(AddOnlyForm):
    replace_primary = forms.BooleanField(
        label=_("Replace the current primary"),
        required=False,
        help_text=_(
            "If the grid already has a primary worker, end their assignment on the start day."
        ),
    )

    class Meta:
        model = GridAssignment
        fields = ("worker", "grid", "kind", "since")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "since" in self.fields:
            self.fields["since"].initial = timezone.localdate

    def check(self) -> None:
        grid_assignment_validate(
            created_by=self.acting_user,
            worker=self.instance.worker,
            grid=self.instance.grid,
            kind=self.instance.kind,
            since=self.instance.since,
            replace_primary=self.cleaned_data.get("replace_primary", False),
        )


class RoleAssignmentForm(AddOnlyForm):
    """A grant: the role, the scope type, and the one place (or department) of that type."""

    class Meta:
        model = RoleAssignment
        fields = (
            "user",
            "role",
            "scope_type",
            "district",
            "street",
            "community",
            "grid",
            "department",
            "valid_from",
            "valid_until",
            "note",
        )
        help_texts = {"scope_type": _("Then choose the place (or department) of that type.")}

    def check(self) -> None:
        assignment = self.instance
        if assignment.valid_until is not None and assignment.valid_until <= timezone.now():
            raise ValidationError({"valid_until": gettext("An assignment cannot end in the past.")})
        if not can_grant(grantor=self.acting_user, role=assignment.role, scope=assignment.scope):
            raise PermissionDenied(
                gettext("You can only grant roles at or below your own, inside your own scope.")
            )
