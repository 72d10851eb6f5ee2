"""The counter file parser, pure: the simulator's daily files in every layout, and bad lines named."""

from __future__ import annotations

import io
import time
from datetime import date

import pytest
from pydantic import ValidationError

from footfall.connectors.ftp_drop.config import DropConfig, FileFormat
from footfall.connectors.ftp_drop.parse import check, is_temporary, read_payloads, settled, wanted
from footfall.simulator.devices.daily_file import day_bounds, render_daily_file
from footfall.simulator.fleet import CounterSpec, Fleet, SiteSpec
from footfall.simulator.traffic import tallies

ALL_DAY = ((0, 1440),) * 7
FLEET = Fleet(seed=11, sites=(SiteSpec("BER", "Berlin", "Europe/Berlin", ALL_DAY, daily_visitors=800),),
              counters=(CounterSpec("00000000000d0001", "FFC-2024-000401", "BER", 1, 1.0, True, ("ftp",)),))
SERIAL = FLEET.counters[0].serial
NOW = int(time.time())
HEADER = "Date,Time,UtcOffset,Serial,RoiId,In,Out,StaffIn,StaffOut\r\n"


def _lines(data: bytes | str) -> io.StringIO:
    return io.StringIO(data.decode() if isinstance(data, bytes) else data, newline="")


def _expected(day: date) -> dict[tuple[int, int], tuple[int, int, int, int]]:
    start, end = day_bounds(day, "Europe/Berlin")
    return {(t.start, t.roi): (t.in_, t.out, t.staff_in, t.staff_out)
            for t in tallies(FLEET, SERIAL, start, end, 60) if t.in_ or t.out or t.staff_in or t.staff_out}


@pytest.mark.parametrize(("day", "date_format", "file_format", "rows"), [
    (date(2025, 6, 18), "%Y-%m-%d", "csv", 2 * 1440),
    (date(2025, 3, 30), "%d/%m/%Y", "txt", 2 * 1380),   # spring forward: 23 hours
    (date(2025, 10, 26), "%m.%d.%Y", "csv", 2 * 1500),  # fall back: the repeated hour twice
])
def test_a_simulator_daily_file_parses_to_its_minute_tallies(day: date, date_format: str, file_format: str,
                                                              rows: int) -> None:
    data = render_daily_file(FLEET, SERIAL, day, date_format=date_format, file_format=file_format)
    fmt = FileFormat(date_format=date_format, file_format=file_format)
    assert check(_lines(data), fmt, "x", NOW).rows == rows
    payloads = list(read_payloads(_lines(data), fmt, "x", NOW))
    got = {(p["start"], p["line"]): (p["in"], p["out"], p["staff_in"], p["staff_out"])
           for p in payloads if p["in"] or p["out"] or p["staff_in"] or p["staff_out"]}
    assert got == _expected(day) and got
    assert {p["source"] for p in payloads} == {"ftp"} and {p["length"] for p in payloads} == {60}
    start, end = day_bounds(day, "Europe/Berlin")
    assert min(p["start"] for p in payloads) == start and max(p["start"] for p in payloads) == end - 60


def test_without_an_offset_column_the_zone_and_row_order_place_the_repeated_hour() -> None:
    day = date(2025, 10, 26)
    text = render_daily_file(FLEET, SERIAL, day).decode()
    cut = "\r\n".join(",".join(f for i, f in enumerate(line.split(",")) if i != 2)
                      for line in text.split("\r\n"))
    fmt = FileFormat(timezone="Europe/Berlin", columns={"utc_offset": None})
    full = list(read_payloads(_lines(text), FileFormat(), "x", NOW))
    assert list(read_payloads(_lines(cut), fmt, "x", NOW)) == full


