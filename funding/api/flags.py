"""The irregular-use flags API: flags of the books the caller reads (finance officers,
supervisors, administrators), resolved with a note, and the checks run on demand."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from funding import selectors
from funding.api import serializers as s
from funding.api.permissions import ChangePermission
from funding.models import Flag
from funding.services.checks import flag_resolve, funding_checks_run
from gridgov.api import BaseViewSet
from gridgov.filters import FilterSet


class FlagFilterSet(FilterSet):
    class Meta:
        model = Flag
        fields = {
            "kind": ["exact"],
            "status": ["exact"],
            "street": ["exact"],
            "community": ["exact"],
            "grid": ["exact"],
            "request": ["exact"],
            "transaction": ["exact"],
            "detected_at": ["gte", "lte"],
        }


class FlagViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Findings of the irregular-use checks, newest first; never deleted."""

    selector = selectors.flag_list
    serializer_class = s.FlagSerializer
    filterset_class = FlagFilterSet

    @extend_schema(request=s.FlagResolveSerializer, responses={200: s.FlagSerializer})
    @action(detail=True, methods=["post"], permission_classes=[ChangePermission])
    def resolve(self, request, pk=None):
        """Resolve the flag with a note (once)."""
        flag = self.get_object()
        body = s.FlagResolveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        flag = flag_resolve(flag=flag, by=request.user, note=body.validated_data["note"])
        return Response(self.get_serializer(flag).data)

    @extend_schema(request=None, responses={200: s.CheckCountsSerializer})
    @action(detail=False, methods=["post"], permission_classes=[ChangePermission])
    def run(self, request):
        """Run the checks now over the caller's books; answers how many new flags each kind
        got (re-running raises nothing twice)."""
        counts = funding_checks_run(by=request.user)
        return Response(s.CheckCountsSerializer(counts).data)


router = SimpleRouter(trailing_slash=True)
router.register("flags", FlagViewSet, basename="funding-flag")

urlpatterns = router.urls
