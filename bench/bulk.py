"""Bulk writing of the benches' synthetic rows: COPY on PostgreSQL (foreign-key triggers
skipped where the role may, ``synchronous_commit`` off for the seeding transactions only),
batched INSERTs elsewhere; a second thread sending one batch while the next is built; the
secondary indexes of a large load rebuilt once at the end; and a progress bar."""

from __future__ import annotations

import io
import json
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from typing import Any

REBUILD_AT = 100_000  # rows from which a load drops its secondary indexes and rebuilds them

_SPECIAL = re.compile(r"[\\\t\n\r]")
_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _copy_text(value: Any) -> str:
    kind = type(value)
    if kind is int or kind is float:  # the most common cells first (bool is not int here)
        return str(value)
    if value is None:
        return r"\N"
    if kind is bool:
        return "t" if value else "f"
    if kind is datetime:
        return value.isoformat()
    text = json.dumps(value, ensure_ascii=False) if kind is dict else str(value)
    if _SPECIAL.search(text):
        text = _SPECIAL.sub(lambda m: _ESCAPES[m.group()], text)
    return text


class Progress:
    """A progress bar of a long write: one line redrawn on a terminal, a line per tenth
    elsewhere (logs, CI); each with the rate so far and the time left."""

    WIDTH = 30

    def __init__(self, total: int, unit: str = "tickets") -> None:
        self.total, self.unit = max(total, 1), unit
        self.started = time.perf_counter()
        self.tty = sys.stdout.isatty()
        self.shown = -1

    def update(self, done: int, extra: str = "") -> None:
        elapsed = time.perf_counter() - self.started
        rate = done / elapsed if elapsed else 0.0
        left = (self.total - done) / rate if rate else 0.0
        filled = self.WIDTH * done // self.total
        line = (
            f"  [{'#' * filled}{'.' * (self.WIDTH - filled)}] {done:,} / {self.total:,} "
            f"{self.unit}, {rate:,.0f}/s, {elapsed:,.0f} s, ~{left:,.0f} s left{extra}"
        )
        if self.tty:
            end = "\n" if done >= self.total else ""
            print(f"\r{line}\033[K", end=end, flush=True)
        elif done * 10 // self.total > self.shown or done >= self.total:
            self.shown = done * 10 // self.total
            print(line, flush=True)


class Writer:
    """Appends rows (tuples in ``columns`` order, by attname) to a model's table: COPY on
    PostgreSQL, batched INSERTs elsewhere. ``Writer.database_s`` adds up the time spent in
    the database calls (the rest of a seeding is Python building rows)."""

    database_s = 0.0

    def __init__(self, model, columns: list[str]) -> None:
        from django.db import connection

        self.connection = connection
        fields = {f.attname: f for f in model._meta.concrete_fields}
        quote = connection.ops.quote_name
        self.table = quote(model._meta.db_table)
        self.names = ", ".join(quote(fields[name].column) for name in columns)
        self.postgres = connection.vendor == "postgresql"
        self.fields = [fields[name] for name in columns]
        self.superuser = False
        if self.postgres:
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_setting('is_superuser') = 'on'")
                self.superuser = cursor.fetchone()[0]

    def prepare(self, rows: list[tuple]) -> Any:
        """What ``send`` sends (Python work only): COPY text, or adapted rows."""
        if not rows:
            return None
        if self.postgres:
            return "".join("\t".join(map(_copy_text, row)) + "\n" for row in rows)
        return [
            [
                field.get_db_prep_value(value, self.connection)
                for field, value in zip(self.fields, row, strict=True)
            ]
            for row in rows
        ]

    def send(self, payload: Any) -> None:
        """Write one prepared batch in one transaction (the database work only)."""
        from django.db import transaction

        if payload is None:
            return
        started = time.perf_counter()
        with transaction.atomic(), self.connection.cursor() as cursor:
            if self.postgres:
                # Seeding only: a crash may lose the last batches, which a re-run rewrites.
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
                if self.superuser:
                    # The generator's rows reference rows it read: skip the foreign-key
                    # triggers (one look-up per key and row, most of a COPY's time).
                    cursor.execute("SET LOCAL session_replication_role TO replica")
                sql = f"COPY {self.table} ({self.names}) FROM STDIN"
                cursor.copy_expert(sql, io.StringIO(payload))
            else:
                marks = ", ".join(["%s"] * len(self.fields))
                cursor.executemany(
                    f"INSERT INTO {self.table} ({self.names}) VALUES ({marks})",  # noqa: S608
                    payload,
                )
        Writer.database_s += time.perf_counter() - started

    def write(self, rows: list[tuple]) -> None:
        self.send(self.prepare(rows))


class Pipeline:
    """Sends prepared batches from a second thread (its own connection) while the next
    batch is built, on PostgreSQL; inline elsewhere (one SQLite writer at a time)."""

    def __init__(self, postgres: bool) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1) if postgres else None
        self.pending = None

    def send(self, batches: list[tuple[Writer, Any]]) -> None:
        def send_all():
            for writer, payload in batches:
                writer.send(payload)

        if self.pool is None:
            send_all()
            return
        self.wait()
        self.pending = self.pool.submit(send_all)

    def wait(self) -> None:
        if self.pending is not None:
            self.pending.result()
            self.pending = None

    def close(self) -> None:
        from django.db import connection

        self.wait()
        if self.pool is not None:
            self.pool.submit(lambda: connection.close()).result()  # the thread's own
            self.pool.shutdown()


@contextmanager
def indexes_set_aside(models: list, rows: int):
    """On PostgreSQL, for a load of at least REBUILD_AT rows: drop the secondary indexes of
    ``models`` (none behind a constraint) and create them again once the rows are in, in
    one sorted pass each instead of one insertion per row and index."""
    from django.db import connection

    if connection.vendor != "postgresql" or rows < REBUILD_AT:
        yield
        return
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relname = ANY(%s) AND NOT x.indisprimary AND NOT x.indisunique
            AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)""",
            [tables],
        )
        found = cursor.fetchall()
        for name, _definition in found:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    try:
        yield
    finally:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem TO '256MB'")
            for _name, definition in found:
                cursor.execute(definition)
        Writer.database_s += time.perf_counter() - started
