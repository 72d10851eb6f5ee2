"""The fast path: blocks of clean lines checked and summed with whole-block operations.

A clean file (the usual case) is read a block of whole lines at a time. In the seeds' layout
a line is cut into its head and tail (`footfall.sales.heads`); in any layout each line end
becomes a delimiter and a mark, so one split gives every field and one count of the marks in
the first column proves that every line has the header's width, each number column is
checked over its joined text and read in one JSON parse, and only a run's first row (of a
run of rows of one site-hour: files come sorted, so a run is a few rows) is keyed. Every loop
runs in C, so a million rows cost little more than reading them. Any doubt raises
`NotClean`; the reader then re-reads the file row by row (`footfall.sales.rows`), which names
every error. All ways give the same totals.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from itertools import chain, compress, islice, repeat
from operator import add, mul, ne, or_

import orjson

from footfall.sales.fields import QUANTITY_DIGITS, VALUE_DIGITS, VALUE_FORM, FieldProblem, HourKeys
from footfall.sales.heads import HeadReader
from footfall.sales.runs import HourSums, Runs, append_runs, run_sums

_CENTS = rf"\d{{1,{VALUE_DIGITS}}}+\.\d\d"  # the usual form: exactly two decimals
# A column's texts joined by commas: every one in form.
_CENT_VALUES = re.compile(rf"(?:{_CENTS},)*+{_CENTS}", re.ASCII)
_VALUES = re.compile(rf"(?:{VALUE_FORM},)*+{VALUE_FORM}", re.ASCII)
_NOT_QUANTITIES = str.maketrans("", "", "0123456789,")  # deletes what a column of quantities holds
_NO_DOTS = str.maketrans("", "", ".")
_MAX_QUANTITY = 10**QUANTITY_DIGITS - 1
_BLANK = re.compile(r"(?:^|\n)\r?\n")


class NotClean(Exception):
    """Something in the block needs the careful, row-by-row path."""


class ColumnSummer:
    """Sums clean blocks; `sums` once every block is in."""

    def __init__(self, width: int, indexes: tuple[int, int, int, int], hours: HourKeys,
                 sites: Mapping[str, int], delimiter: str = ",") -> None:
        self.width = width
        self.indexes = indexes  # store code, date time, quantity, value
        self.delimiter = delimiter
        self.hours = hours
        self.sites = sites  # site code → site key
        self.codes: dict[str, int] = {}  # raw text → site key, for texts seen clean
        self.line_end = delimiter + "\n"  # a line end becomes a delimiter and a mark
        self.heads = HeadReader.for_layout(width, indexes, delimiter, hours)
        self.runs: Runs = ([], [], [])  # runs of rows of one site-hour, in file order

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
        rows = len(records)
        self.add_columns(code_of, when, _quantities(",".join(quantity), rows),
                         _cents(",".join(value), rows))
        return rows

    def add_text(self, block: str) -> int:
        """Check and sum whole lines of text; the number of data rows. NotClean if in doubt.

        Text without quotes is split directly (the csv module would read it the same way);
        quoted text goes through the csv module, unless a quoted field may span the block.
        """
        if '"' in block:
            if block.count('"') % 2:
                raise NotClean
            try:  # line ends as the careful path's reader sees them
                records = list(csv.reader(io.StringIO(block, newline=""), delimiter=self.delimiter))
            except csv.Error:
                raise NotClean from None
            return self.add(records)
        if not block.endswith("\n"):
            block += "\r\n" if "\r" in block else "\n"  # the file's last line
        if self.heads is not None:
            try:
                runs = self.heads.read(block)
            except FieldProblem:
                raise NotClean from None
            if runs is not None:
                keys = list(map(add, runs.hours, self._sites(runs.codes)))
                append_runs(self.runs, keys, runs.transactions, runs.cents)
                return runs.rows
        flat, rows = _line_ends(block, self.line_end)
        fields = flat.split(self.delimiter)
        fields.pop()  # the mark after the last line end
        fields[0] = "\n" + fields[0]  # the first line's
        width = self.width
        firsts = fields[::width]
        # A mark starts the first field of each line and nothing else: the first column holding
        # one in every row puts each line's first field at a multiple of the width, so every
        # line has the header's width.
        if len(fields) != rows * width or "".join(firsts).count("\n") != rows:
            if _BLANK.search(block):  # blank lines are skipped
                lines = [line for line in block.split("\n") if line.rstrip("\r")]
                return self.add_text("\n".join(lines) + "\n") if lines else 0
            raise NotClean
        code, when, quantity, value = (firsts if i == 0 else fields[i::width] for i in self.indexes)
        self.add_columns(code, when, _quantities(_joined(quantity, self.indexes[2]), rows),
                         _cents(_joined(value, self.indexes[3]), rows))
        return rows

    def add_columns(self, code_of: Sequence[str], when: Sequence[str], quantity: list[int],
                    cents: list[int]) -> None:
        """Sum checked quantities and cents by site and hour. NotClean if a code or time is bad.

        A run ends where the hour or the code's text changes, so only a run's first row is
        looked up by code and keyed (a code written two ways cuts a run in two, and runs of
        one key are added up in the end).
        """
        try:
            hours = list(map(self.hours.__getitem__, when))
        except FieldProblem:
            raise NotClean from None
        # cut[i]: a run ends after row i (the last row ends one).
        cut = list(map(or_, map(ne, hours, islice(hours, 1, None)),
                       map(ne, code_of, islice(code_of, 1, None))))
        cut.append(True)
        # A run starts at the first row and after each cut.
        run_codes = [code_of[0], *compress(islice(code_of, 1, None), cut)]
        keys = list(map(add, chain((hours[0],), compress(islice(hours, 1, None), cut)),
                        self._sites(run_codes)))
        if len(keys) < len(cut):
            quantity, cents = run_sums(quantity, cut), run_sums(cents, cut)
        append_runs(self.runs, keys, quantity, cents)

    def _sites(self, code_of: Sequence[str]) -> list[int]:
        """The site key of each code text. NotClean for a code of no site of the company."""
        try:
            return list(map(self.codes.__getitem__, code_of))
        except KeyError:
            for text in set(code_of) - self.codes.keys():
                code = text.strip()
                if code not in self.sites:
                    raise NotClean from None
                self.codes[text] = self.sites[code]
            return list(map(self.codes.__getitem__, code_of))

    def sums(self) -> HourSums:
        """Every block's rows summed by site key + hour."""
        return HourSums.of(*self.runs)


