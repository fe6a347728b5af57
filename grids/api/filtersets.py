import django_filters

from gridgov.filters import IdFilter
from grids.choices import ComponentMajorClass
from grids.models import Community, Component, Grid, Street


class StreetFilterSet(django_filters.FilterSet):
    class Meta:
        model = Street
        fields = ("district", "code", "active")


class CommunityFilterSet(django_filters.FilterSet):
    class Meta:
        model = Community
        fields = ("street", "code", "kind", "active")


class GridFilterSet(django_filters.FilterSet):
    code_prefix = django_filters.CharFilter(field_name="code", lookup_expr="startswith")

    class Meta:
        model = Grid
        fields = ("district", "street", "community", "code", "kind", "active")


class ComponentFilterSet(django_filters.FilterSet):
    major_class = django_filters.ChoiceFilter(
        field_name="type__major_class", choices=ComponentMajorClass.choices
    )
    street = IdFilter(field_name="grid__street")

    class Meta:
        model = Component
        fields = ("grid", "type", "state", "active", "major_class", "street")
