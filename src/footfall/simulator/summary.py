"""What a running fleet shows: one line per counter, then sent / acknowledged / buffered / dropped live.

On a terminal the figures are a rich table under a progress display; written to a pipe or a file
they are one plain line per interval, so logs and CI output stay readable.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from footfall.simulator.fleet import CounterSpec
from footfall.simulator.runner import FleetRunner

FIGURES = ("counted", "sent", "acknowledged", "buffered", "dropped")


@dataclass(frozen=True, slots=True)
class ChannelFigures:
    """One channel's figures over all its counters; pull channels (http, bacnet) have none."""

    channel: str
    counters: int
    unit: str = ""                  # what the figures count: events, files
    counted: int | None = None      # handed to the devices (crossings; FTP: days due)
    sent: int | None = None         # put on the wire, re-sends and copies included (FTP: attempts)
    acknowledged: int | None = None  # taken by the server (MQTT QoS 0: handed to the broker)
    buffered: int | None = None     # held, not yet acknowledged (FTP: days still to send)
    dropped: int | None = None      # never to be delivered
    state: str = ""
    error: str | None = None        # the last error of one of its failing devices, if any

    def values(self) -> tuple[int | None, ...]:
        """counted, sent, acknowledged, buffered, dropped."""
        return self.counted, self.sent, self.acknowledged, self.buffered, self.dropped


def channel_figures(runner: FleetRunner) -> list[ChannelFigures]:
    """The figures of every channel the runner has devices for."""
    rows = []
    for channel, devices in (("ws", runner.ws), ("mqtt", runner.mqtt)):
        if devices:
            stats = [device.stats for device in devices.values()]
            rows.append(ChannelFigures(
                channel, len(stats), "events", runner.counted[channel], sum(s.sent for s in stats),
                sum(s.acknowledged for s in stats), sum(s.buffered for s in stats),
                sum(s.dropped for s in stats), _states(s.state for s in stats),
                next((s.last_error for s in stats if s.last_error and s.state != "connected"), None)))
    if runner.ftp:
        sent = sum(d.stats.files_sent for d in runner.ftp.values())
        failed = sum(d.stats.failures for d in runner.ftp.values())
        due = sum(len(d.pending()) for d in runner.ftp.values())
        error = next((d.stats.last_error for d in runner.ftp.values() if d.stats.last_error), None)
        rows.append(ChannelFigures("ftp", len(runner.ftp), "files", sent + due, sent + failed, sent, due, 0,
                                   f"{failed} failed attempts" if failed else "ok", error))
    pull = "stopped" if runner.stopped else "serving"
    if runner.http is not None:
        rows.append(ChannelFigures("http", len(runner.http.serials), state=pull))
    if runner.bacnet:
        rows.append(ChannelFigures("bacnet", len(runner.bacnet), state=pull))
    return rows


def total(rows: Iterable[ChannelFigures]) -> ChannelFigures:
    """The event channels (ws, mqtt) added up."""
    events = [r for r in rows if r.unit == "events"]
    counted, sent, acknowledged, buffered, dropped = (sum(r.values()[i] or 0 for r in events)
                                                      for i in range(len(FIGURES)))
    return ChannelFigures("total", sum(r.counters for r in events), "events", counted, sent, acknowledged,
                          buffered, dropped)


def _with_total(rows: list[ChannelFigures]) -> list[ChannelFigures]:
    """The rows and, when there are event channels, their total."""
    return [*rows, total(rows)] if any(r.unit == "events" for r in rows) else rows


def _states(states: Iterable[str]) -> str:
    return ", ".join(f"{n} {state}" for state, n in sorted(Counter(states).items()))


