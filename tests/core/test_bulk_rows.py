"""Bulk writes through the driver keep every value exactly, odd texts and NULLs included."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, select

from footfall.storage import dialect
from footfall.storage.engine import read_tx, write_tx

ODD_TEXTS = ['plain', '', 'NULL', 'a "quoted" word', 'back\\slash', '{braces},commas', ' spaced ',
             'é ✓', '\\"']


def test_bulk_insert_and_upsert_keep_odd_values(engine) -> None:
    metadata = MetaData()
    table = Table(f"bulk_{time.time_ns()}", metadata, Column("k", Integer, primary_key=True),
                  Column("big", BigInteger), Column("note", String(40)))
    metadata.create_all(engine)
    try:
        rows = [(i, None if i % 3 == 0 else 2**40 + i, None if i % 4 == 0 else text)
                for i, text in enumerate(ODD_TEXTS)]
        with write_tx(engine) as conn:
            assert dialect.insert_counted(conn, table, ("k", "big", "note"), rows) == len(rows)
            changed, returned = dialect.upsert_rows(
                conn, table, ("k", "big", "note"), [(0, None, None), (1, 5, "new \"one\""), (99, -1, None)],
                keys=("k",), update=("big", "note"), only_if_changed_in=("big", "note"), returning=("k",))
        assert (changed, sorted(returned)) == (2, [(1,), (99,)])
        with read_tx(engine) as conn:
            stored = sorted(tuple(r) for r in conn.execute(select(table)))
        expected = dict((r[0], r) for r in rows) | {1: (1, 5, 'new "one"'), 99: (99, -1, None)}
        assert stored == sorted(expected.values())
    finally:
        metadata.drop_all(engine)


def test_a_row_with_a_null_first_column_is_refused_not_taken_for_padding(engine) -> None:
    metadata = MetaData()
    table = Table(f"bulk_{time.time_ns()}", metadata, Column("k", Integer), Column("note", String(40)))
    metadata.create_all(engine)
    try:
        with write_tx(engine) as conn:
            if conn.dialect.name == "sqlite":  # PostgreSQL sends arrays: no padding to mistake it for
                with pytest.raises(ValueError, match="first column is NULL"):
                    dialect.insert_rows(conn, table, ("k", "note"), [(1, "a"), (None, "b")])
            else:
                assert dialect.insert_rows(conn, table, ("k", "note"), [(1, "a"), (None, "b")]) == 2
    finally:
        metadata.drop_all(engine)
