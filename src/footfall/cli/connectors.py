"""`footfall connectors list` and `footfall connectors test KEY`: the channels in, and their probes."""

from __future__ import annotations

import asyncio
import tomllib
from pathlib import Path
from typing import Any

import typer
from pydantic import ValidationError
from rich.table import Table

from footfall.cli.hub import database, load_settings
from footfall.cli.output import fail, stderr, stdout, user_errors
from footfall.connectors.registry import RegistryError, discover
from footfall.connectors.spec import ConnectorSpec, ProbeFailed

app = typer.Typer(help="Connectors: the channels data comes in by.", no_args_is_help=True)


@app.command("list")
def list_command() -> None:
    """List every connector: key, kind (push / poll / drop), the source it records, title."""
    registry = discover()
    table = Table("key", "kind", "source", "title")
    for key in sorted(registry.specs):
        spec = registry.specs[key]
        table.add_row(spec.key, spec.kind, spec.source, spec.title)
    stdout().print(table)
    for name, error in sorted(registry.broken.items()):
        stderr().print(f"warning: connector folder {name!r} did not load: {error}", markup=False)


@app.command("test")
def test_command(
    key: str = typer.Argument(..., help="the connector's key, from `footfall connectors list`"),
    config: Path | None = typer.Option(None, "--config", help="a TOML file of the connector's settings "
                                       "(see the sample.toml in its folder)"),
    values: list[str] = typer.Option([], "--set", help="a setting as NAME=VALUE (repeatable)"),
    counter: str | None = typer.Option(None, "--counter", help="test a registered counter with its stored "
                                       "settings, by serial"),
    company: str | None = typer.Option(None, "--company", help="the counter's company, if its serial is in "
                                       "several"),
) -> None:
    """Test a connection: run the connector's probe once and say what it found."""
    try:
        registry = discover()
        spec = registry.get(key)
    except RegistryError as error:
        fail(str(error))
    if spec.probe is None:
        fail(f"connector {key!r} has no connection test: it is a {spec.kind} channel that waits for "
             "counters to connect")
    if counter is not None:
        hook = registry.counter_hook(key)
        if hook is None:
            fail(f"connector {key!r} cannot test a registered counter; give --config or --set")
        settings = load_settings()
        with user_errors(), database(settings) as engine:
            probe_config = hook(settings, engine, counter, company)
    else:
        probe_config = _config(spec, config, values)
    probe = spec.probe

    async def run_probe() -> str:
        return await probe(probe_config)

    try:
        message = asyncio.run(run_probe())
    except ProbeFailed as error:
        fail(f"{key}: {error}")
    stdout().print(f"ok: {message}", markup=False, soft_wrap=True)


def _config(spec: ConnectorSpec, path: Path | None, values: list[str]) -> Any:
    """The connector's config from a TOML file and NAME=VALUE pairs, validated; errors name the field."""
    fields: dict[str, Any] = {}
    if path is not None:
        try:
            fields.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except (OSError, tomllib.TOMLDecodeError) as error:
            fail(f"--config {path}: {error}")
    for pair in values:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            fail(f"--set {pair!r}: expected NAME=VALUE")
        fields[name.strip()] = value
    if spec.config is None:
        fail(f"connector {spec.key!r} declares no settings to test with")
    try:
        return spec.config.model_validate(fields)
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(p) for p in problem["loc"]) or "config"
        fail(f"{spec.key} setting {where}: {problem['msg'].removeprefix('Value error, ')}")
