"""CLI fixtures: a runner whose hub lives in a fresh SQLite data directory."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from footfall.cli.main import app


@dataclass
class Hub:
    """Runs `footfall …` against the test's own data directory."""

    data_dir: Path
    runner: CliRunner

    def run(self, *args: str) -> Result:
        """Invoke the CLI with these arguments."""
        return self.runner.invoke(app, list(args))


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Hub:
    """A CLI over SQLite in a temporary FOOTFALL_DATA_DIR (other hub settings cleared)."""
    for name in list(os.environ):
        if name.startswith("FOOTFALL_") and not name.startswith("FOOTFALL_TEST_"):
            monkeypatch.delenv(name)
    data_dir = tmp_path / "data"
    monkeypatch.setenv("FOOTFALL_DATA_DIR", str(data_dir))
    return Hub(data_dir, CliRunner())
