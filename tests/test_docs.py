"""Meta-tests that keep the docs honest: settings and connectors are documented."""

from __future__ import annotations

from pathlib import Path

from footfall.settings import VARIABLES

ROOT = Path(__file__).resolve().parent.parent
CONNECTORS = ROOT / "src" / "footfall" / "connectors"


def test_every_setting_is_in_the_readme_settings_table() -> None:
    readme = (ROOT / "README.md").read_text()
    rows = {line.split("|")[1].strip().strip("`") for line in readme.splitlines()
            if line.startswith("| `FOOTFALL_")}
    assert rows == set(VARIABLES)


def test_every_connector_folder_has_its_readme_and_spec() -> None:
    folders = [p for p in CONNECTORS.iterdir() if p.is_dir() and not p.name.startswith("_")]
    assert folders
    for folder in folders:
        assert (folder / "README.md").is_file(), folder.name
        assert (folder / "__init__.py").is_file(), folder.name
