"""Ground truth: what each counter counted, per line and UTC minute, byte-identical per seed."""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from footfall.simulator.fleet import build_fleet
from footfall.simulator.traffic import STAFF, VISITOR, crossings, tallies
from footfall.simulator.truth import HEADER, minute_iso, read_truth, truth_rows, write_truth

FLEET = build_fleet(counters=12, sites=4, seed=77)
START = int(datetime(2026, 11, 20, tzinfo=UTC).timestamp())
END = START + 86400


def _truth(fleet=FLEET, start: int = START, end: int = END) -> str:
    out = io.StringIO()
    write_truth(fleet, start, end, out)
    return out.getvalue()


def test_truth_is_byte_identical_for_the_same_seed_and_range() -> None:
    first = _truth()
    assert first == _truth(build_fleet(counters=12, sites=4, seed=77))
    assert first != _truth(build_fleet(counters=12, sites=4, seed=78))
    assert first.startswith(",".join(HEADER) + "\n") and "\r" not in first and first.endswith("\n")


def test_rows_are_sorted_and_only_minutes_with_counts() -> None:
    rows = list(truth_rows(FLEET, START, END))
    keys = [(r.serial, r.line, r.minute_utc) for r in rows]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert all(r.in_ + r.out + r.staff_in + r.staff_out > 0 for r in rows)
    assert all(START <= r.minute_ts < END and r.minute_ts % 60 == 0 for r in rows)
    assert rows[0].minute_utc.endswith(":00Z")


def test_visitors_and_staff_are_counted_apart_like_the_hub() -> None:
    rows = list(truth_rows(FLEET, START, END))
    for counter in FLEET.counters:
        found = Counter((c.roi, c.people_type, c.metric)
                        for c in crossings(FLEET, counter.serial, START, END))
        mine = [r for r in rows if r.serial == counter.serial]
        for line in counter.rois:
            on_line = [r for r in mine if r.line == line]
            assert sum(r.in_ for r in on_line) == found[(line, VISITOR, 1)]
            assert sum(r.out for r in on_line) == found[(line, VISITOR, 2)]
            assert sum(r.staff_in for r in on_line) == found[(line, STAFF, 1)]
            assert sum(r.staff_out for r in on_line) == found[(line, STAFF, 2)]


def test_truth_matches_minute_tallies() -> None:
    serial = FLEET.counters[0].serial
    wanted = {(t.roi, minute_iso(t.start)): (t.in_, t.out, t.staff_in, t.staff_out)
              for t in tallies(FLEET, serial, START, END, 60) if t.in_ + t.out + t.staff_in + t.staff_out}
    got = {(r.line, r.minute_utc): tuple(r[3:]) for r in truth_rows(FLEET, START, END) if r.serial == serial}
    assert got == wanted and got


def test_read_truth_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "truth.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        count = write_truth(FLEET, START, START + 6 * 3600, handle)
    rows = read_truth(path)
    assert len(rows) == count and rows == list(truth_rows(FLEET, START, START + 6 * 3600))
    assert path.read_bytes() == _truth(end=START + 6 * 3600).encode()


def test_read_truth_refuses_other_files(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="not a truth file"):
        read_truth(path)


def test_minute_iso() -> None:
    at = int(datetime(2026, 11, 20, 9, 15, 42, tzinfo=UTC).timestamp())
    assert minute_iso(at) == "2026-11-20T09:15:00Z"
