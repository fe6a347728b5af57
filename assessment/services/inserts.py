"""Rows the database writes from a query of its own (INSERT … SELECT), for the rollup tables
that take tens of thousands of rows a day: nothing passes through Python."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.db.models import Model, QuerySet


def insert_select(model: type[Model], rows: QuerySet, names: Sequence[str]) -> int:
    """Insert into ``model``'s table the rows of ``rows``, a ``values()`` query whose
    column ``row_<name>`` holds each attribute of ``names``; returns how many."""
    sql, params = rows.query.sql_with_params()
    quote = connection.ops.quote_name
    column_of = {field.attname: field.column for field in model._meta.concrete_fields}
    columns = ", ".join(quote(column_of[name]) for name in names)
    picked = ", ".join(quote(f"row_{name}") for name in names)
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {picked} FROM ({sql}) selected",  # noqa: S608
            params,
        )
        return cursor.rowcount
