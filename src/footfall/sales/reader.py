"""Read a sales file in one streaming pass: decode, find the header, check and sum every row.

The fast path (`columns`) handles clean files; at the first doubt the file is read again
from its start on the careful path (`rows`), which lists every error with line, field,
value and reason. The result is what to store (hourly totals per site code, local time)
and what to log; storing it or not is the caller's choice (all-or-nothing, or valid rows).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import BinaryIO

from footfall.sales.columns import ColumnSummer, NotClean
from footfall.sales.fields import HOUR_BITS, HOUR_MASK, HourKeys
from footfall.sales.header import locate
from footfall.sales.problems import MAX_LOGGED_ERRORS, FileRefused, ImportLimits, RowError, row_error
from footfall.sales.profile import MappingProfile, compile_date_format
from footfall.sales.rows import RowChecker
from footfall.sales.runs import HourSums
from footfall.sales.stream import Meter

CHUNK_ROWS = 4_000
BLOCK_CHARS = 1 << 17  # the fast path reads text in blocks of whole lines
Progress = Callable[[int], None]  # bytes read so far


@dataclass(slots=True)
class ParsedFile:
    """Hourly totals and the problems of one file."""

    # per (index of the site code in `codes` << HOUR_BITS) + local hour ordinal
    sums: HourSums = field(default_factory=HourSums)
    codes: list[str] = field(default_factory=list)
    rows: int = 0  # data rows (blank lines not counted)
    rows_valid: int = 0
    errors: list[RowError] = field(default_factory=list)  # the first MAX_LOGGED_ERRORS, by line
    error_count: int = 0
    refused: bool = False  # the whole file was refused: nothing of it may be stored

    @property
    def totals(self) -> dict[tuple[str, int], tuple[int, int]]:
        """(site code, local hour ordinal: date.toordinal() * 24 + hour) → (transactions, cents)."""
        return {(self.codes[k >> HOUR_BITS], k & HOUR_MASK): v for k, v in self.sums.as_dict().items()}

    def add_error(self, error: RowError) -> None:
        """Count an error and keep it for the log while there is room."""
        self.error_count += 1
        if len(self.errors) < MAX_LOGGED_ERRORS:
            self.errors.append(error)


def read_sales(stream: BinaryIO, profile: MappingProfile, site_codes: Iterable[str],
               limits: ImportLimits | None = None, progress: Progress | None = None) -> ParsedFile:
    """Parse, check and sum a sales file (a seekable binary stream) against the company's sites."""
    sites = {code: index << HOUR_BITS for index, code in enumerate(site_codes)}
    limits = limits or ImportLimits()
    start = stream.tell()
    try:
        try:
            return _read(stream, profile, sites, limits, progress, fast=True)
        except NotClean:
            stream.seek(start)
            return _read(stream, profile, sites, limits, progress, fast=False)
    except FileRefused as refused:
        result = ParsedFile(refused=True)
        result.add_error(refused.error)
        return result


def _read(stream: BinaryIO, profile: MappingProfile, sites: dict[str, int], limits: ImportLimits,
          progress: Progress | None, *, fast: bool) -> ParsedFile:
    meter = Meter(stream, limits.max_bytes)
    encoding = "utf-8-sig" if profile.encoding.replace("_", "-").lower() in ("utf-8", "utf8") \
        else profile.encoding
    text = io.TextIOWrapper(meter, encoding=encoding, newline="")  # type: ignore[type-var]
    reader = csv.reader(text, delimiter=profile.delimiter)
    result = ParsedFile()
    try:
        located = locate(reader, profile, result)
        if located is None:
            return result
        header, indexes, names = located
        hours = HourKeys(compile_date_format(profile.date_format), profile.date_format)
        if fast:
            summer = ColumnSummer(len(header), indexes, hours, sites, profile.delimiter)
            while block := text.read(BLOCK_CHARS):
                if not block.endswith("\n"):
                    block += text.readline()  # whole lines only
                result.rows += summer.add_text(block)
                _check_rows(result, limits, result.rows + 1)
                if progress:
                    progress(meter.position)
            sums = summer.sums()
            result.rows_valid = result.rows
        else:
            checker = RowChecker(header, indexes, names, hours, sites)
            line = reader.line_num
            for record in reader:
                first, line = line + 1, reader.line_num
                if not record:
                    continue
                result.rows += 1
                errors = checker.check(first, record)
                for error in errors:
                    result.add_error(error)
                result.rows_valid += not errors
                if result.rows % CHUNK_ROWS == 0:
                    _check_rows(result, limits, line)
                    if progress:
                        progress(meter.position)
            _check_rows(result, limits, line)
            sums = HourSums.from_dict(checker.totals)
    except UnicodeDecodeError as error:
        raise FileRefused(row_error(reader.line_num + 1, "", "", f"not {profile.encoding} text "
                                    f"({error.reason}); set the profile's encoding")) from None
    except csv.Error as error:
        raise FileRefused(row_error(reader.line_num, "", "", f"unreadable CSV: {error}")) from None
    finally:
        text.detach()
    if result.rows == 0 and not result.errors:
        result.add_error(row_error(reader.line_num + 1, "", "", "no sales rows below the header"))
    result.sums = sums
    result.codes = list(sites)
    return result


def _check_rows(result: ParsedFile, limits: ImportLimits, line: int) -> None:
    if result.rows > limits.max_rows:
        raise FileRefused(row_error(line, "", "", f"more than {limits.max_rows:,} rows: the limit "
                                    "per file; split the file"))
