"""The connector registry: every folder exporting a SPEC is found, without being listed anywhere."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel
from typer.testing import CliRunner

import footfall.cli.connectors
from footfall.cli.main import app
from footfall.connectors.registry import RegistryError, discover
from footfall.connectors.spec import ConnectorSpec

CONNECTORS = Path(__file__).resolve().parents[2] / "src" / "footfall" / "connectors"

SPEC_MODULE = """
from pydantic import BaseModel, ConfigDict
from footfall.connectors.spec import ConnectorSpec, ProbeFailed

class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    port: int = 1

async def probe(config: Config) -> str:
    if config.name == "down":
        raise ProbeFailed(f"{config.name}:{config.port} does not answer")
    return f"hello {config.name}:{config.port}"

SPEC = ConnectorSpec(key="{key}", kind="poll", title="{key} title", source="connector", config=Config,
                     probe=probe)
"""


def test_every_connector_folder_with_a_spec_is_found() -> None:
    registry = discover()
    assert registry.broken == {}
    assert {"websocket", "mqtt", "device_api"} <= set(registry.specs)
    declared = {
        p.name
        for p in CONNECTORS.iterdir()
        if (p / "__init__.py").is_file() and "SPEC" in (p / "__init__.py").read_text()
    }
    assert {m.__name__.rsplit(".", 1)[1] for m in registry.modules.values()} == declared
    for key, spec in registry.specs.items():
        assert isinstance(spec, ConnectorSpec) and spec.key == key
        assert spec.kind in ("push", "poll", "drop") and spec.title and spec.source
        assert spec.config is None or issubclass(spec.config, BaseModel)
    assert registry.get("device_api").kind == "poll" and registry.counter_hook("device_api") is not None
    assert registry.counter_hook("websocket") is None
    with pytest.raises(RegistryError, match="no connector 'nope'"):
        registry.get("nope")


def _package(root: Path, name: str, folders: dict[str, str]) -> None:
    (root / name).mkdir()
    (root / name / "__init__.py").write_text("")
    for folder, source in folders.items():
        (root / name / folder).mkdir()
        (root / name / folder / "__init__.py").write_text(source)


@pytest.fixture
def fake_connectors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A package `fakeconn` of connector folders: good, spec-less, broken, private, wrong SPEC."""
    _package(
        tmp_path,
        "fakeconn",
        {
            "alpha": SPEC_MODULE.replace("{key}", "alpha"),
            "beta": "VALUE = 1\n",
            "broken": "raise ImportError('half written')\n",
            "_private": SPEC_MODULE.replace("{key}", "private"),
            "gamma": "SPEC = {'key': 'gamma'}\n",
        },
    )
    (tmp_path / "fakeconn" / "loose.py").write_text("SPEC = None\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "fakeconn"
    for name in [m for m in sys.modules if m.startswith("fakeconn")]:
        del sys.modules[name]


def test_discovery_reports_broken_folders_and_skips_the_rest(fake_connectors: str) -> None:
    registry = discover(fake_connectors)
    assert list(registry.specs) == ["alpha"]
    assert registry.broken == {
        "broken": "ImportError: half written",
        "gamma": "SPEC is a dict, not a ConnectorSpec",
    }


def test_two_folders_with_one_key_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _package(
        tmp_path,
        "twinconn",
        {"one": SPEC_MODULE.replace("{key}", "same"), "two": SPEC_MODULE.replace("{key}", "same")},
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(RegistryError, match=r"'same' is claimed by both twinconn\.one and twinconn\.two"):
        discover("twinconn")


def test_the_cli_lists_and_probes_whatever_it_finds(
    fake_connectors: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(footfall.cli.connectors, "discover", lambda: discover(fake_connectors))
    runner = CliRunner()
    listed = runner.invoke(app, ["connectors", "list"])
    assert listed.exit_code == 0
    assert "alpha" in listed.stdout and "alpha title" in listed.stdout and "poll" in listed.stdout
    assert "connector folder 'broken' did not load: ImportError: half written" in listed.output
    ok = runner.invoke(app, ["connectors", "test", "alpha", "--set", "name=door", "--set", "port=8080"])
    assert ok.exit_code == 0 and "ok: hello door:8080" in ok.stdout
    down = runner.invoke(app, ["connectors", "test", "alpha", "--set", "name=down"])
    assert down.exit_code == 1 and "alpha: down:1 does not answer" in down.output
    unknown = runner.invoke(app, ["connectors", "test", "alpha", "--set", "name=x", "--set", "colour=red"])
    assert unknown.exit_code == 1 and "alpha setting colour: Extra inputs are not permitted" in unknown.output
    missing = runner.invoke(app, ["connectors", "test", "alpha"])
    assert missing.exit_code == 1 and "alpha setting name: Field required" in missing.output
    no_hook = runner.invoke(app, ["connectors", "test", "alpha", "--counter", "00000000000000a1"])
    assert no_hook.exit_code == 1 and "cannot test a registered counter" in no_hook.output


def test_a_config_file_is_read_and_checked(
    fake_connectors: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(footfall.cli.connectors, "discover", lambda: discover(fake_connectors))
    good, bad = tmp_path / "good.toml", tmp_path / "bad.toml"
    good.write_text('name = "lobby"\nport = 81\n')
    bad.write_text('name = "lobby\n')
    runner = CliRunner()
    assert (
        "hello lobby:81" in runner.invoke(app, ["connectors", "test", "alpha", "--config", str(good)]).stdout
    )
    broken = runner.invoke(app, ["connectors", "test", "alpha", "--config", str(bad)])
    assert broken.exit_code == 1 and f"--config {bad}" in broken.output
