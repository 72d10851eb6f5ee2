"""The reader's fast path and its careful row-by-row path both equal a plain model of the file,
whatever the layout, line ends and block size; on a damaged file the fast path gives exactly
what the careful path gives."""

from __future__ import annotations

import csv
import io
from datetime import date
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from footfall.sales import reader
from footfall.sales.columns import ColumnSummer, NotClean
from footfall.sales.profile import SEEDS, MappingProfile
from footfall.sales.reader import ParsedFile
from tests.sales.helpers import HEADER, SITES, hour, parse

# Small blocks put block ends inside runs of one site-hour; the real size reads a file whole.
BLOCK_SIZES = st.sampled_from((40, 200, reader.BLOCK_CHARS))


def _read_both(body: str, block: int, profile: MappingProfile = SEEDS) -> tuple[ParsedFile, ParsedFile, bool]:
    """(the reading, the careful path's reading, whether the first fell back to the careful path)."""
    taken: list[bool] = []
    real = reader._read

    def spy(*args: object, fast: bool, **kwargs: object) -> ParsedFile:
        taken.append(fast)
        return real(*args, fast=fast, **kwargs)  # type: ignore[arg-type]

    with mock.patch.object(reader, "BLOCK_CHARS", block):
        with mock.patch.object(reader, "_read", spy):
            result = parse(body, profile)
        with mock.patch.object(ColumnSummer, "add_text", side_effect=NotClean):
            careful = parse(body, profile)
    return result, careful, taken != [True]


def _outcome(parsed: ParsedFile) -> tuple[object, ...]:
    return (parsed.errors, parsed.error_count, parsed.rows, parsed.rows_valid, parsed.refused, parsed.totals)


@st.composite
def sales_row(draw: st.DrawFn, quote: bool = True) -> tuple[list[str], str, int, int, int]:
    """(fields, site, local hour ordinal, quantity, cents) of one valid row in the seeds' format."""
    site = draw(st.sampled_from(SITES))
    day = draw(st.dates(date(2023, 1, 1), date(2025, 12, 31)))
    h, m = draw(st.integers(0, 23)), draw(st.integers(0, 59))
    quantity = draw(st.integers(0, 10**6))
    decimals = draw(st.sampled_from((0, 1, 2)))  # at most 2, as the seeds allow
    units = draw(st.integers(0, 10**7))
    fraction = draw(st.integers(0, 10**decimals - 1))
    value = f"{units}.{fraction:0{decimals}d}" if decimals else str(units)
    cents = units * 100 + fraction * 10 ** (2 - decimals)
    zeros = "0" * draw(st.integers(0, 2))  # leading zeros are still whole numbers
    code = draw(st.sampled_from(("", " "))) + site + draw(st.sampled_from(("", " ")))  # spaces are trimmed
    fields = [code, f"{day:%d-%m-%Y} {h:02d}:{m:02d}", zeros + str(quantity), value]
    if quote:
        quoted = draw(st.lists(st.booleans(), min_size=4, max_size=4))
        fields = [f'"{f}"' if q else f for f, q in zip(fields, quoted, strict=True)]
    return fields, site, hour(day, h), quantity, cents


def _model(rows: list[tuple[list[str], str, int, int, int]]) -> dict[tuple[str, int], tuple[int, int]]:
    model: dict[tuple[str, int], tuple[int, int]] = {}
    for _fields, site, local_hour, quantity, cents in rows:
        q, c = model.get((site, local_hour), (0, 0))
        model[(site, local_hour)] = (q + quantity, c + cents)
    return model


@settings(max_examples=80, deadline=None)
@given(rows=st.lists(sales_row(), min_size=1, max_size=300), quote=st.booleans(),
       newline=st.sampled_from(("\r\n", "\n")), blank_every=st.integers(0, 40), block=BLOCK_SIZES)
