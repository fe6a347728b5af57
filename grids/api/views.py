from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, renderers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from gridgov.api import BaseViewSet
from grids import selectors, services
from grids.api import filtersets, serializers
from grids.geojson import feature_collection
from grids.locate import locate_grid_id

GEOJSON_MAX_FEATURES = 5000


class GeoJSONRenderer(renderers.JSONRenderer):
    media_type = "application/geo+json"
    format = "geojson"


class PlaceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    BaseViewSet,
):
    """Read for every signed-in user in scope; create and edit with the model permission."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    create_service = None

    def perform_create(self, serializer):
        serializer.instance = type(self).create_service(**serializer.validated_data)
        self._etag_instance = serializer.instance  # a phone can edit what it just created

    def perform_update(self, serializer):
        serializer.instance = services.place_update(
            place=serializer.instance,
            expected_version=self._expected_version,
            **serializer.validated_data,
        )
        self._etag_instance = serializer.instance


class DistrictViewSet(PlaceViewSet):
    selector = selectors.district_list
    serializer_class = serializers.DistrictSerializer
    filterset_fields = ("code", "active")
    create_service = services.district_create


class StreetViewSet(PlaceViewSet):
    selector = selectors.street_list
    serializer_class = serializers.StreetSerializer
    filterset_class = filtersets.StreetFilterSet
    create_service = services.street_create


class CommunityViewSet(PlaceViewSet):
    selector = selectors.community_list
    serializer_class = serializers.CommunitySerializer
    filterset_class = filtersets.CommunityFilterSet
    create_service = services.community_create


class GridViewSet(PlaceViewSet):
    """Grids. ``?format=geojson`` on the list answers a FeatureCollection for maps."""

    selector = selectors.grid_list
    serializer_class = serializers.GridSerializer
    filterset_class = filtersets.GridFilterSet
    create_service = services.grid_create
    renderer_classes = [renderers.JSONRenderer, renderers.BrowsableAPIRenderer, GeoJSONRenderer]

    @extend_schema(
        responses={
            (200, "application/json"): serializers.GridSerializer(many=True),
            (200, GeoJSONRenderer.media_type): serializers.GridFeatureCollectionSerializer,
        }
    )
    def list(self, request, *args, **kwargs):
        if request.accepted_renderer.format != GeoJSONRenderer.format:
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset()).order_by("code")
        grids = list(queryset[: GEOJSON_MAX_FEATURES + 1])
        if len(grids) > GEOJSON_MAX_FEATURES:
            raise ValidationError(
                {
                    "format": _("More than %(n)d grids match: filter by street or community.")
                    % {"n": GEOJSON_MAX_FEATURES}
                }
            )
        return Response(feature_collection(grids))

    @extend_schema(
        parameters=[
            OpenApiParameter("lat", OpenApiTypes.DOUBLE, required=True),
            OpenApiParameter("lng", OpenApiTypes.DOUBLE, required=True),
        ],
        responses={200: serializers.GridSerializer},
    )
    @action(detail=False, methods=["get"], renderer_classes=[renderers.JSONRenderer])
    def locate(self, request):
        """The grid containing a point; 404 when none does."""
        query = serializers.LocateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        grid_id = locate_grid_id(query.validated_data["lat"], query.validated_data["lng"])
        grid = self.get_queryset().filter(pk=grid_id).first() if grid_id else None
        if grid is None:
            raise NotFound(_("No grid contains this point."))
        return Response(self.get_serializer(grid).data, status=status.HTTP_200_OK)


class ComponentViewSet(PlaceViewSet):
    selector = selectors.component_list
    serializer_class = serializers.ComponentSerializer
    filterset_class = filtersets.ComponentFilterSet
    create_service = services.component_create

    def perform_update(self, serializer):
        serializer.instance = services.component_update(
            component=serializer.instance,
            expected_version=self._expected_version,
            **serializer.validated_data,
        )
        self._etag_instance = serializer.instance
