"""Where participation rows belong: the community and the street and district above it,
copied so that the selectors filter by scope without a join."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from grids.models import Community, District, Street


class InCommunity(models.Model):
    """A row of one community; ``street`` and ``district`` are the community's, kept in
    step by the services (``place_in``)."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, editable=False, verbose_name=_("community")
    )
    street = models.ForeignKey(Street, on_delete=models.PROTECT, editable=False)
    district = models.ForeignKey(District, on_delete=models.PROTECT, editable=False)

    class Meta:
        abstract = True


class InStreet(models.Model):
    """A row of one street (organisations, rewards, surveys); ``district`` is the street's."""

    street = models.ForeignKey(Street, on_delete=models.PROTECT, verbose_name=_("street"))
    district = models.ForeignKey(District, on_delete=models.PROTECT, editable=False)

    class Meta:
        abstract = True
