"""The counter's daily minute file: every minute, every line, the ground-truth counts, any date format."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date

import pytest

from footfall.simulator.devices.daily_file import (
    COLUMNS,
    check_date_format,
    check_file_name,
    daily_file_name,
    day_bounds,
    render_daily_file,
)
from footfall.simulator.fleet import ENTRANCE_ROI, OUTSIDE_ROI, CounterSpec, Fleet, SiteSpec
from footfall.simulator.traffic import crossings, tallies

OPEN_DAILY = ((9 * 60, 18 * 60),) * 6 + (None,)  # closed on Sunday


def _fleet() -> Fleet:
    sites = (
        SiteSpec("LON", "London", "Europe/London", OPEN_DAILY, daily_visitors=800),
        SiteSpec("DEL", "Delhi", "Asia/Kolkata", OPEN_DAILY, daily_visitors=600),
    )
    counters = (
        CounterSpec("00000000000a0001", "FFC-2024-000101", "LON", 1, 1.0, True, ("ftp",)),
        CounterSpec("00000000000a0002", "FFC-2024-000102", "DEL", 1, 1.0, False, ("ftp",)),
    )
    return Fleet(seed=11, sites=sites, counters=counters)


FLEET = _fleet()
LONDON, DELHI = (c.serial for c in FLEET.counters)


def _rows(data: bytes, delimiter: str = ",") -> list[dict[str, str]]:
    text = data.decode("utf-8")
    assert text.endswith("\r\n")
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


def test_a_normal_day_has_every_minute_of_every_line_zeros_included() -> None:
    rows = _rows(render_daily_file(FLEET, LONDON, date(2025, 6, 14)))
    assert list(rows[0]) == list(COLUMNS)
    per_line = Counter(row["RoiId"] for row in rows)
    assert per_line == {str(ENTRANCE_ROI): 1440, str(OUTSIDE_ROI): 1440}
    assert rows[0]["Time"] == "00:00" and rows[-1]["Time"] == "23:59"
    assert rows[0]["UtcOffset"] == "+01:00"
    assert any(row["In"] == "0" for row in rows) and any(row["In"] != "0" for row in rows)


def test_totals_equal_the_ground_truth_crossings() -> None:
    day = date(2025, 6, 14)
    rows = _rows(render_daily_file(FLEET, LONDON, day))
    start, end = day_bounds(day, "Europe/London")
    truth = Counter((c.roi, c.metric, c.people_type) for c in crossings(FLEET, LONDON, start, end))
    for roi in (ENTRANCE_ROI, OUTSIDE_ROI):
        line = [row for row in rows if row["RoiId"] == str(roi)]
        assert sum(int(r["In"]) for r in line) == truth[(roi, 1, 1)]
        assert sum(int(r["Out"]) for r in line) == truth[(roi, 2, 1)]
        assert sum(int(r["StaffIn"]) for r in line) == truth[(roi, 1, 2)]
        assert sum(int(r["StaffOut"]) for r in line) == truth[(roi, 2, 2)]
    assert truth[(ENTRANCE_ROI, 1, 1)] > 0 and truth[(ENTRANCE_ROI, 1, 2)] > 0


def test_every_row_is_the_tally_of_its_minute() -> None:
    day = date(2025, 6, 13)
    rows = _rows(render_daily_file(FLEET, LONDON, day))
    start, end = day_bounds(day, "Europe/London")
    expected = sorted(tallies(FLEET, LONDON, start, end, 60), key=lambda t: (t.start, t.roi))
    assert [(r["RoiId"], r["In"], r["Out"], r["StaffIn"], r["StaffOut"]) for r in rows] == [
        (str(t.roi), str(t.in_), str(t.out), str(t.staff_in), str(t.staff_out)) for t in expected
    ]


def test_a_closed_day_is_all_zeros_on_the_entrance_line() -> None:
    rows = _rows(render_daily_file(FLEET, DELHI, date(2025, 6, 15)))  # a Sunday
    assert len(rows) == 1440
    assert {(r["In"], r["Out"], r["StaffIn"], r["StaffOut"]) for r in rows} == {("0", "0", "0", "0")}


@pytest.mark.parametrize(("day", "minutes"), [(date(2025, 3, 30), 1380), (date(2025, 10, 26), 1500)])
def test_dst_days_have_23_or_25_hours_of_unambiguous_rows(day: date, minutes: int) -> None:
    rows = _rows(render_daily_file(FLEET, LONDON, day))
    entrance = [r for r in rows if r["RoiId"] == str(ENTRANCE_ROI)]
    assert len(entrance) == minutes
    stamps = {(r["Date"], r["Time"], r["UtcOffset"]) for r in entrance}
    assert len(stamps) == minutes
    assert {r["Date"] for r in entrance} == {day.isoformat()}
    if minutes == 1500:
        assert {r["UtcOffset"] for r in entrance if r["Time"] == "01:30"} == {"+01:00", "+00:00"}
    else:
        assert not any(r["Time"].startswith("01:") for r in entrance)


def test_a_half_hour_zone_day_starts_at_its_local_midnight() -> None:
    day = date(2025, 6, 14)
    start, end = day_bounds(day, "Asia/Kolkata")
    assert start % 3600 == 1800 and end - start == 86400
    rows = _rows(render_daily_file(FLEET, DELHI, day))
    assert rows[0]["Time"] == "00:00" and rows[0]["UtcOffset"] == "+05:30"
    truth = [c for c in crossings(FLEET, DELHI, start, end) if c.roi == ENTRANCE_ROI and c.metric == 1]
    assert sum(int(r["In"]) + int(r["StaffIn"]) for r in rows) == len(truth)


@pytest.mark.parametrize(("date_format", "shown"), [
    ("%Y-%m-%d", "2025-06-04"), ("%d/%m/%Y", "04/06/2025"),
    ("%m/%d/%Y", "06/04/2025"), ("%Y%m%d", "20250604"),
])
def test_the_date_column_follows_the_date_format(date_format: str, shown: str) -> None:
    rows = _rows(render_daily_file(FLEET, LONDON, date(2025, 6, 4), date_format=date_format))
    assert {r["Date"] for r in rows} == {shown}


def test_txt_is_tab_separated() -> None:
    data = render_daily_file(FLEET, DELHI, date(2025, 6, 4), file_format="txt")
    assert data.startswith("\t".join(COLUMNS).encode() + b"\r\n")
    assert len(_rows(data, delimiter="\t")) == 1440


def test_file_names_follow_the_pattern() -> None:
    counter = FLEET.counter(LONDON)
    day = date(2025, 6, 4)
    assert daily_file_name("{serial}_{date:%Y%m%d}.{ext}", counter, day, "csv") == f"{LONDON}_20250604.csv"
    custom = "{site}-door{door}-{company_serial}-{date:%d-%m-%Y}.{ext}"
    assert daily_file_name(custom, counter, day, "txt") == "LON-door1-FFC-2024-000101-04-06-2025.txt"


@pytest.mark.parametrize("pattern", ["{serial}.csv", "{nope}_{date:%Y}.csv", "a/{date:%Y%m%d}.csv",
                                     "{date:%Y"])
def test_bad_file_name_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(ValueError, match="file name pattern"):
        check_file_name(pattern)


@pytest.mark.parametrize("date_format", ["%Y-%m", "%d/%m", "%d.%m.%y", "%Y-%d-%m"])
def test_date_formats_that_keep_the_date_are_accepted_others_refused(date_format: str) -> None:
    if date_format in ("%d.%m.%y", "%Y-%d-%m"):
        assert check_date_format(date_format) == date_format
    else:
        with pytest.raises(ValueError, match="does not round-trip"):
            check_date_format(date_format)
