"""Filters of the people lists. Ids are plain numbers, not model choices: an unknown id
filters to nothing instead of answering whether it exists outside the user's reach."""

import django_filters

from gridgov.filters import IdFilter
from personnel.choices import (
    AssignmentKind,
    AssignmentState,
    DepartmentKind,
    EmploymentType,
    Role,
    ScopeType,
    WorkerStatus,
)
from personnel.models import Department, GridAssignment, GridWorker, RoleAssignment


class DepartmentFilterSet(django_filters.FilterSet):
    district = IdFilter(field_name="district_id")
    street = IdFilter(field_name="street_id")
    kind = django_filters.ChoiceFilter(choices=DepartmentKind.choices)
    active = django_filters.BooleanFilter()
    code = django_filters.CharFilter()

    class Meta:
        model = Department
        fields = ("district", "street", "kind", "active", "code")


class WorkerFilterSet(django_filters.FilterSet):
    street = IdFilter(field_name="street_id")
    user = IdFilter(field_name="user_id")
    status = django_filters.ChoiceFilter(choices=WorkerStatus.choices)
    employment_type = django_filters.ChoiceFilter(choices=EmploymentType.choices)
    employee_number = django_filters.CharFilter()

    class Meta:
        model = GridWorker
        fields = ("street", "user", "status", "employment_type", "employee_number")


class GridAssignmentFilterSet(django_filters.FilterSet):
    grid = IdFilter(field_name="grid_id")
    worker = IdFilter(field_name="worker_id")
    street = IdFilter(field_name="street_id")
    kind = django_filters.ChoiceFilter(choices=AssignmentKind.choices)
    open = django_filters.BooleanFilter(field_name="until", lookup_expr="isnull")

    class Meta:
        model = GridAssignment
        fields = ("grid", "worker", "street", "kind", "open")


class RoleAssignmentFilterSet(django_filters.FilterSet):
    user = IdFilter(field_name="user_id")
    role = django_filters.ChoiceFilter(choices=Role.choices)
    scope_type = django_filters.ChoiceFilter(choices=ScopeType.choices)
    state = django_filters.ChoiceFilter(choices=AssignmentState.choices)

    class Meta:
        model = RoleAssignment
        fields = ("user", "role", "scope_type", "state")
