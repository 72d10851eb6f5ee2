"""Ground truth: exactly what each simulated counter counted, per line and UTC minute, as CSV."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple, TextIO

from footfall.simulator.fleet import Fleet
from footfall.simulator.traffic import raw_crossings

HEADER = ("serial", "line", "minute_utc", "in", "out", "staff_in", "staff_out")


class TruthRow(NamedTuple):
    """Counts of one line (RoiId) of one counter in one UTC minute; `in_`/`out` are visitors only."""

    serial: str
    line: int
    minute_utc: str
    in_: int
    out: int
    staff_in: int
    staff_out: int

    @property
    def minute_ts(self) -> int:
        """The minute's start, epoch seconds."""
        return int(datetime.strptime(self.minute_utc, "%Y-%m-%dT%H:%M:%S%z").timestamp())


def minute_iso(ts: int) -> str:
    """An epoch minute as ISO 8601 UTC, e.g. 2026-11-20T09:15:00Z."""
    return datetime.fromtimestamp(ts - ts % 60, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def truth_rows(fleet: Fleet, start: int, end: int) -> Iterator[TruthRow]:
    """Every (counter, line, minute) with any crossing in [start, end), sorted by serial, line, minute."""
    for serial in sorted(c.serial for c in fleet.counters):
        minutes: dict[tuple[int, int], list[int]] = {}
        for at, roi, metric, people_type in raw_crossings(fleet, serial, start, end):
            # The hub's in/out are visitors (PeopleTypeId 1); staff (2) go to staff_in/staff_out.
            cell = minutes.setdefault((roi, at - at % 60), [0, 0, 0, 0])
            cell[(people_type - 1) * 2 + metric - 1] += 1
        for (roi, minute), counts in sorted(minutes.items()):
            yield TruthRow(serial, roi, minute_iso(minute), *counts)


def write_truth(fleet: Fleet, start: int, end: int, out: TextIO) -> int:
    """Write the truth CSV for [start, end) to `out` (byte-identical for the same fleet and range)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    rows = 0
    for row in truth_rows(fleet, start, end):
        writer.writerow(row)
        rows += 1
    return rows


def read_truth(path: str | Path) -> list[TruthRow]:
    """Read a truth CSV back into rows."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if tuple(header or ()) != HEADER:
            raise ValueError(f"{path}: not a truth file (header {header!r}, expected {','.join(HEADER)})")
        return [TruthRow(s, int(line), minute, *map(int, counts)) for s, line, minute, *counts in reader]
