"""Every SQLite / PostgreSQL difference of the hub, in one place."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from itertools import chain
from typing import Any

import orjson
from sqlalchemy import BigInteger, Integer, SmallInteger, String, Table, any_, bindparam, cast, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement, Select, literal_column

_NONE = object()


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


def among(conn: Connection, column: Any, values: Sequence[Any]) -> ColumnElement[bool]:
    """`column IN (values)` as one statement text for any number of values.

    An expanding IN list is a new statement (compiled again) for every length; this binds
    the values as one array (PostgreSQL) or one JSON text (SQLite), so it compiles once.
    """
    if conn.dialect.name == "postgresql":
        return column == any_(cast(bindparam(None, list(values)), postgresql.ARRAY(column.type)))
    listed = func.json_each(orjson.dumps(list(values)).decode())
    members: Select[Any] = select(literal_column("value")).select_from(listed)
    return column.in_(members.scalar_subquery())


def lock_for_work(conn: Connection, query: Select) -> Select:
    """Rows a worker takes: skipped by other PostgreSQL workers; SQLite has a single writer."""
    if conn.dialect.name == "postgresql":
        return query.with_for_update(skip_locked=True)
    return query


def hold_locks(conn: Connection, keys: Sequence[int]) -> None:
    """Take PostgreSQL advisory locks on `keys` until the transaction ends, in the order given
    (callers sort them, so two workers cannot deadlock); SQLite has a single writer anyway."""
    if keys and conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SELECT count(pg_advisory_xact_lock(k)) FROM unnest(%s::bigint[]) AS k",
                             (list(keys),))


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
    tail = _tail(conflict, returning)
    head = f"INSERT INTO {table.name} ({', '.join(columns)}) "
    cursor = conn.connection.cursor()
    try:
        if conn.dialect.name == "postgresql":
            arrays = ", ".join(f"%s::{_pg_type(table, c)}[]" for c in columns)
            cursor.execute(f"{head}SELECT * FROM unnest({arrays}){tail}",
                           list(map(_pg_array, zip(*rows, strict=True))))
            if returning:
                found.extend(tuple(r) for r in cursor.fetchall())
            return cursor.rowcount
        return _sqlite_chunks(cursor, f"{head}VALUES ", tail, len(columns), rows, bool(returning), found)
    finally:
        cursor.close()


def _tail(conflict: str, returning: Sequence[str]) -> str:
    """The statement's ON CONFLICT and RETURNING clauses (either may be empty)."""
    tail = f" {conflict}" if conflict else ""
    return tail + (f" RETURNING {', '.join(returning)}" if returning else "")


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


def insert_rows(conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple],
                conflict: str = "") -> int:
    """`insert_counted` for hot paths whose rows never have a NULL first column.

    On SQLite the statements come in a few fixed sizes (`_padded_chunks`), so a stream of
    groups of any size compiles each statement once per connection instead of once per group.
    """
    return _rows(conn, table, columns, rows, conflict, (), [])


def upsert_rows(conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple],
                keys: Sequence[str], update: Sequence[str], only_if_changed_in: Sequence[str] = (),
                returning: Sequence[str] = ()) -> tuple[int, list[tuple]]:
    """`upsert` as one set-based statement per chunk of `rows` (tuples in `columns` order).

    No two rows may share `keys` (one statement cannot update a row twice). With
    `only_if_changed_in`, a row whose columns are all equal is left alone, neither counted
    nor returned. Returns (rows inserted or changed, RETURNING rows).
    """
    differs = " IS DISTINCT FROM " if conn.dialect.name == "postgresql" else " IS NOT "
    conflict = f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET " + ", ".join(
        f"{name} = excluded.{name}" for name in update)
    if only_if_changed_in:
        conflict += " WHERE " + " OR ".join(
            f"{table.name}.{name}{differs}excluded.{name}" for name in only_if_changed_in)
    found: list[tuple] = []
    return _rows(conn, table, columns, rows, conflict, returning, found), found


