"""`footfall ingest` and `footfall counts` on the seeds' sample events."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

import footfall.cli.ingest
from footfall.settings import load
from footfall.storage.engine import make_engine, read_tx
from footfall.storage.tables import event
from tests.cli.conftest import Hub

# Copied exactly from seeds/001_6173a199fad7a1d1.txt: one person in, then out, at 11:16 and
# 11:20 local time in Kuala Lumpur (UTC+8) on 2020-06-17.
SEED_EVENTS = """\
{'Topic': 'ffc-eventrawdata', 'Data': {'EventStartUTCTime': '2020-06-17 03:16:41', 'EventEndLocalTime': '2020-06-17 11:16:41', 'EventStartTime': 1592363801, 'MetricId': 1, 'RoiId': 1, 'CameraSerial': '000000006afce315', 'PeopleId': 1, 'EventEndUTCTime': '2020-06-17 03:16:41', 'UploadedLocalDateTime': '2020-06-17 11:16:45', 'EventEndTime': 1592363801, 'EventStartLocalTime': '2020-06-17 11:16:41', 'UploadedUTCDateTime': '2020-06-17 03:16:45', 'PeopleTypeId': 1}}
{'Topic': 'ffc-eventrawdata', 'Data': {'EventStartUTCTime': '2020-06-17 03:20:18', 'EventEndLocalTime': '2020-06-17 11:20:18', 'EventStartTime': 1592364018, 'MetricId': 2, 'RoiId': 1, 'CameraSerial': '000000006afce315', 'PeopleId': 1, 'EventEndUTCTime': '2020-06-17 03:20:18', 'UploadedLocalDateTime': '2020-06-17 11:20:21', 'EventEndTime': 1592364018, 'EventStartLocalTime': '2020-06-17 11:20:18', 'UploadedUTCDateTime': '2020-06-17 03:20:21', 'PeopleTypeId': 1}}
"""  # noqa: E501 (the seeds' lines, verbatim)
MALFORMED = "{'Topic': 'ffc-eventrawdata', 'Data': {'CameraSerial': "


def _stored_events() -> int:
    engine = make_engine(load().url)
    with read_tx(engine) as conn:
        count = conn.execute(select(func.count()).select_from(event)).scalar_one()
    engine.dispose()
    return int(count)


@pytest.fixture
def kl_hub(hub: Hub) -> Hub:
    """A company with a Kuala Lumpur site and the seeds' counter assigned to it."""
    hub.run("company", "create", "Acme")
    hub.run("site", "add", "--company", "Acme", "--code", "KUL", "--name", "Pavilion",
            "--timezone", "Asia/Kuala_Lumpur")
    hub.run("counter", "add", "--company", "Acme", "--serial", "000000006afce315", "--site", "KUL")
    return hub


def test_ingest_stores_good_lines_and_names_the_bad_one(kl_hub: Hub, tmp_path: Path) -> None:
    path = tmp_path / "events.txt"
    path.write_text(SEED_EVENTS + MALFORMED + "\n")
    result = kl_hub.run("ingest", str(path), "--company", "Acme")
    assert result.exit_code == footfall.cli.ingest.EXIT_SOME_REJECTED
    assert "accepted 2, duplicates 0" in result.stdout
    assert "errors 1" in result.stdout
    assert "line 3:" in result.stderr
    assert _stored_events() == 2
    # Sending the file again stores nothing twice.
    again = kl_hub.run("ingest", str(path), "--company", "Acme")
    assert "accepted 0, duplicates 2" in again.stdout
    assert _stored_events() == 2


def test_ingest_line_numbers_survive_chunking(kl_hub: Hub, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(footfall.cli.ingest, "CHUNK_LINES", 2)
    bad_metric = SEED_EVENTS.splitlines()[0].replace("'MetricId': 1", "'MetricId': 7")
    path = tmp_path / "events.txt"
    path.write_text(SEED_EVENTS + "\n" + MALFORMED + "\n" + bad_metric + "\n")
    result = kl_hub.run("ingest", str(path), "--company", "Acme")
    assert "accepted 2" in result.stdout
    assert "line 4:" in result.stderr
    assert "line 5: unknown MetricId 7" in result.stderr
    assert "line 3" not in result.stderr  # blank lines are skipped, not errors


def _table_row(output: str, start: str) -> list[str]:
    line = next(line for line in output.splitlines() if start in line)
    return [cell.strip() for cell in line.split("│")[1:-1]]


def test_counts_table_buckets_in_the_sites_local_time(kl_hub: Hub, tmp_path: Path) -> None:
    path = tmp_path / "events.txt"
    path.write_text(SEED_EVENTS)
    kl_hub.run("ingest", str(path), "--company", "Acme")
    result = kl_hub.run("counts", "--company", "Acme", "--level", "site", "--id", "KUL",
                        "--interval", "hour", "--from", "2020-06-17", "--to", "2020-06-17")
    assert result.exit_code == 0, result.output
    eleven = _table_row(result.stdout, "2020-06-17 11:00+08:00")
    assert eleven[1:3] == ["1", "1"]  # in, out
    assert _table_row(result.stdout, "2020-06-17 03:00+08:00")[1:3] == ["0", "0"]


def test_counts_csv_and_json_are_the_same_report(kl_hub: Hub, tmp_path: Path) -> None:
    path = tmp_path / "events.txt"
    path.write_text(SEED_EVENTS)
    kl_hub.run("ingest", str(path), "--company", "Acme")
    common = ("counts", "--company", "Acme", "--id", "KUL", "--interval", "day",
              "--from", "2020-06-16", "--to", "2020-06-17")
    rows = list(csv.DictReader(io.StringIO(kl_hub.run(*common, "--format", "csv").stdout)))
    data = json.loads(kl_hub.run(*common, "--format", "json").stdout)
    assert [r["in"] for r in rows] == ["0", "1"]
    assert [r["in"] for r in data] == [0, 1]
    assert data[1]["start"] == "2020-06-17T00:00:00+08:00"
    # Events alone do not prove the counter was up all day: a gap is not a zero.
    assert data[1]["aggregation_status"] == "partial"


def test_counts_refuses_a_bad_date_and_an_unknown_site(kl_hub: Hub) -> None:
    bad_date = kl_hub.run("counts", "--company", "Acme", "--id", "KUL", "--from", "17/06/2020",
                          "--to", "2020-06-17")
    assert bad_date.exit_code == 1 and "--from '17/06/2020'" in bad_date.stderr
    unknown = kl_hub.run("counts", "--company", "Acme", "--id", "NOPE", "--from", "2020-06-17",
                         "--to", "2020-06-17")
    assert unknown.exit_code == 1 and "NOPE" in unknown.stderr
    assert "Traceback" not in unknown.output
