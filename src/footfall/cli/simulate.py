"""`footfall simulate`: run a fleet of simulated counters on loopback, or write its ground truth."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import signal
import tomllib
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote, urlsplit

import typer
from pydantic import ValidationError
from rich.console import Console

from footfall.cli.output import fail, stderr
from footfall.simulator.fleet import CHANNELS, Fleet, build_fleet
from footfall.simulator.fleet_file import FleetConfigError, load_fleet, parse_fleet
from footfall.simulator.truth import write_truth

if TYPE_CHECKING:  # the runner pulls in every device protocol: import it only when a fleet runs
    from footfall.simulator.devices.ftp_push import FtpPushConfig
    from footfall.simulator.runner import FleetRunner

DEFAULT_COUNTERS, DEFAULT_SEED, DEFAULT_CHANNELS = 10, 1, ("http",)
# A runner setting → the option that sets it, for errors that name the option.
OPTION_OF = {"ws_url": "--ws-url", "mqtt_url": "--mqtt-url", "ftp_url": "--ftp-url"}


def bad(option: str, message: str) -> typer.BadParameter:
    """A usage error naming the option (exit status 2)."""
    return typer.BadParameter(message, param_hint=f"'{option}'")


def parse_channels(values: list[str] | None) -> tuple[str, ...] | None:
    """`--channel ws --channel mqtt,http` → ("ws", "mqtt", "http"); None if not given."""
    if not values:
        return None
    chosen: list[str] = []
    for name in (part.strip().lower() for value in values for part in value.split(",")):
        if name not in CHANNELS:
            raise bad("--channel", f"unknown channel {name!r}; choose from {', '.join(CHANNELS)}")
        if name not in chosen:
            chosen.append(name)
    return tuple(chosen)


def parse_instant(option: str, text: str) -> int:
    """An ISO 8601 instant with a UTC offset (`2025-11-22T09:00:00Z`) as epoch seconds."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise bad(option, f"{text!r} is not an ISO 8601 date-time, e.g. 2025-11-22T09:00:00Z") from None
    if moment.tzinfo is None:
        raise bad(option, f"{text!r} has no UTC offset; write e.g. {text}Z or {text}+01:00")
    return int(moment.timestamp())


def ftp_config(url: str) -> FtpPushConfig:
    """`ftp://user:pass@host:port/dir?file_format=txt` (or ftps://, sftp://) as the counters' FTP settings."""
    from footfall.simulator.devices.ftp_push import FtpPushConfig

    parts = urlsplit(url)
    if parts.scheme not in ("ftp", "ftps", "sftp") or not parts.hostname:
        raise bad("--ftp-url", f"{url!r} must look like ftp://user:password@host:21/folder (or ftps://, sftp://)")
    settings: dict[str, object] = {"host": parts.hostname, "port": parts.port, "protocol": parts.scheme,
                                   "remote_dir": unquote(parts.path[1:])}
    if parts.username:
        settings |= {"username": unquote(parts.username), "password": unquote(parts.password or "")}
    settings |= dict(parse_qsl(parts.query))   # file_name, date_format, file_format, passive...
    try:
        return FtpPushConfig.model_validate(settings)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise bad("--ftp-url", problems) from None


