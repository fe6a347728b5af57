"""API of proposals and needs: raising (any signed-in person), supporting (once per person,
by id: proposals are public matters) and the official answer (keepers of the community).

An answer may carry ``If-Match`` with the proposal's ETag (a stale one is 412); without
it, the answer applies to the proposal as it is now.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from gridgov.api import BaseViewSet
from gridgov.filters import FilterSet
from participation.api import proposals_serializers as s
from participation.choices import ProposalKind, ProposalStatus
from participation.models import Proposal
from participation.selectors import proposals as selectors
from participation.selectors.common import keeper_places, keeps
from participation.services import proposals as services


class ProposalFilterSet(FilterSet):
    status = django_filters.ChoiceFilter(choices=ProposalStatus.choices)
    kind = django_filters.ChoiceFilter(choices=ProposalKind.choices)

    class Meta:
        model = Proposal
        fields = ("community", "grid", "organisation", "status", "kind")


class ProposalViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, BaseViewSet
):
    """Proposals and needs of the places the caller works in, the caller's own and those
    the caller supports. Raising and supporting need only a sign-in; answering needs to
    keep the proposal's community."""

    selector = selectors.proposal_list
    filterset_class = ProposalFilterSet
    permission_classes = [permissions.IsAuthenticated]
    http_method_names = ["get", "post", "head", "options"]

    def get_serializer_class(self):
        if self.action in ("retrieve", "answer"):
            return s.ProposalDetailSerializer
        return s.ProposalSerializer

    def get_queryset(self):
        if self.action == "support":
            return selectors.supportable_proposals(user=self.request.user)
        queryset = super().get_queryset()
        if self.action in ("retrieve", "answer"):
            return queryset.prefetch_related("answers__answered_by", "answers__ticket")
        return queryset

    def get_serializer_context(self) -> dict:
        if not hasattr(self, "_places"):  # once per request, not once per row
            self._places = keeper_places(self.request.user)
        return {**super().get_serializer_context(), "places": self._places}

    def _detail(self, pk: int) -> Proposal:
        proposal = get_object_or_404(self.get_queryset(), pk=pk)
        self._etag_instance = proposal
        return proposal

    @extend_schema(request=s.ProposalCreateSerializer, responses={201: s.ProposalSerializer})
    def create(self, request, *args, **kwargs) -> Response:
        """Raise a proposal or need of a community, for oneself or on behalf of an
        organisation one is a contact or volunteer of."""
        body = s.ProposalCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        proposal = services.proposal_raise(author=request.user, **body.validated_data)
        proposal = self._detail(proposal.pk)
        return Response(self.get_serializer(proposal).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: s.ProposalSerializer})
    @action(detail=True, methods=["post"])
    def support(self, request, pk=None) -> Response:
        """Support this proposal (once per person; not one's own; while it is open or in
        progress)."""
        proposal = self.get_object()
        services.proposal_support(proposal=proposal, user=request.user)
        proposal = self._detail(proposal.pk)
        return Response(self.get_serializer(proposal).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.ProposalAnswerInputSerializer, responses={200: s.ProposalDetailSerializer}
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None) -> Response:
        """Answer officially: in progress, accepted (optionally making a case or an
        activity) or declined with a reason. The author is notified."""
        proposal = self.get_object()
        if not keeps(request.user, proposal, places=self.get_serializer_context()["places"]):
            raise PermissionDenied(_("Only keepers of the community answer its proposals."))
        body = s.ProposalAnswerInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        expected = proposal.version
        if request.headers.get("If-Match"):
            expected = self.expected_version(proposal)
        services.proposal_answer(
            proposal=proposal,
            answered_by=request.user,
            expected_version=expected,
            **body.validated_data,
        )
        proposal = self._detail(proposal.pk)
        return Response(self.get_serializer(proposal).data)
