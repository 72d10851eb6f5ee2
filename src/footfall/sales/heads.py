"""The seeds' layout read by the head of each line: its store code and its date up to the hour.

In the seeds' column order (code, date and time, quantity, value) with a time that ends in a
separator and the minutes (`DD-MM-YYYY hh:mm`), the text of a line before the minutes is the
same in every row of one site-hour. The separator and the line ends cut each line into that
head and its tail (minutes, quantity, value): a row costs two strings and one comparison, a
run's head is read once, and all tails are read in one JSON parse. A block not wholly in that
form is left to the general way (`footfall.sales.columns`), which reads any layout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import accumulate, chain, compress, islice
from operator import ne, sub
from typing import Any

import orjson

from footfall.sales.fields import QUANTITY_FORM, VALUE_FORM, HourKeys
from footfall.sales.profile import minute_separator
from footfall.sales.runs import run_sums

_EXACT_FLOATS = 2**53  # every whole number below is exactly a float


@dataclass(frozen=True, slots=True)
class HeadRuns:
    """A block's runs: each run's code text, local hour (as HourKeys gives it) and sums."""

    codes: list[str]
    hours: list[int]
    transactions: list[int]
    cents: list[int]
    rows: int


class _Hours(dict[str, int]):
    """The text of a date and hour → its hour key, read once as the time at minute 0."""

    def __init__(self, times: HourKeys, mark: str) -> None:
        super().__init__()
        self.times = times
        self.minute_zero = mark + "00"

    def __missing__(self, text: str) -> int:
        key = self[text] = self.times[text + self.minute_zero]
        return key


class HeadReader:
    """Reads blocks of whole lines in the seeds' layout into runs."""

    def __init__(self, mark: str, delimiter: str, times: HourKeys) -> None:
        self.mark = mark  # the separator before the minutes
        self.delimiter = delimiter
        self.hours = _Hours(times, mark)
        d = re.escape(delimiter)
        # Heads as `read` joins a block's runs' ones: each "\n" and one delimiter between texts.
        self.heads = re.compile(rf"(?:\n[^{d}\n]*{d}[^{d}\n]*)*+")
        # Tails as `_tail_numbers` joins them: "1", the minutes (00 to 59), quantity, value, "e2".
        tail = rf"1[0-5][0-9]{d}{QUANTITY_FORM}{d}{VALUE_FORM}e2"
        self.tails = re.compile(rf"(?:{tail},)*+{tail}", re.ASCII)

    @classmethod
    def for_layout(cls, width: int, indexes: tuple[int, int, int, int], delimiter: str,
                   times: HourKeys) -> HeadReader | None:
        """A reader if the file has the seeds' column order, a time that ends in a separator
        and the minutes, and a delimiter that no number or JSON text holds."""
        mark = minute_separator(times.date_format)
        if (width, indexes) != (4, (0, 1, 2, 3)) or mark is None or mark in f'.{delimiter}"' \
                or delimiter in "0123456789.e":
            return None
        return cls(mark, delimiter, times)

    def read(self, block: str) -> HeadRuns | None:
        """The runs of a block of whole lines (the last one ended too); None when a line is not
        in the seeds' form. FieldProblem for a time that is no time."""
        # Each line end becomes the mark and a "\n" that starts the next head (a CRLF keeps its
        # length: a plain copy). A CR left is one that the csv module would end a line at.
        flat = block.replace("\r\n" if "\r" in block else "\n", self.mark + "\n")
        if "\r" in flat:
            return None
        pieces = flat.split(self.mark)
        if len(pieces) % 2 == 0:
            return None
        pieces.pop()  # the "\n" after the last line end
        pieces[0] = "\n" + pieces[0]
        heads = pieces[::2]
        numbers = _tail_numbers(pieces[1::2], self.tails, self.delimiter)
        if numbers is None:
            return None
        transactions, cents = numbers[1::3], numbers[2::3]
        cut = list(map(ne, heads, islice(heads, 1, None)))  # cut[i]: a run ends after row i
        cut.append(True)
        # Every row's head is its run's: with each starting with a "\n" and holding one
        # delimiter, the heads are the lines, each cut once by the mark.
        run_heads = "".join([heads[0], *compress(islice(heads, 1, None), cut)])
        if not self.heads.fullmatch(run_heads):
            return None
        cent_ends = list(compress(accumulate(cents), cut))
        if cent_ends[-1] >= _EXACT_FLOATS:  # below it, float sums of whole cents are exact
            return None
        parts = run_heads[1:].replace("\n", self.delimiter).split(self.delimiter)
        return HeadRuns(parts[::2], list(map(self.hours.__getitem__, islice(parts, 1, None, 2))),
                        run_sums(transactions, cut),
                        list(map(int, map(sub, cent_ends, chain((0.0,), cent_ends)))), len(heads))


def _tail_numbers(tails: list[str], pattern: re.Pattern[str], delimiter: str) -> list[Any] | None:
    """Each tail's minutes + 100, quantity and value in cents, in one list; None if a tail is
    not in form (two-digit minutes, a quantity, a value).

    One JSON array: a "1" before the minutes keeps "05" from being a leading zero, and an
    "e2" after the value makes it its cents, a float that is exactly the whole number.
    """
    text = f"1{'e2,1'.join(tails)}e2"
    if not pattern.fullmatch(text):
        return None
    if delimiter != ",":
        text = text.replace(delimiter, ",")
    try:
        numbers: list[Any] = orjson.loads(f"[{text}]")
    except orjson.JSONDecodeError:  # a leading zero
        return None
    return numbers