def _redacted(url: str) -> str:
    """A URL without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return parts._replace(netloc=f"{parts.username}@{host}").geturl()


def endpoint_line(runner: FleetRunner, counter: CounterSpec) -> str:
    """One counter: serial, company serial, site and door, what it serves and where it pushes."""
    serial, serves, pushes = counter.serial, [], []
    if runner.http is not None and serial in runner.http.serials:
        serves.append(runner.http.endpoint(serial))
    if serial in runner.bacnet:
        device = runner.bacnet[serial]
        serves.append(f"bacnet {device.address} instance {device.instance}")
    if serial in runner.ws:
        pushes.append(f"ws {_redacted(runner.ws[serial].url)}")
    if serial in runner.mqtt:
        mqtt = runner.mqtt[serial]
        pushes.append(f"mqtt {_redacted(mqtt.url)} topic {mqtt.topic}")
    if serial in runner.ftp:
        c = runner.ftp[serial].config
        pushes.append(f"{c.protocol} {c.protocol}://{c.username}@{c.host}:{c.effective_port}/{c.remote_dir}")
    return (f"{serial} {counter.company_serial} site {counter.site_code} door {counter.door}"
            f"  serves {', '.join(serves) or '-'}  pushes {', '.join(pushes) or '-'}")


def iso_utc(ts: float) -> str:
    """Epoch seconds as ISO 8601 UTC to the second, e.g. 2025-11-22T12:00:00Z."""
    return datetime.fromtimestamp(int(ts), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sim_time(runner: FleetRunner) -> str:
    """The simulated now, ISO 8601 UTC."""
    return iso_utc(runner.clock.now())


def figures_table(rows: list[ChannelFigures]) -> Table:
    """The figures as a table, with a total row when there are event channels."""
    table = Table(box=None, pad_edge=False)
    for name in ("channel", "counters", *FIGURES, "state"):
        table.add_column(name, justify="left" if name in ("channel", "state") else "right")
    for r in _with_total(rows):
        cells = ["-" if v is None else f"{v:,}" for v in r.values()]
        unit = f" ({r.unit})" if r.unit and r.channel != "total" else ""
        table.add_row(f"{r.channel}{unit}", str(r.counters), *cells, r.state,
                      style="bold" if r.channel == "total" else None)
    return table


def plain_line(runner: FleetRunner, elapsed_s: float) -> str:
    """One line of figures for logs: elapsed real time, simulated now, each push channel and the total."""
    rows = channel_figures(runner)
    parts = [f"{elapsed_s:6.0f}s sim {sim_time(runner)}"]
    for r in _with_total(rows):
        if r.sent is not None:
            parts.append(f"{r.channel}: sent {r.sent} ack {r.acknowledged} buf {r.buffered} drop {r.dropped}")
    serving = [f"{r.channel} {r.counters}" for r in rows if r.sent is None]
    if serving:
        parts.append("serving " + ", ".join(serving))
    return "  ".join(parts)


class LiveSummary:
    """Shows the runner's figures until it is asked to stop: live on a terminal, plain lines otherwise."""

    def __init__(self, runner: FleetRunner, console: Console, *, duration_s: float | None = None,
                 every_s: float | None = None, live: bool | None = None) -> None:
        self.runner, self.console, self.duration_s = runner, console, duration_s
        self.live = console.is_terminal if live is None else live
        self.every_s = every_s or (0.5 if self.live else 10.0)
        self._started = 0.0
        self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                  TimeElapsedColumn(), TimeRemainingColumn(), console=console)
        self._task = self._progress.add_task("starting", total=duration_s)

    def _elapsed(self) -> float:
        return asyncio.get_running_loop().time() - self._started

    def _view(self) -> RenderableType:
        speed = self.runner.clock.speed
        self._progress.update(self._task, completed=self._elapsed(),
                              description=f"sim {sim_time(self.runner)} (x{speed:g})")
        return Group(self._progress, figures_table(channel_figures(self.runner)))

    async def run(self) -> None:
        """Refresh every `every_s` real seconds until the runner is asked to stop."""
        self._started = asyncio.get_running_loop().time()
        if not self.live:
            while not await self._pause():
                self._say(plain_line(self.runner, self._elapsed()))
            return
        with Live(self._view(), console=self.console, auto_refresh=False, transient=True) as live:
            while not await self._pause():
                live.update(self._view(), refresh=True)

    async def _pause(self) -> bool:
        """Wait `every_s`; True once the runner has been asked to stop."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.every_s):
                await self.runner.wait()
        return self.runner.stop_requested

    def final(self) -> None:
        """Print the closing figures (a table on a terminal, plain lines otherwise) and any last errors."""
        rows = channel_figures(self.runner)
        start, end = self.runner.window
        say = self._say
        say(f"stopped: simulated {iso_utc(start)} .. {iso_utc(end)}")
        if self.live:
            self.console.print(figures_table(rows))
        else:
            for r in _with_total(rows):
                figures = " ".join(f"{name} {'-' if v is None else v}"
                                   for name, v in zip(FIGURES, r.values(), strict=True))
                say(f"{r.channel}: counters {r.counters} {figures} {r.state}".rstrip())
        for r in rows:
            if r.error:
                say(f"{r.channel}: last error: {r.error}")

    def _say(self, text: str) -> None:
        self.console.print(text, highlight=False, soft_wrap=True, markup=False)
