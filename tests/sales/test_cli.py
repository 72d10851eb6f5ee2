"""`footfall sales import / profiles / imports` against a hub in a temporary data directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from footfall.cli.sales import EXIT_FAILED, EXIT_PARTIAL
from tests.cli.conftest import Hub, hub  # noqa: F401 (the fixture)
from tests.sales.helpers import BAD_ROWS, SAMPLE, with_bad_row


@pytest.fixture
def sales_hub(hub: Hub) -> Hub:  # noqa: F811
    """A company with the sample's two sites."""
    hub.run("company", "create", "Acme")
    for code, tz in (("KUL01", "Asia/Kuala_Lumpur"), ("LDN01", "Europe/London")):
        assert hub.run("site", "add", "--company", "Acme", "--code", code, "--name", code,
                       "--timezone", tz).exit_code == 0
    return hub


def test_import_then_history(sales_hub: Hub, tmp_path: Path) -> None:
    result = sales_hub.run("sales", "import", str(SAMPLE), "--company", "Acme")
    assert result.exit_code == 0, result.output
    assert "imported 8 rows into 4 site-hours" in result.stdout
    bad = tmp_path / "bad.csv"
    data, line = with_bad_row(BAD_ROWS[8][0])
    bad.write_bytes(data)
    failed = sales_hub.run("sales", "import", str(bad), "--company", "Acme")
    assert failed.exit_code == EXIT_FAILED
    assert f"line {line}, TotalTransactionValue: '1.234' 3 decimals" in failed.stderr
    partial = sales_hub.run("sales", "import", str(bad), "--company", "Acme", "--valid-rows-only")
    assert partial.exit_code == EXIT_PARTIAL
    history = sales_hub.run("sales", "imports", "--company", "Acme")
    assert history.exit_code == 0
    assert [w for w in ("partial", "failed", "imported") if w in history.stdout] == \
        ["partial", "failed", "imported"]


def test_unknown_profile_and_profiles_list(sales_hub: Hub) -> None:
    result = sales_hub.run("sales", "import", str(SAMPLE), "--company", "Acme", "--profile", "nope")
    assert result.exit_code == 1 and "no such sales profile" in result.stderr
    listed = sales_hub.run("sales", "profiles", "--company", "Acme")
    assert listed.exit_code == 0 and "Name" in listed.stdout