def make_fleet(fleet_file: Path | None, counters: int | None, sites: int | None, seed: int | None,
               channels: tuple[str, ...] | None) -> Fleet:
    """The fleet file's fleet (channels limited to `channels`, seed overridden) or a generated one."""
    if fleet_file is None:
        n = counters or DEFAULT_COUNTERS
        try:
            return build_fleet(counters=n, sites=sites or max(1, round(n * 0.3)),
                               seed=DEFAULT_SEED if seed is None else seed,
                               channels=channels or DEFAULT_CHANNELS)
        except ValueError as error:
            raise bad("--counters" if counters else "--sites", str(error)) from None
    for option, value in (("--counters", counters), ("--sites", sites)):
        if value is not None:
            raise bad(option, "comes from the fleet file; it cannot be combined with --fleet")
    try:
        if seed is None:
            fleet = load_fleet(fleet_file)
        else:
            with open(fleet_file, "rb") as handle:
                fleet = parse_fleet(tomllib.load(handle) | {"seed": seed}, where=str(fleet_file))
    except (FleetConfigError, OSError, tomllib.TOMLDecodeError) as error:
        raise bad("--fleet", str(error)) from None
    if channels is None:
        return fleet
    counters_kept = tuple(dataclasses.replace(c, channels=tuple(x for x in c.channels if x in channels))
                          for c in fleet.counters)
    return Fleet(fleet.seed, fleet.sites, counters_kept, fleet.faults)


