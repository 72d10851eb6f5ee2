"""Every SQLite / PostgreSQL difference of the hub, in one place."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from typing import Any

from sqlalchemy import BigInteger, Integer, SmallInteger, String, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.sql import Select


def _insert(conn: Connection, table: Table) -> Any:
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    if conn.dialect.name == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"unsupported database {conn.dialect.name!r} (SQLite or PostgreSQL)")


def insert_ignore(conn: Connection, table: Table, keys: Sequence[str]) -> Any:
    """INSERT … ON CONFLICT (keys) DO NOTHING."""
    return _insert(conn, table).on_conflict_do_nothing(index_elements=list(keys))


def upsert(conn: Connection, table: Table, keys: Sequence[str], update: Sequence[str],
           only_if_changed_in: Sequence[str] = ()) -> Any:
    """INSERT … ON CONFLICT (keys) DO UPDATE SET `update` columns from the new row.

    With `only_if_changed_in`, the update (and its RETURNING row) happens only when one of
    those columns differs, so callers can tell a replaced row from an identical re-send.
    """
    statement = _insert(conn, table)
    values = {name: statement.excluded[name] for name in update}
    where = None
    for name in only_if_changed_in:
        differs = table.c[name].is_distinct_from(statement.excluded[name])
        where = differs if where is None else (where | differs)
    return statement.on_conflict_do_update(index_elements=list(keys), set_=values, where=where)


def lock_for_work(conn: Connection, query: Select) -> Select:
    """Rows a worker takes: skipped by other PostgreSQL workers; SQLite has a single writer."""
    if conn.dialect.name == "postgresql":
        return query.with_for_update(skip_locked=True)
    return query


def _rows_per_statement(columns: int) -> int:
    # SQLite allows 32,766 bound values per statement.
    return max(1, min(3000, 32_000 // columns))


def insert_many(conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple],
                conflict: str = "", returning: Sequence[str] = ()) -> list[tuple]:
    """Bulk INSERT through the driver, bypassing per-row SQLAlchemy processing.

    The hot path of ingest: rows are plain tuples in `columns` order; `conflict` is an
    ON CONFLICT clause valid on both databases. SQLite gets multi-row VALUES statements;
    PostgreSQL gets one `INSERT … SELECT FROM unnest(arrays)` with one array per column.
    Returns the RETURNING rows.
    """
    found: list[tuple] = []
    _bulk(conn, table, columns, rows, conflict, returning, found)
    return found


def insert_counted(conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple],
                   conflict: str = "") -> int:
    """`insert_many` without RETURNING: how many rows were inserted (conflicts skipped)."""
    return _bulk(conn, table, columns, rows, conflict, (), [])


def _bulk(conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple],
          conflict: str, returning: Sequence[str], found: list[tuple]) -> int:
    if not rows:
        return 0
    tail = f" {conflict}" if conflict else ""
    if returning:
        tail += f" RETURNING {', '.join(returning)}"
    head = f"INSERT INTO {table.name} ({', '.join(columns)}) "
    cursor = conn.connection.cursor()
    try:
        if conn.dialect.name == "postgresql":
            arrays = ", ".join(f"%s::{_pg_type(table, c)}[]" for c in columns)
            cursor.execute(f"{head}SELECT * FROM unnest({arrays}){tail}",
                           [list(column) for column in zip(*rows, strict=True)])
            if returning:
                found.extend(tuple(r) for r in cursor.fetchall())
            return cursor.rowcount
        return _sqlite_chunks(cursor, f"{head}VALUES ", tail, len(columns), rows, bool(returning), found)
    finally:
        cursor.close()


def _sqlite_chunks(cursor: Any, head: str, tail: str, width: int, rows: Sequence[tuple],
                   returning: bool, found: list[tuple]) -> int:
    """Run `head` + multi-row VALUES + `tail` over `rows` in chunks SQLite accepts."""
    one = "(" + ", ".join(["?"] * width) + ")"
    per = _rows_per_statement(width)
    inserted = 0
    for i in range(0, len(rows), per):
        chunk = rows[i : i + per]
        cursor.execute(head + ", ".join([one] * len(chunk)) + tail, list(chain.from_iterable(chunk)))
        if returning:
            found.extend(tuple(r) for r in cursor.fetchall())
        inserted += cursor.rowcount
    return inserted


def insert_by_serial(conn: Connection, table: Table, fields: Sequence[str], rows: Sequence[tuple],
                     company_id: int, received_ts: int, conflict: str = "",
                     returning: Sequence[str] = ()) -> tuple[int, list[tuple]]:
    """Bulk INSERT rows whose first item is a counter serial, stored as its `counter_id`.

    The database looks the counter up (company, serial), so the caller's rows go to the
    driver as they are, without building a new tuple per row in Python: the ingest hot
    path. `fields` name the rest of each row; `received_ts` is stored on every row.
    Returns (rows inserted, RETURNING rows).
    """
    found: list[tuple] = []
    if not rows:
        return 0, found
    columns = ", ".join(["counter_id", *fields, "received_ts"])
    tail = f" {conflict}" if conflict else ""
    if returning:
        tail += f" RETURNING {', '.join(returning)}"
    cursor = conn.connection.cursor()
    try:
        if conn.dialect.name == "postgresql":
            arrays = ", ".join(["%s::text[]", *(f"%s::{_pg_type(table, f)}[]" for f in fields)])
            values = ", ".join(f"v.{f}" for f in fields)
            cursor.execute(
                f"INSERT INTO {table.name} ({columns}) SELECT c.id, {values}, {int(received_ts)} "
                f"FROM unnest({arrays}) AS v(serial, {', '.join(fields)}) "
                f"JOIN counter c ON c.company_id = {int(company_id)} AND c.serial = v.serial{tail}",
                [list(column) for column in zip(*rows, strict=True)])
            if returning:
                found.extend(tuple(r) for r in cursor.fetchall())
            return cursor.rowcount, found
        values = ", ".join(f"v.column{i + 2}" for i in range(len(fields)))
        # The lookup is a scalar subquery on counter's (company_id, serial) unique index.
        head = (f"INSERT INTO {table.name} ({columns}) SELECT (SELECT id FROM counter "
                f"WHERE company_id = {int(company_id)} AND serial = v.column1), {values}, "
                f"{int(received_ts)} FROM (VALUES ")
        # WHERE true: SQLite needs it to tell ON CONFLICT from a join constraint.
        inserted = _sqlite_chunks(cursor, head, ") AS v WHERE true" + tail, len(fields) + 1, rows,
                                  bool(returning), found)
        return inserted, found
    finally:
        cursor.close()


def _pg_type(table: Table, column: str) -> str:
    kind = table.c[column].type
    if isinstance(kind, SmallInteger):
        return "smallint"
    if isinstance(kind, BigInteger):
        return "bigint"
    if isinstance(kind, Integer):
        return "integer"
    if isinstance(kind, String):
        return "text"
    raise TypeError(f"no bulk type for {table.name}.{column} ({kind})")
