from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from grids import geometry
from grids.choices import GridKind
from grids.models import Community, Component, ComponentType, District, Grid, Street

PLACE_READ_ONLY = (
    "id",
    "centroid_lat",
    "centroid_lng",
    "bbox",
    "area_m2",
    "version",
    "created_at",
    "updated_at",
)
PLACE_FIELDS = ("name", "name_en", "active", "boundary", *PLACE_READ_ONLY)


class BoundaryField(serializers.JSONField):
    """A GeoJSON Polygon or MultiPolygon, checked with messages that say what to fix."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value is None:
            return None
        try:
            geometry.parse_boundary(value)
        except geometry.BoundaryError as exc:
            raise serializers.ValidationError(exc.messages) from None
        return value


class PlaceSerializer(serializers.ModelSerializer):
    boundary = BoundaryField(required=False, allow_null=True)


class GridFeaturePropertiesSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    kind = serializers.ChoiceField(choices=GridKind.choices)
    population = serializers.IntegerField()
    households = serializers.IntegerField()
    buildings = serializers.IntegerField()
    active = serializers.BooleanField()
    area_m2 = serializers.FloatField(allow_null=True)
    community_code = serializers.CharField()
    community_name = serializers.CharField()
    street_code = serializers.CharField()
    street_name = serializers.CharField()


class GridFeatureSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="Feature")
    id = serializers.IntegerField()
    geometry = serializers.JSONField(help_text=_("A GeoJSON Polygon or MultiPolygon"))
    properties = GridFeaturePropertiesSerializer()


@extend_schema_serializer(many=False)  # one collection, not a page of them
class GridFeatureCollectionSerializer(serializers.Serializer):
    """Grids as a GeoJSON FeatureCollection, for maps (the list with ``?format=geojson``)."""

    type = serializers.CharField(help_text="FeatureCollection")
    features = GridFeatureSerializer(many=True)


class DistrictSerializer(PlaceSerializer):
    class Meta:
        model = District
        fields = ("code", *PLACE_FIELDS)
        read_only_fields = PLACE_READ_ONLY


class StreetSerializer(PlaceSerializer):
    class Meta:
        model = Street
        fields = ("code", "district", *PLACE_FIELDS)
        read_only_fields = PLACE_READ_ONLY


class CommunitySerializer(PlaceSerializer):
    class Meta:
        model = Community
        fields = ("code", "street", "kind", *PLACE_FIELDS)
        read_only_fields = PLACE_READ_ONLY


class GridSerializer(PlaceSerializer):
    boundary = BoundaryField()
    community_code = serializers.CharField(source="community.code", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    street_name = serializers.CharField(source="street.name", read_only=True)

    class Meta:
        model = Grid
        fields = (
            "code",
            "community",
            "community_code",
            "community_name",
            "street",
            "street_name",
            "district",
            "kind",
            "population",
            "households",
            "buildings",
            *PLACE_FIELDS,
        )
        read_only_fields = ("street", "district", *PLACE_READ_ONLY)


class ComponentTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ComponentType
        fields = ("id", "major_class", "minor_class", "name", "name_en")


class ComponentSerializer(serializers.ModelSerializer):
    type = ComponentTypeSerializer(read_only=True)
    grid_code = serializers.CharField(source="grid.code", read_only=True)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lng = serializers.FloatField(min_value=-180, max_value=180)

    class Meta:
        model = Component
        fields = (
            "id",
            "code",
            "type",
            "grid",
            "grid_code",
            "name",
            "lat",
            "lng",
            "address",
            "owner",
            "maintainer",
            "state",
            "active",
            "version",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "type", "grid", "version", "created_at", "updated_at")


class LocateQuerySerializer(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90, help_text=_("Latitude (WGS84)"))
    lng = serializers.FloatField(min_value=-180, max_value=180, help_text=_("Longitude (WGS84)"))
