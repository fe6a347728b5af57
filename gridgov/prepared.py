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
import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators
from django.db.models.sql import Query

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


# Stand-ins for the arguments of a query the ORM writes: values no argument takes (ids are
# positive, coordinates within ±180, times after 1900, and these strings are no choice of
# any field), integers within PostgreSQL's range so that the ORM keeps them as parameters
# rather than folding a lookup away.
_FIRST_INT_STAND_IN = -2_000_000_000
_FIRST_TIME_STAND_IN = datetime(1900, 1, 1, tzinfo=UTC)
_MOST_SHAPES_KEPT = 1024
_written: dict[Hashable, tuple[str, tuple, dict[Any, str]]] = {}
_writing = threading.Lock()


def _stand_in(index: int, value: Any) -> Any:
    if isinstance(value, bool):
        raise TypeError("no stand-in for a bool argument")
    if isinstance(value, int):
        return _FIRST_INT_STAND_IN - index
    if isinstance(value, float):
        return _FIRST_INT_STAND_IN - index - 0.5
    if isinstance(value, str):
        return f"<argument {index}>"
    if isinstance(value, datetime):
        return _FIRST_TIME_STAND_IN + timedelta(seconds=index)
    raise TypeError(f"no stand-in for a {type(value).__name__} argument")


def _as_parameter(connection, value: Any) -> Any:
    """``value`` as the ORM passes it to the driver (date-times are text on SQLite)."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def _write(
    connection,
    key: Hashable,
    build: Callable[..., QuerySet],
    arguments: dict,
    compile_: Callable[[QuerySet], tuple[str, tuple, Any]],
):
    written = _written.get(key)
    if written is not None:
        return written
    stand_ins = {
        argument: _stand_in(index, value if value is not None else 0)
        for index, (argument, value) in enumerate(arguments.items())
    }
    sql, params, reading = compile_(build(**stand_ins))
    slots = {_as_parameter(connection, value): name for name, value in stand_ins.items()}
    if unused := set(slots) - set(params):
        raise ValueError(f"{key[0]}: the ORM wrote no parameter for {sorted(map(str, unused))}")
    with _writing:
        if len(_written) >= _MOST_SHAPES_KEPT:
            _written.clear()
        return _written.setdefault(key, (sql, params, slots, reading))


def _run(name: str, written: tuple, shape: Hashable, arguments: dict) -> list[tuple]:
    """The rows of a written query run with the real ``arguments`` in their stand-ins'
    places: prepared without a ``shape``, plain SQL with one (see ``query_rows``)."""
    connection = connections[DEFAULT_DB_ALIAS]
    sql, params, slots, _ = written
    values = [
        _as_parameter(connection, arguments[slots[value]])
        if isinstance(value, Hashable) and value in slots
        else value
        for value in params
    ]
    if shape is not None:
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            return cursor.fetchall()
    return fetch_all(name, sql, values)


def _plain_sql(queryset: QuerySet) -> tuple[str, tuple, None]:
    return (*queryset.query.sql_with_params(), None)


def query_rows(
    name: str, build: Callable[..., QuerySet], *, shape: Hashable = None, **arguments: Any
) -> list[tuple]:
    """The rows of ``build(**arguments)``, a ``values_list`` queryset, with its SQL written
    by the ORM once per process from stand-in arguments whose places among the parameters
    the real ones then take: a request does not pay for building the query.

    Arguments are ints, floats, strings and date-times (a None is passed as it is). The
    rows are as the driver reads them: the columns should be ones it reads as Python values
    on every database (numbers and text).

    Without ``shape``, ``name`` stands for one query whatever the arguments, and it runs as
    a prepared statement (``fetch_all``): PostgreSQL plans it once per session. ``shape``
    (hashable) names what else the SQL depends on, a user's scope say; each shape is
    written once (up to 1,024 are kept) and runs as plain SQL, as a statement prepared per
    shape would pile up in every session."""
    connection = connections[DEFAULT_DB_ALIAS]
    key = (name, connection.vendor, shape)
    return _run(name, _write(connection, key, build, arguments, _plain_sql), shape, arguments)


@dataclass(frozen=True)
class _Instances:
    """What Django's ModelIterable reads off a compiled query to build instances: the
    selected expressions (for the converters), the model's own columns among them and a
    populator per ``select_related`` neighbour (they keep no state between rows)."""

    query: Query
    selected: list
    model: type[Model]
    own_fields: list[str]
    own_columns: slice
    neighbours: list


def _instances_sql(queryset: QuerySet) -> tuple[str, tuple, _Instances]:
    query = queryset.query
    if query.deferred_loading != (frozenset(), True) or query.annotations or query.extra:
        # Their columns sit where instances' fields are read from: the ORM's own path only.
        raise ValueError("query_instances reads whole rows: no only(), defer() or annotations")
    compiler = query.get_compiler(DEFAULT_DB_ALIAS)
    sql, params = compiler.as_sql()
    select, klass_info = compiler.select, compiler.klass_info
    columns = klass_info["select_fields"]
    own = slice(columns[0], columns[-1] + 1)
    reading = _Instances(
        query=queryset.query,
        selected=[column[0] for column in select[: compiler.col_count]],
        model=klass_info["model"],
        own_fields=[column[0].target.attname for column in select[own]],
        own_columns=own,
        neighbours=get_related_populators(klass_info, select, DEFAULT_DB_ALIAS),
    )
    return sql, tuple(params), reading


def query_instances(
    name: str, build: Callable[..., QuerySet], *, shape: Hashable = None, **arguments: Any
) -> list[Model]:
    """The instances of ``build(**arguments)``, a model queryset (``select_related``
    neighbours included), with its SQL written once as ``query_rows`` writes it: for the
    few rows a request reads by key, where compiling the query (joins, dozens of columns)
    cost more than running it. Values pass the fields' converters as the ORM's own
    iteration would. A ``build`` using ``only()``, ``defer()`` or annotations is refused
    (ValueError)."""
    connection = connections[DEFAULT_DB_ALIAS]
    key = (name, connection.vendor, shape, "instances")
    written = _write(connection, key, build, arguments, _instances_sql)
    rows = _run(name, written, shape, arguments)
    reading: _Instances = written[3]
    compiler = reading.query.get_compiler(DEFAULT_DB_ALIAS)
    if converters := compiler.get_converters(reading.selected):
        rows = compiler.apply_converters(rows, converters)
    instances = []
    for row in rows:
        instance = reading.model.from_db(
            DEFAULT_DB_ALIAS, reading.own_fields, row[reading.own_columns]
        )
        for neighbour in reading.neighbours:
            neighbour.populate(row, instance)
        instances.append(instance)
    return instances