def _rows(conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple],
          conflict: str, returning: Sequence[str], found: list[tuple]) -> int:
    if not rows:
        return 0
    if conn.dialect.name == "postgresql":
        return _bulk(conn, table, columns, rows, conflict, returning, found)
    tail = _tail(conflict, returning)
    head = f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT * FROM (VALUES "
    cursor = conn.connection.cursor()
    try:
        # WHERE: drops the padding rows; SQLite also needs it to tell ON CONFLICT from a join.
        return _padded_chunks(cursor, head, ") AS v WHERE v.column1 IS NOT NULL" + tail, len(columns), rows,
                              bool(returning), found)
    finally:
        cursor.close()


def insert_by_serial(conn: Connection, table: Table, fields: Sequence[str], rows: Sequence[tuple],
                     ids: Mapping[str, int], received_ts: int, conflict: str = "",
                     returning: Sequence[str] = ()) -> tuple[int, list[tuple]]:
    """Bulk INSERT rows whose first item is a counter serial, stored as its `counter_id` (`ids`).

    The caller's rows go to the driver as they are, without building a new tuple per row in
    Python (the ingest hot path): the serials are swapped for ids in the flat parameter
    list (or the id column of the arrays) in C. `fields` name the rest of each row;
    `received_ts` is stored on every row. Returns (rows inserted, RETURNING rows).
    """
    found: list[tuple] = []
    if not rows:
        return 0, found
    columns = ", ".join(["counter_id", *fields, "received_ts"])
    tail = _tail(conflict, returning)
    cursor = conn.connection.cursor()
    try:
        if conn.dialect.name == "postgresql":
            arrays = ", ".join(["%s::bigint[]", *(f"%s::{_pg_type(table, f)}[]" for f in fields)])
            values = list(zip(*rows, strict=True))
            values[0] = tuple(map(ids.__getitem__, values[0]))
            cursor.execute(f"INSERT INTO {table.name} ({columns}) SELECT *, %s::bigint FROM unnest({arrays})"
                           f"{tail}", [received_ts, *map(_pg_array, values)])
            if returning:
                found.extend(tuple(r) for r in cursor.fetchall())
            return cursor.rowcount, found
        # received_ts is bound first (its ? comes first), then the rows' values.
        head = f"INSERT INTO {table.name} ({columns}) SELECT *, ? FROM (VALUES "
        inserted = _padded_chunks(cursor, head, ") AS v WHERE v.column1 IS NOT NULL" + tail,
                                  len(fields) + 1, rows, bool(returning), found,
                                  first=received_ts, swap=ids)
        return inserted, found
    finally:
        cursor.close()


def insert_new_by_serial(conn: Connection, table: Table, fields: Sequence[str], rows: Sequence[tuple],
                         ids: Mapping[str, int], received_ts: int, key: Sequence[str]) -> list[tuple] | None:
    """`insert_by_serial`, skipping each row whose `key` is already stored or repeats an earlier
    row's: None when every row was stored, else the keys (in `key` order) of the rows stored.

    Streams rarely re-send, so the usual insert asks nothing back. On SQLite this transaction
    is the only writer from its first write to its commit, and a new row's rowid is above every
    existing one: the rows stored are those above the table's highest rowid before the insert
    (no savepoint, whose page journal costs as much as a quarter of the insert). PostgreSQL may
    have other writers: its insert runs in a savepoint, rolled back and redone returning the
    keys when some row was not new.
    """
    conflict = f"ON CONFLICT ({', '.join(key)}) DO NOTHING"
    if conn.dialect.name != "postgresql":
        before = conn.exec_driver_sql(f"SELECT max(rowid) FROM {table.name}").scalar() or 0
        inserted, _ = insert_by_serial(conn, table, fields, rows, ids, received_ts, conflict)
        if inserted == len(rows):
            return None
        return [tuple(r) for r in conn.exec_driver_sql(
            f"SELECT {', '.join(key)} FROM {table.name} WHERE rowid > ? ORDER BY rowid", (before,))]
    with conn.begin_nested() as savepoint:
        inserted, _ = insert_by_serial(conn, table, fields, rows, ids, received_ts, conflict)
        if inserted == len(rows):
            return None
        savepoint.rollback()
    return insert_by_serial(conn, table, fields, rows, ids, received_ts, conflict, returning=key)[1]


def _chunk_sizes(largest: int) -> list[int]:
    """Statement sizes (rows) for `_padded_chunks`: steps of about √2 up to `largest`."""
    sizes = sorted({round(2 ** (k / 2)) for k in range(64) if round(2 ** (k / 2)) < largest} | {largest})
    return sizes


def _padded_chunks(cursor: Any, head: str, tail: str, width: int, rows: Sequence[tuple],
                   returning: bool, found: list[tuple], first: Any = _NONE,
                   swap: Mapping[Any, Any] | None = None) -> int:
    """`_sqlite_chunks` with each statement padded up to the next of a few fixed sizes.

    A multi-row VALUES statement costs SQLite about as much to compile as to run, and the
    driver keeps compiled statements by their text: with fixed sizes a steady stream of
    groups compiles nothing. Padding rows are all NULL; `tail` must filter them out.
    `first`, if given, is bound before each statement's rows; `swap` maps every row's first value.
    """
    sizes = _chunk_sizes(_rows_per_statement(width))
    per = sizes[-1]
    pad = (None,) * width
    one = "(" + ", ".join(["?"] * width) + ")"
    lead = [] if first is _NONE else [first]
    inserted = 0
    for i in range(0, len(rows), per):
        chunk = rows[i : i + per]
        size = sizes[bisect_left(sizes, len(chunk))]
        params = [*lead, *chain.from_iterable(chunk)]
        keys = slice(len(lead), None, width)  # every row's first value
        if swap is not None:
            params[keys] = map(swap.__getitem__, params[keys])  # a missing key raises: nothing is dropped
        elif None in params[keys]:  # it would be taken for padding and silently dropped
            raise ValueError(f"{head.split('(')[0].strip()}: a row's first column is NULL")
        if size > len(chunk):
            params += pad * (size - len(chunk))
        cursor.execute(head + ", ".join([one] * size) + tail, params)
        if returning:
            found.extend(tuple(r) for r in cursor.fetchall())
        inserted += cursor.rowcount
    return inserted


def _pg_array(values: tuple) -> str:
    """`values` (ints or texts, None for NULL) as one PostgreSQL array literal, built in C.

    The driver would dump an array element by element in Python: the larger part of a bulk
    insert's time. The statement casts the literal to the column's array type.
    """
    first = next((v for v in values if v is not None), None)
    if not isinstance(first, str):  # integers: no text of one can contain "None"
        return "{" + ",".join(map(str, values)).replace("None", "NULL") + "}"
    try:
        joined = '","'.join(values)
    except TypeError:  # a NULL among texts
        joined = None
    if joined is not None and "\\" not in joined and joined.count('"') == 2 * (len(values) - 1):
        return '{"' + joined + '"}'
    return "{" + ",".join("NULL" if v is None else '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
                          for v in values) + "}"


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
