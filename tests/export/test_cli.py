"""`footfall export`: the same file as the API, written to --out; errors name the option."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest

from tests.cli.conftest import Hub, hub
from tests.cli.test_data_commands import SEED_EVENTS

__all__ = ["hub"]


@pytest.fixture
def kl_hub(hub: Hub, tmp_path: Path) -> Hub:
    """The seeds' counter at a Kuala Lumpur site, with the seeds' two events ingested."""
    hub.run("company", "create", "Acme")
    hub.run("site", "add", "--company", "Acme", "--code", "KUL", "--name", "Pavilion",
            "--timezone", "Asia/Kuala_Lumpur")
    hub.run("counter", "add", "--company", "Acme", "--serial", "000000006afce315", "--site", "KUL")
    events = tmp_path / "events.txt"
    events.write_text(SEED_EVENTS)
    assert hub.run("ingest", str(events), "--company", "Acme").exit_code == 0
    return hub


COMMON = ("export", "--company", "Acme", "--level", "site", "--ids", "all", "--interval", "hour",
          "--from", "2020-06-17", "--to", "20200617")


def test_export_writes_the_file_the_extension_names(kl_hub: Hub, tmp_path: Path) -> None:
    out = tmp_path / "kl.json"
    result = kl_hub.run(*COMMON, "--out", str(out), "--timeformat", "hh:mm tt")
    assert result.exit_code == 0, result.output
    assert "wrote 24 rows" in result.stderr
    rows = json.loads(out.read_text())
    eleven = next(r for r in rows if r["time"] == "11:00 AM")
    assert (eleven["code"], eleven["name"], eleven["in"], eleven["out"]) == ("KUL", "Pavilion", 1, 1)
    assert not list(tmp_path.glob("*.part"))


def test_export_xlsx_with_chosen_columns(kl_hub: Hub, tmp_path: Path) -> None:
    out = tmp_path / "kl.data"
    result = kl_hub.run(*COMMON, "--out", str(out), "--format", "xlsx",
                        "--columns", "time,in,code", "--dateformat", "yyyyMMdd")
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(io.BytesIO(out.read_bytes())).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Time", "Visitors in", "Code") and len(rows) == 25
    assert rows[12][1:] == (1, "KUL") and rows[12][0].strftime("%H:%M") == "11:00"


def test_export_errors_name_the_option(kl_hub: Hub, tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    bad = kl_hub.run(*COMMON[:-2], "--to", "2020-06-10", "--out", str(out))
    assert bad.exit_code == 1 and "--to: 20200610 is before fromdate" in bad.stderr
    column = kl_hub.run(*COMMON, "--out", str(out), "--columns", "in,bogus")
    assert column.exit_code == 1 and "--columns: unknown column 'bogus'" in column.stderr
    unknown = kl_hub.run(*COMMON[:5], "--ids", "NOPE", *COMMON[7:], "--out", str(out))
    assert unknown.exit_code == 1 and "no site 'NOPE'" in unknown.stderr
    assert not out.exists() and "Traceback" not in unknown.output
