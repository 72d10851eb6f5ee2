"""The pure parts: apiCount replies (case folders: input.* + expected.json), windows and queries."""

from __future__ import annotations

import json
import time
import tomllib
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from defusedxml import DTDForbidden
from defusedxml.ElementTree import fromstring
from hypothesis import given, settings
from hypothesis import strategies as st

from footfall.connectors.device_api.config import DeviceApiConfig
from footfall.connectors.device_api.parse import ReplyError, parse_refusal, parse_reply, reported_counts
from footfall.connectors.device_api.windows import align_down, plan, query
from footfall.simulator.devices.http_params import interval_grid, parse_count_query
from footfall.simulator.devices.http_render import CountReport, render

CASES = sorted(p for p in (Path(__file__).parent / "cases").iterdir() if p.is_dir())
NEW_YORK, KATHMANDU, LONDON = (
    ZoneInfo("America/New_York"),
    ZoneInfo("Asia/Kathmandu"),
    ZoneInfo("Europe/London"),
)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_reply_cases(case: Path) -> None:
    source = next(case.glob("input.*"))
    expected = json.loads((case / "expected.json").read_text())
    data_type = source.suffix.lstrip(".")
    if "error" in expected:
        with pytest.raises(ReplyError) as caught:
            parse_reply(source.read_bytes(), data_type)
        assert expected["error"] in str(caught.value)
        return
    reply = parse_reply(source.read_bytes(), data_type)
    assert (reply.serial, reply.timezone) == (expected["serial"], expected["timezone"])
    assert reported_counts(reply.serial, reply, 0, 2**62) == expected["counts"]


def test_a_billion_laughs_never_expands() -> None:
    body = (Path(__file__).parent / "cases" / "xml_billion_laughs" / "input.xml").read_bytes()
    started = time.process_time()
    with pytest.raises(ReplyError, match="DTDForbidden"):
        parse_reply(body, "xml")
    with pytest.raises(DTDForbidden):  # the same guard the parser relies on, asked directly
        fromstring(body, forbid_dtd=True)
    refusal = parse_refusal(body, 500)  # error replies go through the same door
    assert refusal.code == "unknown" and refusal.status == 500
    assert time.process_time() - started < 5  # a sanity bound, not a timing claim: expansion is ~GBs


def test_error_replies_name_code_and_parameter() -> None:
    body = b'{"error": {"status": 400, "code": "window_too_long", "parameter": "date_end", "message": "x"}}'
    assert parse_refusal(body, 400).code == "window_too_long"
    xml = b'<error status="401" code="bad_token" parameter="access_token">not a token</error>'
    refusal = parse_refusal(xml, 401)
    assert (refusal.code, refusal.parameter, refusal.message) == ("bad_token", "access_token", "not a token")


@settings(max_examples=40, deadline=None)
@given(
    data_type=st.sampled_from(["json", "xml"]),
    zone=st.sampled_from([NEW_YORK, KATHMANDU, LONDON]),
    day=st.integers(0, 400),
    step=st.sampled_from([60, 300, 900, 3600]),
    counts=st.lists(st.tuples(*[st.integers(0, 10_000)] * 4), min_size=1, max_size=30),
)
def test_what_the_device_renders_reads_back(
    data_type: str, zone: ZoneInfo, day: int, step: int, counts: list[tuple[int, int, int, int]]
) -> None:
    start = align_down(1735689600 + day * 86400 + 37_000, step, zone)
    bounds = tuple(interval_grid(start, start + step * len(counts), step, zone))
    report = CountReport(
        "00000000000000a1",
        zone.key,
        "minute",
        step,
        start,
        bounds[-1],
        bounds[-1],
        bounds,
        {1: [list(c) for c in counts]},
    )
    body, _ = render(report, data_type, zone)
    reply = parse_reply(body, data_type)
    assert [(i.start_ts, i.length_s) for i in reply.intervals] == list(
        zip(bounds, (step,) * len(counts), strict=False)
    )
    assert [
        (line.in_count, line.out_count, line.staff_in, line.staff_out)
        for i in reply.intervals
        for line in i.lines
    ] == counts


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        (LONDON, "2025-03-30", 23),
        (LONDON, "2025-10-26", 25),
        (NEW_YORK, "2025-11-02", 25),
        (KATHMANDU, "2025-11-20", 24),
    ],
)
def test_windows_run_midnight_to_midnight_and_the_device_accepts_them(
    zone: ZoneInfo, day: str, hours: int
) -> None:
    midnight = datetime.fromisoformat(day).replace(tzinfo=zone)
    start = int(midnight.timestamp())
    windows = plan(start - 3 * 3600, start + 2 * 86400, zone)
    assert [w.end_ts - w.start_ts for w in windows][1] == hours * 3600
    assert (windows[0].start_ts, windows[0].end_ts, windows[-1].end_ts) == (
        start - 3 * 3600,
        start,
        start + 2 * 86400,
    )
    config = DeviceApiConfig(host="10.0.0.5", password="x", resolution="hour")
    for window in windows:
        params = query(window, zone, config)
        asked = parse_count_query(list(params.items()), zone, midnight.date())  # the device's own reading
        assert (int(asked.start.timestamp()), int(asked.end.timestamp())) == (window.start_ts, window.end_ts)
        assert asked.resolution == 3600 and asked.data_type == "json"


def test_query_carries_the_configured_resolution() -> None:
    window = plan(1763683200, 1763686800, LONDON)[0]
    minute = query(
        window, LONDON, DeviceApiConfig(host="h", password="x", resolution_step=15, data_type="xml")
    )
    second = query(
        window, LONDON, DeviceApiConfig(host="h", password="x", resolution="second", resolution_step=30)
    )
    assert (
        minute["resolution_min"] == "15" and minute["data_type"] == "xml" and "resolution_sec" not in minute
    )
    assert second["resolution_sec"] == "30" and second["data_format"] == "second"
    assert (minute["date_start"], minute["time_start"], minute["time_end"]) == (
        "20251121",
        "000000",
        "010000",
    )
    assert DeviceApiConfig(host="h", password="x", resolution="second").window_s == 3600


def test_the_sample_config_is_valid() -> None:
    sample = Path(__file__).resolve().parents[3] / "src/footfall/connectors/device_api/sample.toml"
    config = DeviceApiConfig.model_validate(tomllib.loads(sample.read_text()))
    assert (config.host, config.port, config.interval_s, config.window_s) == ("192.168.2.123", 80, 60, 86400)
    assert "123456" not in repr(config) and "123456" not in config.model_dump_json()
