"""The device API's pure parts: apiCount parameters, the local-clock interval grid, the renderings."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import defusedxml.ElementTree as SafeET
import pytest

from footfall.simulator.devices.http_params import (
    ApiError,
    interval_grid,
    parse_count_query,
    reply_type,
    single_values,
)
from footfall.simulator.devices.http_render import CountReport, render_error, render_json, render_xml, tally

LONDON = ZoneInfo("Europe/London")
KATHMANDU = ZoneInfo("Asia/Kathmandu")
TODAY = date(2025, 11, 21)


def epoch(tz: ZoneInfo, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> int:
    return int(datetime(year, month, day, hour, minute, tzinfo=tz).timestamp())


def test_defaults_are_json_hourly_yesterday() -> None:
    query = parse_count_query([("access_token", "t")], LONDON, TODAY)
    assert (query.data_type, query.data_format, query.resolution) == ("json", "hour", 3600)
    assert query.start == datetime(2025, 11, 20, tzinfo=LONDON)
    assert query.end == datetime(2025, 11, 21, tzinfo=LONDON)


@pytest.mark.parametrize(("items", "resolution"), [
    ([("data_format", "minute")], 60),
    ([("data_format", "minute"), ("resolution_min", "15")], 900),
    ([("data_format", "second")], 1),
    ([("data_format", "second"), ("resolution_sec", "30")], 30),
    ([("data_format", "hour"), ("data_type", "xml")], 3600),
])
def test_resolution_in_seconds(items: list[tuple[str, str]], resolution: int) -> None:
    assert parse_count_query(items, LONDON, TODAY).resolution == resolution


def test_window_is_one_continuous_local_span() -> None:
    query = parse_count_query([("date_start", "20251119"), ("time_start", "183000"),
                               ("date_end", "20251120"), ("time_end", "083000")], LONDON, TODAY)
    assert query.start == datetime(2025, 11, 19, 18, 30, tzinfo=LONDON)
    assert query.end == datetime(2025, 11, 20, 8, 30, tzinfo=LONDON)


def test_one_date_means_that_whole_day() -> None:
    for name in ("date_start", "date_end"):
        query = parse_count_query([(name, "20240301")], LONDON, TODAY)
        assert query.start == datetime(2024, 3, 1, tzinfo=LONDON)
        assert query.end == datetime(2024, 3, 2, tzinfo=LONDON)


def test_a_whole_dst_day_is_one_request() -> None:
    """The 24 h limit is wall-clock time: the 25-hour fall-back day still fits in one request."""
    query = parse_count_query([("date_start", "20251026")], LONDON, TODAY)
    assert query.end.timestamp() - query.start.timestamp() == 25 * 3600


@pytest.mark.parametrize(("items", "code", "parameter"), [
    ([("data_type", "csv")], "bad_parameter", "data_type"),
    ([("data_type", "XML")], "bad_parameter", "data_type"),
    ([("data_format", "day")], "bad_parameter", "data_format"),
    ([("data_format", "minute"), ("resolution_min", "7")], "bad_parameter", "resolution_min"),
    ([("data_format", "minute"), ("resolution_min", "015")], "bad_parameter", "resolution_min"),
    ([("data_format", "second"), ("resolution_sec", "120")], "bad_parameter", "resolution_sec"),
    ([("data_format", "second"), ("resolution_min", "15")], "bad_parameter", "resolution_min"),
    ([("data_format", "minute"), ("resolution_sec", "15")], "bad_parameter", "resolution_sec"),
    ([("resolution_min", "15")], "bad_parameter", "resolution_min"),
    ([("date_start", "2025-11-01")], "bad_parameter", "date_start"),
    ([("date_end", "20250230")], "bad_parameter", "date_end"),
    ([("date_start", "２０２５１１０１")], "bad_parameter", "date_start"),
    ([("time_start", "240000")], "bad_parameter", "time_start"),
    ([("time_start", "12300")], "bad_parameter", "time_start"),
    ([("time_end", "126000")], "bad_parameter", "time_end"),
    ([("time_end", "240001")], "bad_parameter", "time_end"),
    ([("date_start", "20251102"), ("date_end", "20251101")], "bad_window", "time_end"),
    ([("date_start", "20251101"), ("time_start", "120000"), ("time_end", "120000")],
     "bad_window", "time_end"),
    ([("date_start", "20251101"), ("date_end", "20251102")], "window_too_long", "date_end"),
    ([("date_start", "20251101"), ("time_start", "120000"), ("date_end", "20251102"), ("time_end", "120001")],
     "window_too_long", "date_end"),
    ([("foo", "1")], "unknown_parameter", "foo"),
    ([("data_type", "json"), ("data_type", "xml")], "repeated_parameter", "data_type"),
])
def test_bad_parameters_are_named(items: list[tuple[str, str]], code: str, parameter: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_count_query(items, LONDON, TODAY)
    assert (caught.value.status, caught.value.code, caught.value.parameter) == (400, code, parameter)
    assert parameter in caught.value.message or "window" in caught.value.message


def test_the_seeds_sample_window_is_refused_for_its_length() -> None:
    items = [("data_type", "json"), ("data_format", "second"), ("resolution_sec", "30"),
             ("date_start", "20181231"), ("date_end", "20190131"), ("time_start", "083000"),
             ("time_end", "183000")]
    with pytest.raises(ApiError, match="at most 24 hours per request"):
        parse_count_query(items, LONDON, TODAY)


def test_exactly_24_hours_is_allowed() -> None:
    query = parse_count_query([("date_start", "20251101"), ("time_start", "083000"),
                               ("date_end", "20251102"), ("time_end", "083000")], LONDON, TODAY)
    assert query.end - query.start == timedelta(hours=24)


def test_errors_come_back_in_the_asked_data_type() -> None:
    assert reply_type([("data_type", "xml"), ("foo", "1")]) == "xml"
    assert reply_type([("data_type", "yaml")]) == "json"
    assert reply_type([]) == "json"


def test_single_values_refuses_unknown_and_repeated() -> None:
    assert single_values([("username", "admin")], ("username", "password")) == {"username": "admin"}
    with pytest.raises(ApiError, match="'user'"):
        single_values([("user", "admin")], ("username", "password"))


def test_grid_is_the_local_clock_cut_at_the_edges() -> None:
    start, end = epoch(LONDON, 2025, 11, 20, 8, 30), epoch(LONDON, 2025, 11, 20, 18, 30)
    bounds = interval_grid(start, end, 3600, LONDON)
    durations = [b - a for a, b in pairwise(bounds)]
    assert durations == [1800] + [3600] * 9 + [1800]
    assert all(datetime.fromtimestamp(b, LONDON).minute == 0 for b in bounds[1:-1])


def test_grid_follows_a_quarter_hour_offset() -> None:
    start = epoch(KATHMANDU, 2025, 11, 20)
    bounds = interval_grid(start, start + 86400, 3600, KATHMANDU)
    assert len(bounds) == 25
    assert {datetime.fromtimestamp(b, KATHMANDU).minute for b in bounds} == {0}
    assert {b % 3600 for b in bounds} == {15 * 60}   # local hours start at :15 UTC


@pytest.mark.parametrize(("day", "hours"), [((2025, 3, 30), 23), ((2025, 10, 26), 25)])
def test_grid_on_dst_days_keeps_hour_buckets(day: tuple[int, int, int], hours: int) -> None:
    start, end = epoch(LONDON, *day), int((datetime(*day, tzinfo=LONDON) + timedelta(days=1)).timestamp())
    bounds = interval_grid(start, end, 3600, LONDON)
    assert len(bounds) == hours + 1
    assert {b - a for a, b in pairwise(bounds)} == {3600}
    labels = [datetime.fromtimestamp(b, LONDON).strftime("%H%z") for b in bounds[:-1]]
    assert len(set(labels)) == hours   # the repeated 01:00 of a fall-back night is two buckets


def test_second_grid() -> None:
    start = epoch(LONDON, 2025, 11, 20, 9)
    bounds = interval_grid(start, start + 95, 30, LONDON)
    assert bounds == [start, start + 30, start + 60, start + 90, start + 95]


def _report() -> CountReport:
    start = epoch(LONDON, 2025, 11, 20, 9)
    bounds = (start, start + 900, start + 1800)
    crossings = [(start + 5, 1, 1, 1), (start + 7, 1, 2, 1), (start + 950, 1, 1, 2), (start + 960, 2, 2, 1)]
    return CountReport("00000000000000a1", "Europe/London", "minute", 900, start, start + 1800, start + 7200,
                       bounds, tally(crossings, bounds, (1, 2)))


def test_tally_keeps_zeros_and_ignores_outside_the_bounds() -> None:
    crossings = [(999, 1, 1, 1), (1000, 1, 1, 1), (1010, 1, 2, 2), (1020, 1, 1, 1)]
    counts = tally(crossings, (1000, 1010, 1020), (1, 2))
    assert counts == {1: [[1, 0, 0, 0], [0, 0, 0, 1]], 2: [[0, 0, 0, 0], [0, 0, 0, 0]]}


def test_json_rendering() -> None:
    body = json.loads(render_json(_report(), LONDON))
    assert body["serial"] == "00000000000000a1"
    assert (body["resolution"], body["lines"], body["start"]) == (900, [1, 2], "2025-11-20T09:00:00+00:00")
    first, second = body["intervals"]
    assert first["start"] == "2025-11-20T09:00:00+00:00" and first["end"] == "2025-11-20T09:15:00+00:00"
    assert (first["utc_offset"], first["duration"]) == ("+00:00", 900)
    assert first["lines"] == [{"roi_id": 1, "in": 1, "out": 1, "staff_in": 0, "staff_out": 0},
                              {"roi_id": 2, "in": 0, "out": 0, "staff_in": 0, "staff_out": 0}]
    assert second["lines"][0]["staff_in"] == 1 and second["lines"][1]["out"] == 1


def test_xml_rendering_carries_the_same_numbers() -> None:
    as_json = json.loads(render_json(_report(), LONDON))
    root = SafeET.fromstring(render_xml(_report(), LONDON))
    assert (root.tag, root.get("serial"), root.get("resolution")) == ("count", "00000000000000a1", "900")
    intervals = root.findall("interval")
    assert [i.get("start") for i in intervals] == [i["start"] for i in as_json["intervals"]]
    for element, interval in zip(intervals, as_json["intervals"], strict=True):
        assert element.get("utc_offset") == interval["utc_offset"]
        lines = [{k: int(v) for k, v in line.attrib.items()} for line in element.findall("line")]
        assert lines == interval["lines"]


def test_error_renderings() -> None:
    error = ApiError(400, "bad_parameter", "data_format must be one of hour, minute, second", "data_format")
    body, media_type = render_error(error, "json")
    assert media_type == "application/json"
    assert json.loads(body) == {"error": {"status": 400, "code": "bad_parameter", "parameter": "data_format",
                                          "message": "data_format must be one of hour, minute, second"}}
    body, media_type = render_error(error, "xml")
    element = SafeET.fromstring(body)
    assert media_type == "application/xml"
    assert (element.tag, element.get("code")) == ("error", "bad_parameter")
    assert element.get("parameter") == "data_format"
    assert element.text == error.message