def write_truth_file(fleet: Fleet, path: Path, start: int, end: int) -> None:
    """Write the ground truth CSV of [start, end) and say so on stderr."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        rows = write_truth(fleet, start, end, handle)
    stderr().print(f"ground truth: {rows} rows for {len(fleet.counters)} counters written to {path}",
                   highlight=False, soft_wrap=True)


async def run_fleet(runner: FleetRunner, duration: float | None, console: Console) -> None:
    """Start the fleet, print its endpoints, show the live summary until the duration or Ctrl-C, stop."""
    from footfall.simulator.summary import LiveSummary, endpoint_line

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, runner.request_stop)
    summary = LiveSummary(runner, console, duration_s=duration)
    try:
        console.print(f"starting {len(runner.fleet.counters)} counters…", highlight=False)
        await runner.start()
        for counter in runner.fleet.counters:
            typer.echo(endpoint_line(runner, counter))
        if duration is not None:
            loop.call_later(duration, runner.request_stop)
        await summary.run()
    finally:
        await runner.stop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    summary.final()


def simulate_command(
    counters: int | None = typer.Option(None, "--counters", help="counters to generate (default 10)"),
    sites: int | None = typer.Option(None, "--sites", help="sites to spread them over, 1-4 doors each "
                                     "(default about a third of --counters)"),
    channel: list[str] | None = typer.Option(None, "--channel", help="http, ws, mqtt, ftp, bacnet: repeat or "
                                             "comma-separate (default http; with --fleet the file's)"),
    speed: float = typer.Option(1.0, "--speed",
                                help="simulated seconds per real second (1440: a day a minute)"),
    seed: int | None = typer.Option(None, "--seed",
                                    help="same seed, same traffic (default 1, or the fleet file's)"),
    fleet_file: Path | None = typer.Option(None, "--fleet", help="TOML fleet file for a mixed fleet"),
    ws_url: str | None = typer.Option(None, "--ws-url",
                                      help="ws:// or wss:// address the ws counters push to"),
    ws_user: str | None = typer.Option(None, "--ws-user", help="Basic auth user for --ws-url"),
    ws_password: str | None = typer.Option(None, "--ws-password", help="Basic auth password for --ws-url"),
    python_literal: bool = typer.Option(False, "--python-literal", help="send the seeds' single-quoted "
                                        "Python-literal messages instead of JSON"),
    mqtt_url: str | None = typer.Option(None, "--mqtt-url", help="broker the mqtt counters publish to, "
                                        "mqtt://host:1883"),
    mqtt_user: str | None = typer.Option(None, "--mqtt-user", help="MQTT user name"),
    mqtt_password: str | None = typer.Option(None, "--mqtt-password", help="MQTT password"),
    ftp_url: str | None = typer.Option(None, "--ftp-url", help="ftp://user:password@host:21/folder, ftps://, "
                                       "sftp://; query: file_name, date_format, file_format"),
    http_port: int = typer.Option(0, "--http-port", min=0, max=65535,
                                  help="first counter's device API port, then +1 each (0: any free ports)"),
    bacnet_port: int = typer.Option(47808, "--bacnet-port", min=0, max=65535,
                                    help="first counter's BACnet UDP port, then +1 each (0: any free ports)"),
    start: str | None = typer.Option(None, "--start",
                                     help="simulated start, ISO 8601 with offset (default now)"),
    duration: float | None = typer.Option(None, "--duration",
                                          help="real seconds to run (default until Ctrl-C)"),
    truth: Path | None = typer.Option(None, "--truth", help="write the ground truth CSV here"),
    truth_from: str | None = typer.Option(None, "--truth-from", help="ground truth from, ISO 8601 "
                                          "(default the simulated start)"),
    truth_to: str | None = typer.Option(None, "--truth-to", help="ground truth to, ISO 8601 "
                                        "(default the simulated time at stop)"),
) -> None:
    """Run simulated people counters on loopback (device API, WebSocket, MQTT, FTP, BACnet)."""
    channels = parse_channels(channel)
    if speed <= 0:
        raise bad("--speed", f"must be > 0, got {speed:g}")
    if duration is not None and duration <= 0:
        raise bad("--duration", f"must be > 0 seconds, got {duration:g}")
    if (truth_from is None) != (truth_to is None):
        missing = "--truth-from" if truth_from is None else "--truth-to"
        raise bad(missing, "give both --truth-from and --truth-to")
    window = None
    if truth_from is not None and truth_to is not None:
        if truth is None:
            raise bad("--truth", "--truth-from / --truth-to need --truth FILE")
        window = parse_instant("--truth-from", truth_from), parse_instant("--truth-to", truth_to)
        if window[1] <= window[0]:
            raise bad("--truth-to", f"{truth_to} is not after --truth-from {truth_from}")
    for option, password, user in (("--ws-password", ws_password, ws_user),
                                   ("--mqtt-password", mqtt_password, mqtt_user)):
        if password is not None and user is None:
            raise bad(option, f"needs {option.replace('password', 'user')} too")
    start_ts = parse_instant("--start", start) if start is not None else None
    fleet = make_fleet(fleet_file, counters, sites, seed, channels)
    if truth is not None and window is not None and channels is None:
        write_truth_file(fleet, truth, *window)
        return
    runner = build_runner(fleet, start_ts, speed, ws_url, (ws_user, ws_password or "") if ws_user else None,
                          python_literal, mqtt_url, (mqtt_user, mqtt_password or "") if mqtt_user else None,
                          ftp_url, http_port, bacnet_port)
    logging.getLogger("footfall.simulator").setLevel(logging.WARNING)
    try:
        asyncio.run(run_fleet(runner, duration, stderr()))
    except OSError as error:
        fail(f"cannot start the fleet: {error} (is another simulator on these ports? see --http-port, "
             "--bacnet-port)")
    if truth is not None:
        write_truth_file(fleet, truth, *(window or runner.window))


def build_runner(fleet: Fleet, start_ts: int | None, speed: float, ws_url: str | None,
                 ws_auth: tuple[str, str] | None, python_literal: bool, mqtt_url: str | None,
                 mqtt_auth: tuple[str, str] | None, ftp_url: str | None, http_port: int,
                 bacnet_port: int) -> FleetRunner:
    """The runner for these options; a missing or malformed push address is a usage error naming it."""
    from footfall.simulator.clock import SimClock
    from footfall.simulator.runner import FleetRunner, TargetError, Targets, raise_open_file_limit

    targets = Targets(ws_url=ws_url, ws_auth=ws_auth, python_literal=python_literal, mqtt_url=mqtt_url,
                      mqtt_auth=mqtt_auth, ftp=ftp_config(ftp_url) if ftp_url else None,
                      http_port=http_port, bacnet_port=bacnet_port)
    raise_open_file_limit()
    try:
        return FleetRunner(fleet, SimClock(speed, start_ts), targets)
    except TargetError as error:
        raise bad(OPTION_OF[error.option], str(error)) from None
