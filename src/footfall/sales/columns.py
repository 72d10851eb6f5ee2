"""The fast path: a chunk of clean records checked and summed column by column.

A clean file (the usual case) is validated with whole-column operations that run in C
(one regex over a joined column, cached lookups, `map`), so a million rows cost little more
than reading them. Any doubt raises `NotClean`; the reader then re-reads the file row by
row (`footfall.sales.rows`), which names every error. Both paths give the same totals.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from itertools import repeat
from operator import add, mul

from footfall.sales.fields import QUANTITY_DIGITS, VALUE_DIGITS, FieldProblem, HourKeys

_QUANTITIES = re.compile(rf"(?:\d{{1,{QUANTITY_DIGITS}}}\n)*\d{{1,{QUANTITY_DIGITS}}}", re.ASCII)
_VALUE = rf"\d{{1,{VALUE_DIGITS}}}(?:\.\d\d?)?"
_VALUES = re.compile(rf"(?:{_VALUE}\n)*{_VALUE}", re.ASCII)

Totals = dict[int, list[int]]  # hour key + site index → [transactions, cents]


class NotClean(Exception):
    """Something in the chunk needs the careful, row-by-row path."""


class ColumnSummer:
    """Sums clean chunks into `totals`."""

    def __init__(self, width: int, indexes: tuple[int, int, int, int], hours: HourKeys,
                 sites: Mapping[str, int]) -> None:
        self.width = width
        self.indexes = indexes  # store code, date time, quantity, value
        self.hours = hours
        self.sites = sites
        self.codes: dict[str, int] = {}  # raw text → site index, for texts seen clean
        self.totals: Totals = {}

    def add(self, records: list[list[str]]) -> int:
        """Check and sum parsed records; the number of data rows. NotClean if in doubt."""
        widths = set(map(len, records))
        if widths != {self.width}:
            if widths != {self.width, 0}:
                raise NotClean
            records = [r for r in records if r]  # blank lines are skipped
        columns = list(zip(*records, strict=True))
        self.add_columns(*(columns[i] for i in self.indexes))
        return len(records)

    def add_text(self, block: str, delimiter: str) -> int:
        """Check and sum whole lines of text; the number of data rows. NotClean if in doubt.

        Text without quotes is split directly (the csv module would read it the same way);
        quoted text goes through the csv module, unless a quoted field may span the block.
        """
        if "\r" in block:
            block = block.replace("\r\n", "\n")
            if "\r" in block:
                raise NotClean
        if '"' in block:
            if block.count('"') % 2:
                raise NotClean
            return self.add(list(csv.reader(io.StringIO(block), delimiter=delimiter)))
        lines = block.split("\n")
        if "" in lines:
            lines = [line for line in lines if line]
            if not lines:
                return 0
        if set(map(str.count, lines, repeat(delimiter))) != {self.width - 1}:
            raise NotClean
        fields = delimiter.join(lines).split(delimiter)
        width = self.width
        self.add_columns(*(fields[i::width] for i in self.indexes))
        return len(lines)

    def add_columns(self, code_of: Sequence[str], when: Sequence[str], quantity: Sequence[str],
                    value: Sequence[str]) -> None:
        """Check and sum the four columns of a chunk. NotClean if in doubt."""
        for text in set(code_of) - self.codes.keys():
            code = text.strip()
            if code not in self.sites:
                raise NotClean
            self.codes[text] = self.sites[code]
        if not _QUANTITIES.fullmatch("\n".join(quantity)) or not _VALUES.fullmatch("\n".join(value)):
            raise NotClean
        try:
            keys = list(map(add, map(self.hours.__getitem__, when), map(self.codes.__getitem__, code_of)))
        except FieldProblem:
            raise NotClean from None
        # Exact: a value of at most 12 + 2 digits is a float within 1e-2 cents of itself.
        value_cents = map(round, map(mul, map(float, value), repeat(100)))
        _sum_into(self.totals, keys, map(int, quantity), value_cents)


def _sum_into(totals: Totals, keys: list[int], transactions: object, cents: object) -> None:
    get = totals.get
    for key, count, value in zip(keys, transactions, cents, strict=True):  # type: ignore[call-overload]
        cell = get(key)
        if cell is None:
            totals[key] = [count, value]
        else:
            cell[0] += count
            cell[1] += value
