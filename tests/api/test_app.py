"""The app factory: builds and migrates its own engine when given none; closes ingest."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect

from footfall.api.app import create_app
from footfall.ingest.core import IngestCore
from footfall.settings import Settings


def test_factory_makes_and_migrates_its_engine(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path))
    assert isinstance(app.state.ingest, IngestCore)
    assert app.state.settings.data_dir == tmp_path
    with TestClient(app) as client:
        assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}
    assert (tmp_path / "footfall.db").exists()
    assert "site" in inspect(app.state.engine).get_table_names()


def test_settings_default_to_the_environment(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOOTFALL_DATA_DIR", str(tmp_path / "env"))
    monkeypatch.setenv("FOOTFALL_MAX_BODY_BYTES", "123")
    app = create_app()
    assert app.state.settings.max_body_bytes == 123
    assert (tmp_path / "env" / "footfall.db").exists()
    app.state.engine.dispose()


def test_shutdown_closes_the_ingest_core(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app(Settings(data_dir=tmp_path))
    closed: list[bool] = []
    original = app.state.ingest.close
    monkeypatch.setattr(app.state.ingest, "close", lambda: closed.append(True) or original())
    with TestClient(app):
        assert closed == []
    assert closed == [True]