def test_columns_are_mapped_by_header_name_in_any_order_and_the_serial_can_come_from_the_name() -> None:
    text = ("Zeit;Datum;Linie;Ein;Aus\n"
            "00:00;18.06.2025;1;3;1\n"
            "00:01;18.06.2025;1;0;2\n").replace(";", "\t")
    fmt = FileFormat(file_format="txt", date_format="%d.%m.%Y", timezone="Europe/Berlin",
                     file_name="counts-{serial}-{date:%Y%m%d}.{ext}",
                     columns={"date": "Datum", "time": "Zeit", "utc_offset": None, "serial": None,
                              "line": "Linie", "in": "Ein", "out": "Aus", "staff_in": None,
                              "staff_out": None})
    name = "counts-00000000000d0001-20250618.txt"
    assert wanted(fmt, name) and not wanted(fmt, name + ".part") and not wanted(fmt, "notes.txt")
    payloads = list(read_payloads(_lines(text), fmt, name, NOW))
    assert [(p["serial"], p["start"] % 86400, p["in"], p["out"]) for p in payloads] == [
        (SERIAL, 22 * 3600, 3, 1), (SERIAL, 22 * 3600 + 60, 0, 2)]


@pytest.mark.parametrize(("row", "line", "field", "value"), [
    ("2025-06-18,00:01,+02:00,00000000000d0001,1,x,0,0,0", 3, "In", "x"),
    ("2025-06-18,00:01,+02:00,00000000000d0001,1,0,-4,0,0", 3, "Out", "-4"),
    ("2025-06-31,00:01,+02:00,00000000000d0001,1,0,0,0,0", 3, "Date/Time", "2025-06-31 00:01"),
    ("2025-06-18,00:01,+25:00,00000000000d0001,1,0,0,0,0", 3, "UtcOffset", "+25:00"),
    ("2025-06-18,00:01,+02:00,not a serial!,1,0,0,0,0", 3, "Serial", "not a serial!"),
    ("2025-06-18,00:01,+02:00,00000000000d0001,1,0", 3, "(row)",
     "2025-06-18,00:01,+02:00,00000000000d0001,1,0"),
])
def test_a_bad_line_is_named_with_its_line_field_and_value(row: str, line: int, field: str,
                                                           value: str) -> None:
    text = HEADER + "2025-06-18,00:00,+02:00,00000000000d0001,1,1,0,0,0\r\n" + row + "\r\n"
    verdict = check(_lines(text), FileFormat(), "x", NOW)
    assert not verdict.ok and verdict.rows == 1
    [problem] = verdict.problems
    assert (problem.line, problem.field, problem.value) == (line, field, value)
    assert f"line {line}, field {field}" in str(problem)


def test_a_missing_column_is_named_on_the_header_line() -> None:
    verdict = check(_lines("Date,Time,Serial,RoiId,In\r\n"), FileFormat(), "x", NOW)
    assert {(p.line, p.field) for p in verdict.problems} == {(1, "UtcOffset"), (1, "Out"), (1, "StaffIn"),
                                                             (1, "StaffOut")}


def test_formats_are_checked_at_load_without_any_file() -> None:
    with pytest.raises(ValidationError, match="round-trip"):
        FileFormat(date_format="%Y-%m")
    with pytest.raises(ValidationError, match="timezone"):
        FileFormat(columns={"utc_offset": None})
    with pytest.raises(ValidationError, match="extra"):
        FileFormat(delimiter=";")
    with pytest.raises(ValidationError, match="exactly one"):
        DropConfig(company_id=1)
    with pytest.raises(ValidationError, match="IANA"):
        FileFormat(timezone="Mars/Olympus")


def test_temporary_names_and_the_size_stable_check() -> None:
    assert is_temporary("a.csv.part") and is_temporary(".a.csv") and not is_temporary("a.csv")
    ready, seen = settled({}, {"a.csv": (10, 1)}, 100.0, 5.0)
    assert ready == []
    ready, seen = settled(seen, {"a.csv": (20, 2)}, 106.0, 5.0)   # still growing
    assert ready == []
    ready, seen = settled(seen, {"a.csv": (20, 2)}, 108.0, 5.0)   # unchanged, but not for 5 s yet
    assert ready == []
    ready, _ = settled(seen, {"a.csv": (20, 2)}, 111.0, 5.0)
    assert ready == ["a.csv"]
