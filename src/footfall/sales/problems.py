"""What can be wrong with a sales file: row errors (line, field, value, reason), limits, profiles."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

LOG_HEADER = ("line", "field", "value", "reason")
# The log names every bad row up to this many; past it the rest are counted.
MAX_LOGGED_ERRORS = 100_000
_SHOWN_VALUE = 80


class RowError(NamedTuple):
    """One problem of a sales file: physical line (1 = header), field, the value, why."""

    line: int
    field: str
    value: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", {self.field}" if self.field else "")
        shown = f" {self.value!r}" if self.value else ""
        return f"{where}:{shown} {self.reason}"


def row_error(line: int, field: str, value: str, reason: str) -> RowError:
    """A row error with an overlong value shortened (a log must stay readable)."""
    if len(value) > _SHOWN_VALUE:
        value = value[:_SHOWN_VALUE] + "…"
    return RowError(line, field, value, reason)


class ProfileError(ValueError):
    """A mapping profile is not usable; `field` names the setting at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class FileRefused(ValueError):
    """The whole file is refused (too large, too many rows, undecodable): one error says why."""

    def __init__(self, error: RowError) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass(frozen=True, slots=True)
class ImportLimits:
    """Upload limits: larger files are refused with an error that names the limit."""

    max_bytes: int = 256 * 1024 * 1024
    max_rows: int = 5_000_000


def log_csv(errors: Iterable[RowError], more: int = 0) -> str:
    """The import log as CSV (`line,field,value,reason`), with a closing note of unlisted errors."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(LOG_HEADER)
    for error in errors:
        # A value that could run as a spreadsheet formula is quoted with a leading '.
        value = "'" + error.value if error.value.startswith(("=", "+", "-", "@")) else error.value
        writer.writerow((error.line, error.field, value, error.reason))
    if more:
        writer.writerow(("", "", "", f"… and {more} more errors not listed"))
    return buffer.getvalue()
