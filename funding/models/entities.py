"""The books' owner: a street, a community or a grid, carried on every row of the books
with its whole place chain so that selectors filter by indexed columns."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from funding.choices import EntityKind
from grids.models import Community, District, Grid, Street


class EntityOwned(models.Model):
    """Rows owned by one entity: ``entity_key`` (``S12``, ``C34``, ``G56``) names it in one
    column for unique keys; the place foreign keys scope reads."""

    entity_key = models.CharField(_("entity"), max_length=24, editable=False, db_index=True)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def entity_kind(self) -> str:
        if self.grid_id:
            return EntityKind.GRID
        return EntityKind.COMMUNITY if self.community_id else EntityKind.STREET

    def set_entity(self, entity: Street | Community | Grid) -> None:
        """Own the row by ``entity`` and copy its place chain."""
        if isinstance(entity, Grid):
            self.grid, self.community_id = entity, entity.community_id
            self.street_id, self.district_id = entity.street_id, entity.district_id
            self.entity_key = f"G{entity.pk}"
        elif isinstance(entity, Community):
            self.grid, self.community = None, entity
            self.street_id, self.district_id = entity.street_id, entity.street.district_id
            self.entity_key = f"C{entity.pk}"
        elif isinstance(entity, Street):
            self.grid = self.community = None
            self.street, self.district_id = entity, entity.district_id
            self.entity_key = f"S{entity.pk}"
        else:
            raise ValidationError(_("Books belong to a street, a community or a grid."))

    @property
    def entity(self) -> Street | Community | Grid:
        return self.grid or self.community or self.street


def entity_key(entity: Street | Community | Grid) -> str:
    prefix = {Grid: "G", Community: "C", Street: "S"}[type(entity)]
    return f"{prefix}{entity.pk}"


def entity_from_key(key: str) -> Street | Community | Grid | None:
    """The street, community or grid an entity key (``S12``, ``C34``, ``G56``) names, or
    None when the key names nothing."""
    model = {"S": Street, "C": Community, "G": Grid}.get(key[:1])
    if model is None or not key[1:].isdigit():
        return None
    return model.objects.filter(pk=int(key[1:])).first()
