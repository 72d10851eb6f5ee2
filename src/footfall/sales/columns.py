"""The fast path: a block of clean lines checked and summed with whole-block operations.

A clean file (the usual case) is validated by one regular expression over a block of whole
lines (every line has the header's width, quantities and values have their form), split in
one call, converted column by column with `map` and summed per run of rows of the same site
and hour (files come sorted, so a run is a few rows): every loop runs in C, and a million
rows cost little more than reading them. Any doubt raises `NotClean`; the reader then
re-reads the file row by row (`footfall.sales.rows`), which names every error. Both paths
give the same totals.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, compress, islice, repeat
from operator import add, itemgetter, mul, ne, sub

import orjson

from footfall.sales.fields import QUANTITY_DIGITS, VALUE_DIGITS, FieldProblem, HourKeys

_QUANTITY = rf"\d{{1,{QUANTITY_DIGITS}}}+"
_CENTS = rf"\d{{1,{VALUE_DIGITS}}}+\.\d\d"  # the usual form: exactly two decimals
_VALUE = rf"\d{{1,{VALUE_DIGITS}}}+(?:\.\d\d?)?+"
_QUANTITIES = re.compile(rf"(?:{_QUANTITY}\n)*{_QUANTITY}", re.ASCII)
_VALUES = re.compile(rf"(?:{_VALUE}\n)*{_VALUE}", re.ASCII)
_BLANK = re.compile(r"(?:^|\n)\r?\n")



@dataclass(slots=True)
class HourSums:
    """Transactions and cents per site-hour key ((site index << HOUR_BITS) + hour), each key once."""

    keys: list[int] = field(default_factory=list)
    transactions: list[int] = field(default_factory=list)
    cents: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, keys: list[int], transactions: list[int], cents: list[int]) -> HourSums:
        """Sums of rows whose keys may recur (then they are added up)."""
        if len(set(keys)) == len(keys):
            return cls(keys, transactions, cents)
        merged: dict[int, tuple[int, int]] = {}
        get = merged.get
        for key, q, c in zip(keys, transactions, cents, strict=True):
            cell = get(key)
            merged[key] = (q, c) if cell is None else (cell[0] + q, cell[1] + c)
        return cls.from_dict(merged)

    @classmethod
    def from_dict(cls, sums: Mapping[int, Sequence[int]]) -> HourSums:
        """From key → (transactions, cents)."""
        values = list(sums.values())
        return cls(list(sums), list(map(itemgetter(0), values)), list(map(itemgetter(1), values)))

    def as_dict(self) -> dict[int, tuple[int, int]]:
        """Key → (transactions, cents)."""
        return dict(zip(self.keys, zip(self.transactions, self.cents, strict=True), strict=True))


class NotClean(Exception):
    """Something in the block needs the careful, row-by-row path."""


def _lines_pattern(width: int, indexes: tuple[int, int, int, int], delimiter: str,
                   value: str) -> re.Pattern[str]:
    """Whole clean lines (LF or CRLF): `width` unquoted fields, quantity and value in form."""
    fields = [f'[^{re.escape(delimiter)}\\r\\n"]*+'] * width
    fields[indexes[2]], fields[indexes[3]] = _QUANTITY, value
    return re.compile(f"(?:{re.escape(delimiter).join(fields)}\\r?\\n)*+", re.ASCII)


class ColumnSummer:
    """Sums clean blocks; `totals` once every block is in."""

    def __init__(self, width: int, indexes: tuple[int, int, int, int], hours: HourKeys,
                 sites: Mapping[str, int], delimiter: str = ",") -> None:
        self.width = width
        self.indexes = indexes  # store code, date time, quantity, value
        self.delimiter = delimiter
        self.hours = hours
        self.sites = sites  # site code → site key
        self.codes: dict[str, int] = {}  # raw text → site key, for texts seen clean
        self.cents_lines = _lines_pattern(width, indexes, delimiter, _CENTS)
        self.value_lines = _lines_pattern(width, indexes, delimiter, _VALUE)
        # Line ends become delimiters, so a block splits into fields in one call; the
        # second table also drops the dots (every value has two decimals: cents remain).
        self.flat = str.maketrans({"\r": None, "\n": delimiter})
        self.flat_cents = str.maketrans({"\r": None, "\n": delimiter, ".": None})
        # Runs of rows of one site-hour, in file order: key, transactions, cents.
        self.runs: tuple[list[int], list[int], list[int]] = ([], [], [])

    def add(self, records: list[list[str]]) -> int:
        """Check and sum parsed records; the number of data rows. NotClean if in doubt."""
        widths = set(map(len, records))
        if widths != {self.width}:
            if widths != {self.width, 0}:
                raise NotClean
            records = [r for r in records if r]  # blank lines are skipped
        if not records:
            return 0
        columns = list(zip(*records, strict=True))
        code_of, when, quantity, value = (columns[i] for i in self.indexes)
        if not _QUANTITIES.fullmatch("\n".join(quantity)) or not _VALUES.fullmatch("\n".join(value)):
            raise NotClean
        self.add_columns(code_of, when, list(map(int, quantity)), _cents(value))
        return len(records)

    def add_text(self, block: str) -> int:
        """Check and sum whole lines of text; the number of data rows. NotClean if in doubt.

        Text without quotes is split directly (the csv module would read it the same way);
        quoted text goes through the csv module, unless a quoted field may span the block.
        """
        if '"' in block:
            if block.count('"') % 2:
                raise NotClean
            return self.add(list(csv.reader(io.StringIO(block), delimiter=self.delimiter)))
        if not block.endswith("\n"):
            block += "\n"  # the file's last line
        rows = block.count("\n")
        if self.cents_lines.fullmatch(block):
            # Without its dot a value is its cents, when the block has no other dot.
            table = self.flat_cents if block.count(".") == rows else self.flat
        elif self.value_lines.fullmatch(block):
            table = self.flat
        elif _BLANK.search(block):  # blank lines are skipped
            lines = [line for line in block.split("\n") if line.rstrip("\r")]
            return self.add_text("\n".join(lines) + "\n") if lines else 0
        else:
            raise NotClean
        fields = block.translate(table).split(self.delimiter)
        fields.pop()  # after the last line end
        code, when, quantity, value = (fields[i::self.width] for i in self.indexes)
        cents = _cent_ints(value) if table is self.flat_cents else _cents(value)
        self.add_columns(code, when, _ints(quantity), cents)
        return rows

    def add_columns(self, code_of: Sequence[str], when: Sequence[str], quantity: list[int],
                    cents: list[int]) -> None:
        """Sum checked quantities and cents by site and hour. NotClean if a code or time is bad."""
        try:
            sites = list(map(self.codes.__getitem__, code_of))
        except KeyError:
            self._learn(code_of)
            sites = list(map(self.codes.__getitem__, code_of))
        try:
            keys = list(map(add, map(self.hours.__getitem__, when), sites))
        except FieldProblem:
            raise NotClean from None
        _add_runs(self.runs, keys, quantity, cents)

    def _learn(self, code_of: Sequence[str]) -> None:
        for text in set(code_of) - self.codes.keys():
            code = text.strip()
            if code not in self.sites:
                raise NotClean
            self.codes[text] = self.sites[code]

    def sums(self) -> HourSums:
        """Every block's rows summed by site key + hour."""
        return HourSums.of(*self.runs)


