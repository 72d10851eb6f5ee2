"""Pure parts: the request's checks, date/time patterns, the column table, date chunks."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from footfall.domain import metrics
from footfall.domain.timegrid import Interval, range_edges
from footfall.export import ExportError, ExportRequest, column_table
from footfall.export.cells import CellMaker, decimal, neutral
from footfall.export.columns import resolve_columns
from footfall.export.rows import date_chunks
from footfall.export.timeformats import parse

LONDON = ZoneInfo("Europe/London")


def test_from_query_builds_the_request_and_round_trips() -> None:
    request = ExportRequest.from_query(7, {
        "level": "counter", "ids": "a1, b2", "interval": "15min", "fromdate": "20240301",
        "todate": "2024-03-02", "format": "xlsx", "dateformat": "yyyyMMdd", "columns": "date,in",
        "bom": "1", "access_token": "ignored"})
    assert request == ExportRequest(7, "counter", ["a1", "b2"], "15min", date(2024, 3, 1),
                                    date(2024, 3, 2), "xlsx", "yyyyMMdd", "HH:mmzzz",
                                    ["date", "in"], True)
    assert ExportRequest.from_query(7, request.to_query()) == request
    listed = {**request.to_query(), "ids": ["a1", "b2"], "columns": ("date", "in"), "bom": True,
              "fromdate": date(2024, 3, 1)}
    assert ExportRequest.from_query(7, listed) == request
    assert ExportRequest.from_query(7, {**request.to_query(), "ids": "all"}).ids == "all"


def test_direct_construction_is_checked_too() -> None:
    with pytest.raises(ExportError) as error:
        ExportRequest(1, "site", "all", "hour", date(2024, 3, 2), date(2024, 3, 1))
    assert error.value.parameter == "todate"
    with pytest.raises(ExportError) as error:
        ExportRequest(1, "site", [], "hour", date(2024, 3, 1), date(2024, 3, 1))
    assert error.value.parameter == "ids"


@pytest.mark.parametrize(("pattern", "text"), [
    ("yyyyMMdd", "20240304"), ("dd/MM/yyyy", "04/03/2024"), ("MM/dd/yyyy", "03/04/2024"),
    ("yyyy-MM-dd", "2024-03-04"), ("d.M.yy", "4.3.24"), ("dd MMM yyyy", "04 Mar 2024"),
])
def test_date_patterns(pattern: str, text: str) -> None:
    assert parse(pattern, "date").render(datetime(2024, 3, 4, 13, 5, tzinfo=LONDON)) == text


@pytest.mark.parametrize(("pattern", "hour", "text"), [
    ("HH:mm", 13, "13:05"), ("hh:mm tt", 13, "01:05 PM"), ("hh:mm tt", 0, "12:05 AM"),
    ("h:mm tt", 9, "9:05 AM"), ("HHmmss", 7, "070500"), ("HH:mmzzz", 13, "13:05+00:00"),
])
def test_time_patterns(pattern: str, hour: int, text: str) -> None:
    assert parse(pattern, "time").render(datetime(2024, 3, 4, hour, 5, tzinfo=LONDON)) == text


def test_default_time_tells_the_repeated_fall_back_hour_apart() -> None:
    first = datetime(2024, 10, 27, 1, 0, tzinfo=LONDON)
    second = first.replace(fold=1)
    pattern = parse("HH:mmzzz", "time")
    assert (pattern.render(first), pattern.render(second)) == ("01:00+01:00", "01:00+00:00")


def test_patterns_translate_to_excel_formats() -> None:
    assert parse("dd/MM/yyyy", "date").excel == "dd/mm/yyyy"
    assert parse("yyyyMMdd", "date").excel == "yyyymmdd"
    assert parse("hh:mm tt", "time").excel == "hh:mm AM/PM"
    assert parse("HH:mmzzz", "time").excel == "hh:mm"
    assert parse("yyyy#MM", "date").excel == "yyyy\\#mm"  # other literals escaped


def test_unknown_letters_are_refused() -> None:
    with pytest.raises(ValueError, match="'Q' is not one of yyyy, yy, MMM, MM, M, dd, d"):
        parse("yyyyQ", "date")
    with pytest.raises(ValueError, match="'MM'"):
        parse("HH:MM", "time")


def test_cells_are_consistent_and_neutral() -> None:
    assert [decimal(v) for v in (0.5, 0.12345, 2.0, -0.00001)] == ["0.5", "0.1235", "2", "0"]
    assert neutral("=1+1") == "'=1+1" and neutral("a=b") == "a=b"
    columns = {c.key: c for c in column_table()}
    cells = CellMaker(parse("yyyy-MM-dd", "date"), parse("=HH", "time"))
    time_text, in_text = cells.text(columns["time"]), cells.text(columns["in"])
    assert time_text(datetime(2024, 1, 1, 9, tzinfo=LONDON)) == "'=09"
    assert time_text(datetime(2024, 1, 2, 9, tzinfo=LONDON)) == "'=09"  # cached per clock time
    assert time_text(datetime(2024, 1, 2, 10, tzinfo=LONDON)) == "'=10"
    assert in_text(-2) == "-2" and in_text(None) == "" and in_text(0.25) == "0.25"  # not prefixed
    assert cells.text(columns["missing_counters"])(["a", "b"]) == "a;b"
    assert cells.text(columns["name"])(["-a", "b"]) == "'-a;b"
    date_text = cells.text(columns["date"])
    assert date_text(datetime(2024, 1, 2, 9, tzinfo=LONDON)) == "2024-01-02"
    assert date_text(datetime(2024, 1, 3, 9, tzinfo=LONDON)) == "2024-01-03"


def test_metrics_added_to_the_table_become_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    added = (metrics.Metric("probe_count", "Probe count", "count", "a test metric"),
             metrics.Metric("probe_rate", "Probe rate", "ratio", "a test ratio"))
    monkeypatch.setattr(metrics, "METRICS", metrics.METRICS + added)
    table = {c.key: c for c in column_table()}
    assert (table["probe_count"].kind, table["probe_rate"].kind) == ("int", "float")
    assert table["probe_rate"].header == "Probe rate" and table["probe_count"].default
    chosen = resolve_columns(["probe_rate", "code", "probe_count"])
    assert [c.key for c in chosen] == ["probe_rate", "code", "probe_count"]


def test_unknown_column_lists_the_valid_ones() -> None:
    with pytest.raises(KeyError) as error:
        resolve_columns(["code", "footfall"])
    message = error.value.args[0]
    assert "unknown column 'footfall'" in message
    assert all(c.key in message for c in column_table())


@pytest.mark.parametrize(("interval", "first", "last"), [
    (Interval.MINUTE, date(2024, 3, 1), date(2024, 3, 5)),
    (Interval.HOUR, date(2024, 1, 1), date(2024, 12, 31)),
    (Interval.WEEK, date(2022, 3, 3), date(2024, 3, 5)),
    (Interval.MONTH, date(2020, 2, 15), date(2024, 3, 5)),
    (Interval.DAY, date(2024, 3, 5), date(2024, 3, 5)),
])
def test_date_chunks_tile_the_range_without_cutting_a_bucket(interval: Interval, first: date,
                                                             last: date) -> None:
    chunks = date_chunks(first, last, interval)
    assert chunks[0][0] == first and chunks[-1][1] == last
    widened = [range_edges(a, b, interval) for a, b in chunks]
    for (_, end), (start, _) in itertools.pairwise(widened):
        assert end == start  # adjacent, no overlap: no bucket is reported twice
    assert widened[0][0] == range_edges(first, last, interval)[0]
    assert widened[-1][1] == range_edges(first, last, interval)[1]
