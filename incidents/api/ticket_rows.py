"""The ticket list's rows read as plain values, in exactly the shape of TicketSerializer.

A page of the list is what phones ask for most. Instantiating five models per row (the
ticket and its select_related neighbours) and running thirty DRF fields over each took
most of a request's time at a million tickets; ``values()`` reads the same columns in one
query, and the few conversions DRF would make are made here. The columns are derived from
TicketSerializer itself, so the two shapes cannot drift apart (tests compare them).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import ForeignKey, QuerySet
from django.utils import timezone
from rest_framework import serializers

from incidents.api.ticket_serializers import TicketSerializer
from incidents.models import Ticket


def _columns() -> dict[str, str]:
    """Each output key of TicketSerializer and the ``values()`` path that reads it."""
    declared = TicketSerializer().fields
    columns: dict[str, str] = {}
    for name in TicketSerializer.Meta.fields:
        source = declared[name].source
        if "." in source:
            columns[name] = source.replace(".", "__")
        elif name == "id":
            columns[name] = "pk"  # the cursor pagination reads the "pk" key of a row
        else:
            model_field = Ticket._meta.get_field(source)
            columns[name] = model_field.attname if isinstance(model_field, ForeignKey) else source
    return columns


COLUMNS = _columns()
_DATETIMES = tuple(
    name
    for name, path in COLUMNS.items()
    if "__" not in path
    and path != "pk"
    and Ticket._meta.get_field(path).get_internal_type() == "DateTimeField"
)


def ticket_list_values(tickets: QuerySet[Ticket], *extra: str) -> QuerySet[dict]:
    """The list's columns of ``tickets`` as dictionaries (one query, joins for the names),
    and the ``extra`` annotations of the queryset as they are."""
    return tickets.values(*COLUMNS.values(), *extra)


def _datetime_field() -> serializers.DateTimeField:
    # DRF's own conversion (ISO 8601, "Z" for UTC), with the request's time zone looked up
    # once per page rather than once per value.
    return serializers.DateTimeField(default_timezone=timezone.get_current_timezone())


def _formatted(row: dict, datetime_field: serializers.DateTimeField) -> dict:
    for name in _DATETIMES:
        if row[name] is not None:
            row[name] = datetime_field.to_representation(row[name])
    return row


def ticket_list_rows(values: Iterable[dict], *extra: str) -> list[dict]:
    """Rows of ``ticket_list_values`` in the API's shape (TicketSerializer's keys and
    formats, then the ``extra`` keys)."""
    datetime_field = _datetime_field()
    rows = []
    for value in values:
        row = {name: value[path] for name, path in COLUMNS.items()}
        row.update((name, value[name]) for name in extra)
        rows.append(_formatted(row, datetime_field))
    return rows


def _attribute(ticket: Ticket, path: str):
    value = ticket
    for name in path.split("__"):
        value = getattr(value, name)
        if value is None:
            break
    return value


def ticket_row(ticket: Ticket) -> dict:
    """One ticket in TicketSerializer's shape, read from the instance: what a report or a
    workflow action answers. Load ``category`` and ``grid`` with it (their names are
    shown), or each costs a query."""
    row = {name: _attribute(ticket, path) for name, path in COLUMNS.items()}
    return _formatted(row, _datetime_field())
