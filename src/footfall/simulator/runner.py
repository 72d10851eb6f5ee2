"""The fleet runner: every simulated counter's devices in one asyncio loop, fed by one traffic query per tick.

Pull devices (the HTTP device API, BACnet) answer from the traffic model on request. Push devices
(WebSocket, MQTT) are handed each crossing once, when the simulated clock passes it: every tick
the runner asks the model for the whole fleet's crossings in [cursor, now] and dispatches them by
serial. FTP devices keep their own 02:30 schedule. Site-days are generated ahead of the clock in
a worker thread so a new local day never stalls the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import resource
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from websockets.exceptions import InvalidURI

from footfall.simulator.clock import SimClock
from footfall.simulator.devices.bacnet_device import DEFAULT_PORT, BacnetDevice
from footfall.simulator.devices.ftp_push import FtpPushConfig, FtpPushDevice
from footfall.simulator.devices.http_api import DeviceApiServer
from footfall.simulator.devices.mqtt_publish import MqttPublishDevice
from footfall.simulator.devices.outbox import PushStats
from footfall.simulator.devices.ws_push import WsPushDevice
from footfall.simulator.fleet import Fleet
from footfall.simulator.traffic import Crossing, fleet_crossings, warm

log = logging.getLogger(__name__)
PUSH_CHANNELS = ("ws", "mqtt")
WARM_AHEAD_REAL_S = 120.0   # generate site-days this far ahead of the clock (real seconds)...
WARM_AHEAD_MIN_S = 3600     # ...and at least an hour of simulated time
# What a push channel needs: the Targets field and what it holds.
_TARGETS = {"ws": ("ws_url", "a WebSocket server address"), "mqtt": ("mqtt_url", "an MQTT broker address"),
            "ftp": ("ftp_url", "an FTP or SFTP server")}


class Pusher(Protocol):
    """A device the runner hands crossings to (WsPushDevice, MqttPublishDevice)."""

    @property
    def stats(self) -> PushStats: ...

    def offer(self, crossings: list[Crossing]) -> None: ...

    async def run(self) -> None: ...

    async def stop(self) -> None: ...


class TargetError(ValueError):
    """A push target the fleet needs is missing or malformed; `option` names the setting (e.g. `ws_url`)."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(message)
        self.option = option


@dataclass(frozen=True, slots=True)
class Targets:
    """Where push counters send to and where pull devices listen."""

    ws_url: str | None = None
    ws_auth: tuple[str, str] | None = None
    python_literal: bool = False
    mqtt_url: str | None = None
    mqtt_auth: tuple[str, str] | None = None
    ftp: FtpPushConfig | None = None
    host: str = "127.0.0.1"
    http_port: int = 0              # first counter's port, the next +1...; 0 = ephemeral ports
    bacnet_port: int = DEFAULT_PORT  # the same for BACnet (UDP)


