"""What the finance pages share: which books the user may pick and keep, paging, and
running a service from a form so that its refusal shows on the form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from funding.forms import errors_onto
from funding.models.entities import entity_from_key
from funding.selectors import KEEPER_ROLES, books_scope, keeps_books
from grids.models import Community, Grid, Street

PAGE_SIZE = 25
books_page = login_required


def keeper_entities(user) -> list[tuple[str, str]]:
    """(entity key, label) of the streets and communities whose books the user keeps."""
    scope = books_scope(user, roles=KEEPER_ROLES)
    if scope.empty:
        return []
    streets = Street.objects.all()
    if not scope.is_global:
        streets = streets.filter(Q(district_id__in=scope.district_ids) | Q(pk__in=scope.street_ids))
    communities = Community.objects.filter(
        Q(street__in=streets.values("pk")) | Q(pk__in=scope.community_ids)
    )
    entities = [(f"S{s.pk}", f"{s.code} {s.name}") for s in streets.order_by("code")]
    entities += [(f"C{c.pk}", f"{c.code} {c.name}") for c in communities.order_by("code")]
    return entities


def picked_entity(key: str | None) -> Street | Community | Grid:
    """The entity a page's ``entity`` parameter names (404 for a key that names nothing)."""
    entity = entity_from_key(key or "")
    if entity is None:
        raise Http404
    return entity


def keeps(user, entity: Street | Community | Grid) -> bool:
    """Whether the user keeps ``entity``'s books."""
    community_id = entity.pk if isinstance(entity, Community) else None
    if isinstance(entity, Grid):
        community_id = entity.community_id
    street_id = entity.pk if isinstance(entity, Street) else entity.street_id
    district_id = (
        entity.district_id if isinstance(entity, Street | Grid) else entity.street.district_id
    )
    return keeps_books(
        user, district_id=district_id, street_id=street_id, community_id=community_id
    )


def page_of(request: HttpRequest, rows: QuerySet) -> Page:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def submitted(form: forms.Form, step: Callable[[dict], Any]) -> Any | None:
    """Run ``step`` with the form's cleaned data; None, with the reasons on the form, when
    the form or the service refuses (the service wrote nothing then). A refusal of the
    user, not of the input, stays a PermissionDenied: a 403."""
    if not form.is_valid():
        return None
    try:
        return step(form.cleaned_data)
    except ValidationError as refusal:
        errors_onto(form, refusal)
    return None
