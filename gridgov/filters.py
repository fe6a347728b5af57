"""Filtering defaults for every API list: time filters that the database always accepts.

A time such as ``0052-08-31T11:22:11-20:12`` parses in Python but PostgreSQL refuses its
offset (a 500). Times in filters are therefore turned into UTC while the form is cleaned, and
one that cannot be is a 400 naming the parameter. Filtersets derive from :class:`FilterSet`;
``filterset_fields`` on a view get it through :class:`FilterBackend`. Likewise an id beyond
what a key column holds is a 400 (:class:`IdFilter`), not an overflow in the database driver.
"""

from __future__ import annotations

from datetime import UTC

import django_filters
from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend

MAX_ID = 2**63 - 1  # the largest primary key a database here stores


class IdFilter(django_filters.NumberFilter):
    """A filter on an id: a number from 1 to :data:`MAX_ID`; another is a 400."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class UTCDateTimeField(forms.DateTimeField):
    """An ISO 8601 date-time, returned in UTC."""

    def to_python(self, value):
        result = super().to_python(value)
        if result is None or result.tzinfo is None:
            return result
        try:
            return result.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError(_("This time is out of range."), code="invalid") from None


class UTCDateTimeFilter(django_filters.DateTimeFilter):
    field_class = UTCDateTimeField


class FilterSet(django_filters.rest_framework.FilterSet):
    """django-filter's FilterSet with UTC date-time filters."""

    FILTER_DEFAULTS = {
        **django_filters.rest_framework.FilterSet.FILTER_DEFAULTS,
        models.DateTimeField: {"filter_class": UTCDateTimeFilter},
    }


class FilterBackend(DjangoFilterBackend):
    """DjangoFilterBackend building ``filterset_fields`` filtersets on :class:`FilterSet`."""

    filterset_base = FilterSet
