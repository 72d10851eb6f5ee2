"""A counter's daily file → reported-count payloads (pure: text lines in, dicts or problems out).

Rows are read one at a time from any iterable of lines, so a file of any size is parsed
with bounded memory. Every row is checked against the same rules the ingest core applies
(`parse_reported_count`), so a file that passes `check` cannot be refused half-way in.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from footfall.connectors.ftp_drop.config import FileFormat
from footfall.domain.counts import parse_reported_count
from footfall.domain.fields import FieldError

SOURCE = "ftp"
_OFFSET = re.compile(r"^(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})$")
_TEMPORARY_SUFFIXES = (".part", ".tmp", ".filepart", ".crdownload", ".partial", ".uploading")
# payload key → (Columns attribute, value used when the file has no such column)
COUNT_FIELDS: tuple[tuple[str, str, int | None], ...] = (
    ("line", "line", 1), ("in", "in_", None), ("out", "out", None),
    ("staff_in", "staff_in", 0), ("staff_out", "staff_out", 0),
)


class Problem(NamedTuple):
    """Why one value of a file was refused: the line (1 = header), the column and the value."""

    line: int
    field: str
    value: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}, field {self.field}: {self.reason} (value {self.value!r})"


class FileRejected(ValueError):
    """The file cannot be ingested; `problems` names each bad line and field."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(map(str, problems[:3])))
        self.problems = problems


@dataclass(slots=True)
class Check:
    """The verdict of the validating pass: rows that would be ingested, or the problems."""

    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    more_problems: int = 0  # beyond the ones listed

    @property
    def ok(self) -> bool:
        """True when every line is good."""
        return not self.problems


def is_temporary(name: str) -> bool:
    """A name uploaders use while a file is still being written (`x.csv.part`, `.x.csv`)."""
    return name.startswith((".", "~")) or name.lower().endswith(_TEMPORARY_SUFFIXES)


def name_pattern(pattern: str) -> re.Pattern[str]:
    """The file name pattern (`{serial}_{date:%Y%m%d}.{ext}`) as a regex capturing the serial."""
    parts, rest = [], pattern
    for match in re.finditer(r"\{(\w+)(?::[^}]*)?\}", pattern):
        literal, rest = rest.split(match.group(0), 1)
        parts.append(re.escape(literal))
        key = match.group(1)
        first_serial = key == "serial" and "(?P<serial>" not in "".join(parts)
        parts.append(r"(?P<serial>[0-9A-Za-z_.:-]+?)" if first_serial
                     else r"(?:csv|txt)" if key == "ext" else r".+?")
    parts.append(re.escape(rest))
    return re.compile("^" + "".join(parts) + "$", re.IGNORECASE)


def wanted(fmt: FileFormat, name: str) -> bool:
    """Whether `name` is a finished file of this layout (others are left where they are)."""
    return not is_temporary(name) and name_pattern(fmt.file_name).match(name) is not None


