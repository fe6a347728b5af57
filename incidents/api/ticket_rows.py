"""The ticket list's rows read as plain values, in exactly the shape of TicketSerializer.

A page of the list is what phones ask for most. Instantiating five models per row (the
ticket and its select_related neighbours) and running thirty DRF fields over each took
most of a request's time at a million tickets; ``values()`` reads the same columns in one
query, and the few conversions DRF would make are made here. The columns are derived from
TicketSerializer itself, so the two shapes cannot drift apart (tests compare them).

The names of related rows (the category's name, the grid's code) are joined in, except for
pages sorted by something other than the ticket's key (``names_after_sort``): there each
name is read by a subquery, which PostgreSQL runs for the page's rows only, after sorting.
With joins it misjudged a worker's queue of two thousand open tasks as a few dozen rows and
compared each with every category (24 ms a page at a million tickets, 10 without). The
newest-first list stops after a page of the key's index, so joins cost it nothing, and
building subqueries would cost it a millisecond of Python.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime, tzinfo

from django.db.models import Expression, F, ForeignKey, OuterRef, QuerySet, Subquery
from django.utils import timezone

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


def _related_value(path: str) -> Subquery:
    """The value at ``path`` ("category__name") read by a subquery on the ticket's key."""
    relation, field = path.split("__")
    related = Ticket._meta.get_field(relation).related_model
    return Subquery(related.objects.filter(pk=OuterRef(f"{relation}_id")).values(field)[:1])


# Each related path and the annotation that reads it ("category__name" → "category_name").
_RELATED = {path: path.replace("__", "_") for path in COLUMNS.values() if "__" in path}
_KEYS = {name: _RELATED.get(path, path) for name, path in COLUMNS.items()}
_OWN = [path for path in COLUMNS.values() if path not in _RELATED]


@functools.cache
def ticket_list_base() -> QuerySet[dict]:
    """Every ticket as the list's rows, built once per process and narrowed per request
    (by ``selectors.ticket_list(tickets=...)``, filters and the page). Built afresh, the
    ``values()`` columns cost a tenth of a list request, and the compiler hashed each new
    column again to match the ordering with the selected columns; shared, each column's
    hash is kept. Never evaluated itself: every use chains a copy."""
    return ticket_list_values(Ticket.objects.all())


def ticket_list_values(
    tickets: QuerySet[Ticket], *extra: str, names_after_sort: bool = False
) -> QuerySet[dict]:
    """The list's columns of ``tickets`` as dictionaries (one query), and the ``extra``
    annotations of the queryset as they are; ``names_after_sort`` reads the related names
    by subqueries (see the module docstring)."""
    names: dict[str, Expression] = {
        alias: _related_value(path) if names_after_sort else F(path)
        for path, alias in _RELATED.items()
    }
    return tickets.values(*_OWN, *extra, **names)


def _iso_datetime(value: datetime, zone: tzinfo) -> str:
    """``value`` as DRF's DateTimeField writes it by default: ISO 8601 in ``zone``, "Z" for
    UTC. Written out because the field's checks, for naive and overflowing values that a
    time-zone-aware database never returns, took more than half of formatting a page (two
    hundred date-times); tests compare every row with TicketSerializer's."""
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _formatted(row: dict, zone: tzinfo) -> dict:
    for name in _DATETIMES:
        if row[name] is not None:
            row[name] = _iso_datetime(row[name], zone)
    return row


def ticket_list_rows(values: Iterable[dict], *extra: str) -> list[dict]:
    """Rows of ``ticket_list_values`` in the API's shape (TicketSerializer's keys and
    formats, then the ``extra`` keys)."""
    zone = timezone.get_current_timezone()  # the request's, looked up once per page
    keys = [*_KEYS.items(), *((name, name) for name in extra)]
    return [_formatted({name: value[key] for name, key in keys}, zone) for value in values]


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
    return _formatted(row, timezone.get_current_timezone())