def _ints(digits: list[str]) -> list[int]:
    """Texts of digits only (checked) as ints, parsed as one JSON array (fast) unless a
    leading zero makes it not JSON."""
    try:
        return orjson.loads(f"[{','.join(digits)}]")  # type: ignore[no-any-return]
    except orjson.JSONDecodeError:
        return list(map(int, digits))


def _cent_ints(digits: list[str]) -> list[int]:
    """Cents as texts of at least three digits (a value without its dot) as ints.

    A value under 1.00 starts with zeros ("050"); two rounds of dropping a zero after a
    comma leave at least one digit and the same number ("50", "000" → "0").
    """
    text = f",{','.join(digits)}".replace(",0", ",").replace(",0", ",")
    try:
        return orjson.loads(f"[{text[1:]}]")  # type: ignore[no-any-return]
    except orjson.JSONDecodeError:
        return list(map(int, digits))


def _cents(values: Sequence[str]) -> list[int]:
    # Exact: a value of at most 12 + 2 digits is a float within 1e-2 cents of itself.
    return list(map(round, map(mul, map(float, values), repeat(100))))


def _add_runs(runs: tuple[list[int], list[int], list[int]], keys: list[int], quantity: list[int],
              cents: list[int]) -> None:
    """Append one (key, transactions, cents) per run of equal keys, summed with prefix sums.

    A run cut by the end of the previous block is joined up with its rest.
    """
    n = len(keys)
    if not n:
        return
    starts = [0]
    starts += compress(range(1, n), map(ne, keys, islice(keys, 1, None)))
    if len(starts) < n:
        edges = [*starts, n]
        keys = list(map(keys.__getitem__, starts))
        quantity, cents = (_run_sums(values, edges) for values in (quantity, cents))
    if runs[0] and runs[0][-1] == keys[0]:
        runs[1][-1] += quantity[0]
        runs[2][-1] += cents[0]
        keys, quantity, cents = keys[1:], quantity[1:], cents[1:]
    runs[0].extend(keys)
    runs[1].extend(quantity)
    runs[2].extend(cents)


def _run_sums(values: list[int], edges: list[int]) -> list[int]:
    """Sums of values[edges[i]:edges[i + 1]]."""
    prefix = list(accumulate(values, initial=0))
    at = list(map(prefix.__getitem__, edges))
    return list(map(sub, islice(at, 1, None), at))