class RowReader:
    """Turns the rows of one file into payloads; keeps the little state a file needs."""

    def __init__(self, fmt: FileFormat, header: list[str], name: str, now_ts: int) -> None:
        self.fmt, self.now_ts = fmt, now_ts
        self._index = _columns(fmt, header)
        match = name_pattern(fmt.file_name).match(name)
        self._name_serial = match.group("serial") if match and "serial" in match.groupdict() else None
        self._zone = ZoneInfo(fmt.timezone) if fmt.timezone else None
        self._stamp = fmt.date_format + (" " + fmt.time_format if fmt.columns.time else "")
        self._stamps: dict[str, datetime] = {}
        self._offsets: dict[str, int] = {}
        self._last: datetime | None = None
        self._fold = 0
        self.last_local: datetime | None = None  # wall clock of the latest row, for `cut_short`

    def payload(self, line: int, row: list[str]) -> dict[str, Any]:
        """One data row as a reported-count payload; FileRejected naming line and field if bad."""
        if len(row) < len(self._index.width):
            raise FileRejected([Problem(line, "(row)", self.fmt.delimiter.join(row),
                                        f"{len(row)} fields, the header has {len(self._index.width)}")])
        cols = self.fmt.columns
        payload: dict[str, Any] = {"source": SOURCE, "length": self.fmt.interval_s,
                                   "start": self._start(line, row)}
        payload["serial"] = self._cell(row, cols.serial).strip() if cols.serial else self._name_serial
        for key, attr, default in COUNT_FIELDS:
            column = getattr(cols, attr)
            if column is None:
                payload[key] = default
                continue
            text = self._cell(row, column).strip()
            if not (text.isascii() and text.isdigit()):
                raise FileRejected([Problem(line, column, text, "not a whole number ≥ 0")])
            payload[key] = int(text)
        try:
            parse_reported_count(payload, self.now_ts)
        except FieldError as error:
            key = _field_of(str(error))
            raise FileRejected([Problem(line, self._column_names().get(key, "(row)"),
                                        str(payload.get(key, "")), str(error))]) from None
        return payload

    def _cell(self, row: list[str], column: str) -> str:
        return row[self._index.at[column]]

    def _column_names(self) -> dict[str, str]:
        cols = self.fmt.columns
        names = {key: getattr(cols, attr) for key, attr, _ in COUNT_FIELDS}
        names.update(serial=cols.serial or "(file name)", start=cols.date, length="(interval_s)")
        return {k: v for k, v in names.items() if v}

    def _start(self, line: int, row: list[str]) -> int:
        cols = self.fmt.columns
        text = self._cell(row, cols.date).strip()
        if cols.time:
            text = f"{text} {self._cell(row, cols.time).strip()}"
        local = self._stamps.get(text)
        if local is None:
            try:
                # The wall-clock reading, held as if it were UTC; the offset or zone places it.
                local = datetime.strptime(text, self._stamp).replace(tzinfo=UTC)
            except ValueError:
                where = cols.date if not cols.time else f"{cols.date}/{cols.time}"
                reason = f"not a date and time in {self._stamp!r}"
                raise FileRejected([Problem(line, where, text, reason)]) from None
            if len(self._stamps) >= 1500:  # about one day of minutes: bounded, and rows come in order
                self._stamps.clear()
            self._stamps[text] = local
        self.last_local = local
        if cols.utc_offset:
            offset = self._offset(line, self._cell(row, cols.utc_offset).strip())
            return int(local.timestamp()) - offset
        return self._zoned(local)

    def _offset(self, line: int, text: str) -> int:
        seconds = self._offsets.get(text)
        if seconds is None:
            match = _OFFSET.match(text)
            if match is None or int(match.group(2)) > 14 or int(match.group(3)) >= 60:
                column = self.fmt.columns.utc_offset or ""
                raise FileRejected([Problem(line, column, text, "not a UTC offset like +01:00")])
            sign = -1 if match.group(1) == "-" else 1
            seconds = sign * (int(match.group(2)) * 3600 + int(match.group(3)) * 60)
            self._offsets[text] = seconds
        return seconds

    def _zoned(self, local: datetime) -> int:
        # Without offsets, the repeated hour of a fall-back night is told apart by order:
        # once the clock goes back within a day, later rows are the second pass (fold=1).
        if self._last is not None and local.date() != self._last.date():
            self._fold = 0
        elif self._last is not None and local < self._last:
            self._fold = 1
        self._last = local
        return int(local.replace(tzinfo=self._zone, fold=self._fold).timestamp())


@dataclass(frozen=True, slots=True)
class _Index:
    at: dict[str, int]
    width: tuple[str, ...]


def _columns(fmt: FileFormat, header: list[str]) -> _Index:
    names = [h.strip().lstrip("\ufeff") for h in header]
    wanted_columns = [c for c in fmt.columns.model_dump(by_alias=True).values() if c]
    missing = [c for c in wanted_columns if c not in names]
    if missing:
        raise FileRejected([Problem(1, c, ",".join(names)[:200], "column missing from the header")
                            for c in missing])
    return _Index({c: names.index(c) for c in wanted_columns}, tuple(names))


