"""`footfall simulate`: ground truth files, usage errors, endpoint lines, and apiCount == truth end to end."""

from __future__ import annotations

import csv
import os
import re
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from typer.testing import CliRunner

from footfall.cli.main import app
from footfall.simulator.fleet import build_fleet

RANGE = ("--truth-from", "2025-06-16T00:00:00Z", "--truth-to", "2025-06-17T00:00:00Z")
ENDPOINT = re.compile(r"^([0-9a-f]{16}) .* serves (http://127\.0\.0\.1:\d+)")


def simulate(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["simulate", *args])
    return result.exit_code, result.output


def test_the_same_seed_writes_byte_identical_truth(tmp_path: Path) -> None:
    files = [tmp_path / name for name in ("a.csv", "b.csv", "other.csv")]
    for path, seed in zip(files, ("42", "42", "43"), strict=True):
        code, output = simulate("--counters", "6", "--sites", "2", "--seed", seed, "--truth", str(path),
                                *RANGE)
        assert code == 0, output
        assert f"written to {path}" in output
    first = files[0].read_bytes()
    assert first == files[1].read_bytes() and first != files[2].read_bytes()
    assert first.startswith(b"serial,line,minute_utc,in,out,staff_in,staff_out\n")
    assert first.count(b"\n") > 100


@pytest.mark.parametrize(("args", "option"), [
    (["--channel", "pigeon"], "--channel"),
    (["--channel", "http,carrier"], "--channel"),
    (["--speed", "0"], "--speed"),
    (["--counters", "20", "--sites", "2"], "--counters"),
    (["--channel", "ws"], "--ws-url"),
    (["--channel", "mqtt", "--mqtt-url", "http://broker"], "--mqtt-url"),
    (["--channel", "ftp", "--ftp-url", "ftp://host/?file_format=xls"], "--ftp-url"),
    (["--start", "2025-11-20T09:00:00"], "--start"),
    (["--truth", "x.csv", "--truth-from", "2025-11-20T00:00:00Z"], "--truth-to"),
    (["--truth-from", "2025-11-20T00:00:00Z", "--truth-to", "2025-11-21T00:00:00Z"], "--truth"),
    (["--fleet", "/nonexistent/fleet.toml"], "--fleet"),
    (["--duration", "-1"], "--duration"),
])
def test_bad_options_exit_2_naming_the_option(args: list[str], option: str) -> None:
    code, output = simulate(*args)
    assert code == 2, output
    assert f"'{option}'" in output


def test_a_short_run_prints_one_line_per_counter_with_its_device_api() -> None:
    code, output = simulate("--counters", "4", "--sites", "2", "--speed", "60", "--duration", "0.5")
    assert code == 0, output
    found = [m.groups() for m in map(ENDPOINT.match, output.splitlines()) if m]
    fleet = build_fleet(counters=4, sites=2, seed=1)   # the defaults: seed 1
    assert [serial for serial, _ in found] == [c.serial for c in fleet.counters]
    assert len({url for _, url in found}) == 4
    assert "stopped: simulated" in output and "http: counters 4" in output


def test_a_mixed_fleet_file_limited_to_http(tmp_path: Path) -> None:
    sample = Path(__file__).parents[2] / "src/footfall/simulator/sample_fleet.toml"
    code, output = simulate("--fleet", str(sample), "--channel", "http", "--duration", "0.3")
    assert code == 0, output
    lines = [line for line in output.splitlines() if re.match(r"[0-9a-f]{16} ", line)]
    assert len(lines) == 23 and sum(1 for line in lines if ENDPOINT.match(line)) == 22
    assert "000000006afce317 FFC-SIM-" in output   # ws only in the file: listed, serving nothing here
    assert "000000006afce315 FFC-2020-000123 site LON1 door 1" in output and "pushes ws" not in output


def _truth(path: Path) -> dict[tuple[str, int, str], list[int]]:
    with open(path, newline="") as handle:
        return {(r["serial"], int(r["line"]), r["minute_utc"]): [int(r[k]) for k in ("in", "out", "staff_in",
                                                                                      "staff_out")]
                for r in csv.DictReader(handle)}


def _read_endpoints(process: subprocess.Popen[str], count: int) -> dict[str, str]:
    assert process.stdout is not None
    endpoints: dict[str, str] = {}
    while len(endpoints) < count:
        line = process.stdout.readline()
        assert line, "the simulator ended before printing its endpoints"
        if match := ENDPOINT.match(line):
            endpoints[match[1]] = match[2]
    return endpoints


def test_api_counts_equal_the_ground_truth_end_to_end(tmp_path: Path) -> None:
    fleet_args = ["--counters", "5", "--sites", "2", "--seed", "9"]
    code, output = simulate(*fleet_args, "--truth", str(tmp_path / "truth.csv"), *RANGE)
    assert code == 0, output
    truth = _truth(tmp_path / "truth.csv")
    fleet = build_fleet(counters=5, sites=2, seed=9)
    window = datetime(2025, 6, 16, tzinfo=UTC), datetime(2025, 6, 17, tzinfo=UTC)
    with open(tmp_path / "stderr.txt", "w") as errors:
        process = subprocess.Popen(
            [sys.executable, "-c", "from footfall.cli.main import app; app()", "simulate", *fleet_args,
             "--channel", "http", "--start", "2025-06-18T00:00:00Z", "--duration", "120"],
            env={**os.environ, "PYTHONUNBUFFERED": "1"}, stdout=subprocess.PIPE, stderr=errors, text=True)
        try:
            endpoints = _read_endpoints(process, 5)
            served: dict[tuple[str, int, str], list[int]] = {}
            with httpx.Client(timeout=30) as client:
                for counter in fleet.counters:
                    url, zone = endpoints[counter.serial], ZoneInfo(fleet.site_of(counter.serial).timezone)
                    login = {"username": "admin", "password": "123456"}
                    token = client.get(f"{url}/cgi-bin/access_token.cgi", params=login).json()["access_token"]
                    start, end = (moment.astimezone(zone) for moment in window)
                    reply = client.get(f"{url}/cgi-bin/apiCount.cgi", params={
                        "access_token": token, "data_format": "minute", "resolution_min": "1",
                        "date_start": f"{start:%Y%m%d}", "time_start": f"{start:%H%M%S}",
                        "date_end": f"{end:%Y%m%d}", "time_end": f"{end:%H%M%S}"})
                    assert reply.status_code == 200, reply.text
                    intervals = reply.json()["intervals"]
                    assert len(intervals) == 1440
                    for interval in intervals:
                        minute = datetime.fromisoformat(interval["start"]).astimezone(UTC)
                        for line in interval["lines"]:
                            counts = [line[k] for k in ("in", "out", "staff_in", "staff_out")]
                            key = counter.serial, line["roi_id"], f"{minute:%Y-%m-%dT%H:%M:%SZ}"
                            if any(counts):
                                served[key] = counts
        finally:
            process.send_signal(signal.SIGINT)   # Ctrl-C
            process.wait(timeout=30)
    assert served == truth
    sums: Counter[str] = Counter()
    for (serial, _line, _minute), counts in served.items():
        sums[serial] += sum(counts)
    assert len(sums) == 5 and min(sums.values()) > 0
    assert process.returncode == 0
    assert "stopped: simulated 2025-06-18T00:00:00Z" in (tmp_path / "stderr.txt").read_text()