def _line_ends(block: str, end: str) -> tuple[str, int]:
    """(The block with each line end, CRLF or LF, made `end`; its number of lines.)

    NotClean for a CR that does not end a line: the csv module reads it as a line end.
    """
    rows = block.count("\n")
    if "\r" in block:
        if block.count("\r") == rows:  # CRLF, unless a lone CR makes up for a bare LF
            flat = block.replace("\r\n", end)
            if "\r" not in flat:
                return flat, rows
        block = block.replace("\r\n", "\n")  # both kinds of line end, or a lone CR
        if "\r" in block:
            raise NotClean
    return block.replace("\n", end), rows


def _joined(column: list[str], index: int) -> str:
    """A column's texts joined by commas; the first column without its line marks."""
    text = ",".join(column)
    return text.replace("\n", "") if index == 0 else text


def _quantities(text: str, rows: int) -> list[int]:
    """`rows` quantities joined by commas, each 1 to 9 digits, as ints. NotClean otherwise.

    Digits and commas only, no empty one: then it is one JSON array of whole numbers (read
    fast) unless a leading zero makes it not JSON.
    """
    if not text or text.translate(_NOT_QUANTITIES) or ",," in text or text[0] == "," or text[-1] == ",":
        raise NotClean
    try:
        numbers: list[int] = orjson.loads(f"[{text}]")
    except orjson.JSONDecodeError:
        texts = text.split(",")
        if max(map(len, texts)) > QUANTITY_DIGITS:
            raise NotClean from None
        numbers = list(map(int, texts))
    if len(numbers) != rows or max(numbers) > _MAX_QUANTITY:  # rows: a quoted text held a comma
        raise NotClean
    return numbers


def _cents(text: str, rows: int) -> list[int]:
    """`rows` values joined by commas, each digits with at most 2 decimals, as whole cents.
    NotClean otherwise."""
    if _CENT_VALUES.fullmatch(text):
        numbers = _cent_ints(text.translate(_NO_DOTS))
    elif _VALUES.fullmatch(text):
        # Exact: a value of at most 12 + 2 digits is a float within 1e-2 cents of itself.
        numbers = list(map(round, map(mul, map(float, text.split(",")), repeat(100))))
    else:
        raise NotClean
    if len(numbers) != rows:  # a quoted text held a comma
        raise NotClean
    return numbers


def _cent_ints(digits: str) -> list[int]:
    """Cents joined by commas, each of at least three digits (a value without its dot), as ints.

    A value under 1.00 starts with zeros ("050"); two rounds of dropping a zero after a
    comma leave at least one digit and the same number ("50", "000" → "0").
    """
    text = f",{digits}".replace(",0", ",")
    if ",0" in text:
        text = text.replace(",0", ",")
    try:
        return orjson.loads(f"[{text[1:]}]")  # type: ignore[no-any-return]
    except orjson.JSONDecodeError:
        return list(map(int, digits.split(",")))