def raise_open_file_limit() -> int:
    """Lift the soft limit on open files to the hard one (1,000 counters hold thousands of sockets)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 1 << 20 if hard == resource.RLIM_INFINITY else hard
    if soft != resource.RLIM_INFINITY and soft < wanted:
        with contextlib.suppress(ValueError, OSError):   # some systems cap it below the hard limit
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def channels_in(fleet: Fleet) -> set[str]:
    """Every channel some counter of the fleet speaks."""
    return {channel for counter in fleet.counters for channel in counter.channels}


class FleetRunner:
    """Builds, starts, feeds and stops the devices each counter's `channels` ask for."""

    def __init__(self, fleet: Fleet, clock: SimClock, targets: Targets | None = None, *,
                 tick_s: float = 0.25, connect_wait_s: float = 10.0) -> None:
        self.fleet, self.clock, self.targets = fleet, clock, targets or Targets()
        self.tick_s, self.connect_wait_s = tick_s, connect_wait_s
        self.start_ts = math.ceil(clock.start)   # crossings from here on are pushed
        self.cursor = self.start_ts              # ...and up to (not including) here so far
        self.counted: Counter[str] = Counter()   # crossings handed to each push channel
        self.ws: dict[str, WsPushDevice] = {}
        self.mqtt: dict[str, MqttPublishDevice] = {}
        self.ftp: dict[str, FtpPushDevice] = {}
        self.bacnet: dict[str, BacnetDevice] = {}
        self.http: DeviceApiServer | None = None
        self._build()
        self._pushers: dict[str, list[tuple[str, Pusher]]] = defaultdict(list)
        for channel, devices in (("ws", self.ws), ("mqtt", self.mqtt)):
            for serial, device in devices.items():
                self._pushers[serial].append((channel, device))
        self._tasks: list[asyncio.Task[None]] = []
        self._loops: list[asyncio.Task[None]] = []
        self._stopping = asyncio.Event()
        self.stopped = False

    def _build(self) -> None:
        t, fleet, need = self.targets, self.fleet, channels_in(self.fleet)
        for channel, given in (("ws", t.ws_url), ("mqtt", t.mqtt_url), ("ftp", t.ftp)):
            if channel in need and not given:
                option, what = _TARGETS[channel]
                raise TargetError(option, f"counters with the {channel} channel need {what} to push to")
        bacnet_port = t.bacnet_port
        for counter in fleet.counters:
            serial = counter.serial
            site, faults = fleet.site(counter.site_code), fleet.faults_for(serial)
            if "ws" in counter.channels and t.ws_url:
                try:
                    self.ws[serial] = WsPushDevice(counter, site, t.ws_url, clock=self.clock, auth=t.ws_auth,
                                                   python_literal=t.python_literal, faults=faults)
                except InvalidURI as error:
                    raise TargetError("ws_url", f"bad WebSocket address {t.ws_url!r}: {error}") from None
            if "mqtt" in counter.channels and t.mqtt_url:
                try:
                    self.mqtt[serial] = MqttPublishDevice(counter, site, t.mqtt_url, clock=self.clock,
                                                          auth=t.mqtt_auth, faults=faults)
                except ValueError as error:
                    raise TargetError("mqtt_url", str(error)) from None
            if "ftp" in counter.channels and t.ftp:
                self.ftp[serial] = FtpPushDevice(counter, site, fleet, t.ftp, self.clock, faults, poll_s=1.0)
            if "bacnet" in counter.channels:
                self.bacnet[serial] = BacnetDevice(counter, site, fleet, self.clock, bacnet_port, faults,
                                                   host=t.host)
                bacnet_port += 1 if bacnet_port else 0
        http = [c.serial for c in fleet.counters if "http" in c.channels]
        if http:
            self.http = DeviceApiServer(fleet, http, self.clock, host=t.host, base_port=t.http_port)

    def pushers(self) -> Iterator[tuple[str, Pusher]]:
        """(channel, device) of every push device."""
        for devices in self._pushers.values():
            yield from devices

    @property
    def window(self) -> tuple[int, int]:
        """The simulated range [start, cursor) whose crossings have been handed to push devices."""
        return self.start_ts, self.cursor

    async def start(self) -> None:
        """Bind every listening device, start the push devices and the feed; on failure undo it all."""
        warming = asyncio.create_task(asyncio.to_thread(warm, self.fleet, self.start_ts, int(self._ahead())))
        try:
            if self.http is not None:
                await self.http.start()
            for device in self.bacnet.values():
                await device.start()
        except BaseException:
            warming.cancel()
            await self._close_listeners()
            raise
        self._tasks = [asyncio.create_task(d.run()) for _, d in self.pushers()]
        self._tasks += [asyncio.create_task(d.run()) for d in self.ftp.values()]
        await warming
        await self._settle(self.connect_wait_s)
        self._loops = [asyncio.create_task(self._feed_loop()), asyncio.create_task(self._warm_loop())]

    @property
    def stop_requested(self) -> bool:
        """Whether `stop()` or `request_stop()` has been called."""
        return self._stopping.is_set()

    async def wait(self) -> None:
        """Return when `stop()` or `request_stop()` has been called."""
        await self._stopping.wait()

    def feed(self) -> int:
        """Hand each push device its crossings from the cursor to the simulated now; returns how many."""
        end = math.floor(self.clock.now()) + 1
        if end <= self.cursor:
            return 0
        start, self.cursor = self.cursor, end
        if not self._pushers:
            return 0
        by_serial: dict[str, list[Crossing]] = defaultdict(list)
        for crossing in fleet_crossings(self.fleet, start, end):
            if crossing.serial in self._pushers:
                by_serial[crossing.serial].append(crossing)
        handed = 0
        for serial, found in by_serial.items():
            for channel, device in self._pushers[serial]:
                device.offer(found)
                self.counted[channel] += len(found)
                handed += len(found)
        return handed

    async def stop(self, drain_s: float = 5.0) -> None:
        """Feed up to now, give push devices `drain_s` to empty their buffers, then stop and unbind all."""
        if self.stopped:
            return
        self.stopped = True
        self._stopping.set()
        for task in self._loops:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.feed()
        await self._drain(drain_s)
        await asyncio.gather(*(d.stop() for _, d in self.pushers()), *(d.stop() for d in self.ftp.values()))
        for result in await asyncio.gather(*self._tasks, return_exceptions=True):
            if isinstance(result, Exception):
                log.error("a device ended with an error: %r", result)
        await self._close_listeners()

    def request_stop(self) -> None:
        """Make `wait()` return (safe from a signal handler); the caller then awaits `stop()`."""
        self._stopping.set()

    async def _feed_loop(self) -> None:
        while not self._stopping.is_set():
            self.feed()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.tick_s):
                    await self._stopping.wait()

    def _ahead(self) -> float:
        """The simulated instant up to which site-days should be generated by now."""
        return self.clock.now() + max(WARM_AHEAD_MIN_S, WARM_AHEAD_REAL_S * self.clock.speed)

    async def _warm_loop(self) -> None:
        """Generate upcoming site-days in a thread, half a horizon before the clock reaches them."""
        while not self._stopping.is_set():
            await asyncio.to_thread(warm, self.fleet, int(self.clock.now()), int(self._ahead()))
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(WARM_AHEAD_REAL_S / 2):
                    await self._stopping.wait()

    async def _settle(self, seconds: float) -> None:
        """Wait (up to `seconds`) until every push device has connected or failed to."""
        def settled(stats: PushStats) -> bool:
            return stats.state not in ("idle", "connecting") or stats.last_error is not None

        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                while not all(settled(d.stats) for _, d in self.pushers()):
                    await asyncio.sleep(0.05)

    async def _drain(self, seconds: float) -> None:
        """Wait (up to `seconds`) until no connected push device holds anything."""
        def empty() -> bool:
            return all(d.stats.buffered == 0 or d.stats.state != "connected" for _, d in self.pushers())

        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                while not empty():
                    await asyncio.sleep(0.05)

    async def _close_listeners(self) -> None:
        for device in self.bacnet.values():
            await device.stop()
        if self.http is not None:
            await self.http.stop()
