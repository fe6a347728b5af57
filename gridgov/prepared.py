"""Server-side prepared statements for the fixed queries every API request runs.

Every request reads its caller's scope with the same five-branch UNION, and PostgreSQL
spent longer planning it than running it (about 0.7 of 1.0 ms at a million tickets). A
statement prepared once per database session is planned once and then only executed.

A prepared statement lives as long as its session (it survives rollbacks) and is private
to it, so it pays only where sessions are kept: it is skipped when ``CONN_MAX_AGE`` is 0,
and ``DATABASE_PREPARED_STATEMENTS=0`` turns it off behind a pooler in transaction mode
(PgBouncer ``pool_mode=transaction``), which hands each transaction a session that may
never have seen the statement.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

_PLACEHOLDER = re.compile(r"%s|%%")


def _numbered(sql: str) -> str:
    """``sql`` with psycopg2's ``%s`` placeholders as PostgreSQL's ``$1, $2, …``."""
    count = 0

    def number(match: re.Match) -> str:
        nonlocal count
        if match.group() == "%%":
            return "%"
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(number, sql)


def _enabled(connection) -> bool:
    return (
        connection.vendor == "postgresql"
        and settings.DATABASE_PREPARED_STATEMENTS
        and connection.settings_dict["CONN_MAX_AGE"] != 0
    )


def fetch_all(name: str, sql: str, params: Sequence) -> list[tuple]:
    """The rows of ``sql`` (``%s`` placeholders, one per param) run as the prepared
    statement ``name`` on PostgreSQL, prepared on first use in each session; elsewhere,
    or when turned off, the plain query. ``name`` must stand for one ``sql`` only."""
    # The thread's own wrapper, not the shared ``django.db.connection`` proxy: what was
    # prepared is remembered per session, and each thread has its own.
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        if not _enabled(connection):
            cursor.execute(sql, params)
            return cursor.fetchall()
        session = connection.connection
        prepared = getattr(connection, "gridgov_prepared", None)
        if prepared is None or prepared[0] is not session:
            prepared = (session, set())
            connection.gridgov_prepared = prepared
        if name not in prepared[1]:
            # On the driver's cursor, like Django's own session set-up: the PREPARE belongs
            # to the session, not to a request, and query counts must not depend on which
            # request comes first in a session.
            cursor.cursor.execute(f"PREPARE {name} AS {_numbered(sql)}")
            prepared[1].add(name)
        cursor.execute(f"EXECUTE {name}({', '.join(['%s'] * len(params))})", params)
        return cursor.fetchall()


# Stand-ins for the arguments of a statement the ORM writes: values no argument takes (ids
# are positive, and these strings are no choice of any field), within PostgreSQL's integer
# range so that the ORM keeps them as parameters rather than folding a lookup away.
_FIRST_INT_STAND_IN = -2_000_000_000
_written: dict[tuple[str, str], tuple[str, tuple, dict[Any, str]]] = {}


def _stand_in(index: int, value: Any) -> int | str:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"no stand-in for a {type(value).__name__} argument")
    return _FIRST_INT_STAND_IN - index if isinstance(value, int) else f"<argument {index}>"


def query_rows(name: str, build: Callable[..., QuerySet], **arguments: int | str) -> list[tuple]:
    """The rows of ``build(**arguments)``, a ``values_list`` queryset, run as the prepared
    statement ``name`` (``fetch_all``). The ORM writes its SQL once per process, from
    stand-in arguments whose places among the parameters the real ones then take, so a
    request pays neither for building the query nor, on PostgreSQL, for planning it.

    ``name`` must stand for one shape of query, whatever the arguments (ints and strings;
    a None is passed as it is). The rows are as the driver reads them: the columns should
    be ones it reads as Python values on every database (numbers and text)."""
    connection = connections[DEFAULT_DB_ALIAS]
    written = _written.get((name, connection.vendor))
    if written is None:
        stand_ins = {
            argument: _stand_in(index, value if value is not None else 0)
            for index, (argument, value) in enumerate(arguments.items())
        }
        sql, params = build(**stand_ins).query.sql_with_params()
        slots = {value: argument for argument, value in stand_ins.items()}
        if unused := set(slots) - set(params):
            raise ValueError(f"{name}: the ORM wrote no parameter for {sorted(map(str, unused))}")
        written = _written.setdefault((name, connection.vendor), (sql, params, slots))
    sql, params, slots = written
    values = [
        arguments[slots[value]] if isinstance(value, int | str) and value in slots else value
        for value in params
    ]
    return fetch_all(name, sql, values)