def read_payloads(lines: Iterable[str], fmt: FileFormat, name: str, now_ts: int) -> Iterator[dict[str, Any]]:
    """Every row's payload in file order; raises FileRejected at the first bad line."""
    rows = csv.reader(lines, delimiter=fmt.delimiter)
    header = next(rows, None)
    if header is None:
        raise FileRejected([Problem(1, "(header)", "", "the file is empty")])
    reader = RowReader(fmt, header, name, now_ts)
    for row in rows:
        if not row or not any(cell.strip() for cell in row):
            continue
        yield reader.payload(rows.line_num, row)


def check(lines: Iterable[str], fmt: FileFormat, name: str, now_ts: int, max_problems: int = 20) -> Check:
    """The validating pass: count the good rows and list up to `max_problems` bad ones."""
    verdict = Check()
    rows = csv.reader(lines, delimiter=fmt.delimiter)
    try:
        header = next(rows, None)
        if header is None:
            raise FileRejected([Problem(1, "(header)", "", "the file is empty")])
        reader = RowReader(fmt, header, name, now_ts)
    except FileRejected as rejected:
        verdict.problems = rejected.problems
        return verdict
    except csv.Error as error:
        verdict.problems = [Problem(1, "(header)", "", f"not {fmt.file_format} text: {error}")]
        return verdict
    while True:
        try:
            row = next(rows)
        except StopIteration:
            if verdict.ok and fmt.whole_days and (problem := cut_short(reader, rows.line_num)):
                verdict.problems.append(problem)
            return verdict
        except csv.Error as error:
            reason = f"not {fmt.file_format} text: {error}"
            verdict.problems.append(Problem(rows.line_num, "(row)", "", reason))
            return verdict
        if not row or not any(cell.strip() for cell in row):
            continue
        try:
            reader.payload(rows.line_num, row)
        except FileRejected as rejected:
            if len(verdict.problems) < max_problems:
                verdict.problems.extend(rejected.problems)
            else:
                verdict.more_problems += 1
            continue
        verdict.rows += 1


def cut_short(reader: RowReader, line: int) -> Problem | None:
    """A file that stops before the end of a local day was cut short (a half upload)."""
    last = reader.last_local
    if last is None:
        return Problem(line, "(file)", "", "the file has no data rows")
    if (last + timedelta(seconds=reader.fmt.interval_s)).time() == time(0):
        return None
    column = reader.fmt.columns.time or reader.fmt.columns.date
    return Problem(line, column, f"{last:%Y-%m-%d %H:%M}", "the file ends before the end of the day: "
                   "was the upload cut short?")


def report_text(name: str, verdict: Check) -> str:
    """The error report written beside a rejected file."""
    lines = [f"{name}: rejected, nothing from it was stored.", ""]
    lines += [str(p) for p in verdict.problems]
    if verdict.more_problems:
        lines.append(f"… and {verdict.more_problems} more bad line(s)")
    return "\n".join(lines) + "\n"


Stat = tuple[int, int]  # size, modification time (ns)


def settled(seen: dict[str, tuple[Stat, float]], now: dict[str, Stat], at: float,
            settle_s: float) -> tuple[list[str], dict[str, tuple[Stat, float]]]:
    """Names whose (size, mtime) stayed the same for `settle_s` and over two looks: their writer is done.

    `seen` maps each name to the stat last seen and since when; returns the ready names and
    the map to keep for the next look.
    """
    ready, keep = [], {}
    for name, stat in now.items():
        before = seen.get(name)
        if before is not None and before[0] == stat:
            keep[name] = before
            if at - before[1] >= settle_s:
                ready.append(name)
        else:
            keep[name] = (stat, at)
    return sorted(ready), keep


def _field_of(message: str) -> str:
    """The payload key a FieldError message is about ("in must be …", "missing field serial")."""
    words = message.replace("missing field ", "").split(" ", 1)
    return words[0]
