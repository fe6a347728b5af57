"""The public landing page and a community's public page: its proposals and their official
answers, its upcoming activities and a link to its public accounts. Nothing that names a
person is shown (authors, answerers and volunteers stay out)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from grids.models import Community
from participation.public.report_forms import FollowForm
from participation.selectors.community import public_activity_list
from participation.selectors.proposals import public_proposal_list

PAGE_SIZE = 50
SHOWN = 20


@require_safe
def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "public/landing.html", {"follow_form": FollowForm()})


@require_safe
def community_picker(request: HttpRequest) -> HttpResponse:
    """Active communities by street, optionally those whose name contains ``q``."""
    query = request.GET.get("q", "").strip()[:50]
    communities = Community.objects.filter(active=True).select_related("street")
    if query:
        communities = communities.filter(name__icontains=query)
    page = Paginator(communities.order_by("street__code", "code"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "public/communities.html", {"page": page, "query": query})


@require_safe
def community_page(request: HttpRequest, community_id: int) -> HttpResponse:
    community = get_object_or_404(
        Community.objects.select_related("street"), pk=community_id, active=True
    )
    context = {
        "community": community,
        "proposals": list(public_proposal_list(community=community)[:SHOWN]),
        "activities": list(public_activity_list(community=community)[:SHOWN]),
    }
    return render(request, "public/community.html", context)