def test_both_paths_sum_every_row_into_its_site_hour(rows: list[tuple[list[str], str, int, int, int]],
                                                     quote: bool, newline: str, blank_every: int,
                                                     block: int) -> None:
    lines = [",".join(f if quote else f.strip('"') for f in fields) for fields, *_ in rows]
    if blank_every:  # blank lines anywhere are skipped
        lines = [line for i, row in enumerate(lines)
                 for line in ((row, "") if i % blank_every == 0 else (row,))]
    body = newline.join([HEADER, *lines]) + newline
    fast, careful, fell_back = _read_both(body, block)
    assert not fell_back
    assert (fast.error_count, fast.rows, fast.totals) == (0, len(rows), _model(rows))
    assert _outcome(careful) == _outcome(fast)


NAMES = {"store_code": "Shop", "date_time": "When", "quantity": "Tickets", "value": "Takings"}


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(sales_row(quote=False), min_size=1, max_size=200),
       order=st.permutations((*NAMES.values(), "Note")), delimiter=st.sampled_from((",", ";", "\t", "|")),
       newline=st.sampled_from(("\r\n", "\n")), note=st.text("ab ,;|\t\"\u00e9", max_size=4),
       block=BLOCK_SIZES)
def test_any_layout_reads_the_same_on_both_paths(rows: list[tuple[list[str], str, int, int, int]],
                                                 order: list[str], delimiter: str, newline: str,
                                                 note: str, block: int) -> None:
    profile = MappingProfile(name="till", delimiter=delimiter, **NAMES)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    writer.writerow(order)
    position = {name: order.index(name) for name in order}
    for fields, *_ in rows:
        record = [""] * len(order)
        for name, text in zip(NAMES.values(), fields, strict=True):
            record[position[name]] = text
        record[position["Note"]] = note
        writer.writerow(record)
    fast, careful, fell_back = _read_both(buffer.getvalue(), block, profile)
    assert not fell_back
    assert (fast.error_count, fast.totals) == (0, _model(rows))
    assert _outcome(careful) == _outcome(fast)


# What a damaged file may hold: line ends of all kinds, delimiters, quotes, spaces, signs,
# decimal points, digits of other scripts, a form feed.
DAMAGE = st.sampled_from(("\r", "\n", "\r\n", ",", ",,", '"', " ", "-", "+", ".", "0", "9", "e", "\t",
                          "\u0661", "\x0c", ""))
LINE_ENDS = st.sampled_from(("\n", "\r", "\r\n", ",\n", ",\r\n", "\r\r\n", "\n\n", ""))


@st.composite
def damaged(draw: st.DrawFn, rows: list[list[str]], newline: str) -> str:
    """The text of `rows` with a few kinds of damage: inside a field or at its edge, to a line
    end, a field moved across a line end, a quoted field holding a comma or a line break."""
    lines = [list(fields) for fields in rows]
    ends = [newline] * len(lines)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(("inside", "edge", "line end", "shift", "quote")))
        if kind == "line end":
            ends[i] = draw(LINE_ENDS)
        elif kind == "shift":
            if i + 1 < len(lines) and lines[i + 1]:
                lines[i].append(lines[i + 1].pop(0))
        elif lines[i]:
            j = draw(st.integers(0, len(lines[i]) - 1))
            text = lines[i][j]
            if kind == "quote":
                lines[i][j] = '"' + text + draw(st.sampled_from((",1", "1,", "\n", "\r\n"))) + '"'
            else:
                edges = st.sampled_from((0, len(text))) if kind == "edge" else st.integers(0, len(text))
                at = draw(edges)
                lines[i][j] = text[:at] + draw(DAMAGE) + text[at + draw(st.integers(0, 2)):]
    return "".join(",".join(fields) + end for fields, end in zip(lines, ends, strict=True))


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(sales_row(quote=False), min_size=1, max_size=40),
       newline=st.sampled_from(("\r\n", "\n")), block=BLOCK_SIZES, data=st.data())
def test_a_damaged_file_reads_the_same_on_both_paths(rows: list[tuple[list[str], str, int, int, int]],
                                                     newline: str, block: int, data: st.DataObject) -> None:
    text = data.draw(damaged([fields for fields, *_ in rows], newline))
    fast, careful, _fell_back = _read_both(HEADER + newline + text + newline, block)
    assert _outcome(fast) == _outcome(careful)


def test_the_seeds_profile_is_the_default() -> None:
    assert parse(HEADER + "\r\nKUL01,01-03-2024 10:00,1,1\r\n", SEEDS).error_count == 0
