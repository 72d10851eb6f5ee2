"""A simulated counter's BACnet/IP device: `FFC`, In-C-X / Out-C-X visitor counts of the last 48 hours.

X counts hours back from the current local clock hour: X=0 is the hour in progress (up to the
simulated now), X=1 the last complete hour. Hour X spans [h0 - X h, h0 - X h + 1 h) where h0 is
the top of the current local hour, so hours sit on the local top of the hour in :30 and :45 zones.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bacpypes3.app import Application
from bacpypes3.local.analog import AnalogValueObject
from bacpypes3.local.device import DeviceObject
from bacpypes3.local.networkport import NetworkPortObject
from bacpypes3.primitivedata import Date, Time

from footfall.simulator.fleet import ENTRANCE_ROI, CounterSpec, Fleet, SiteSpec
from footfall.simulator.traffic import IN, VISITOR, raw_crossings

HOURS = 48
HOUR = 3600
OUT_OFFSET = HOURS  # analog-value instances: In-C-X is X, Out-C-X is 48 + X
DEVICE_NAME = "FFC"
VENDOR_ID = 999  # bacpypes3's sample vendor: the simulator is not a registered BACnet vendor
DEFAULT_PORT = 47808


class Clock(Protocol):
    def now(self) -> float: ...


class Faults(Protocol):
    def is_offline(self, t: float) -> bool: ...


def current_hour_start(now: float, timezone: str) -> int:
    """Epoch second at which the current local clock hour began."""
    local = datetime.fromtimestamp(now, ZoneInfo(timezone))
    return int(local.replace(minute=0, second=0, microsecond=0).timestamp())


def hour_counts(fleet: Fleet, serial: str, start: int, end: int) -> list[tuple[int, int]]:
    """Visitor (in, out) on the entrance line per hour from `start`, for the hours in [start, end)."""
    counts = [[0, 0] for _ in range(-(-(end - start) // HOUR))]
    for at, roi, metric, people_type in raw_crossings(fleet, serial, start, end):
        if roi == ENTRANCE_ROI and people_type == VISITOR:
            counts[(at - start) // HOUR][0 if metric == IN else 1] += 1
    return [(i, o) for i, o in counts]


class HourlyCounts:
    """In-C-X / Out-C-X values at the simulated now: complete hours cached per hour, X=0 live."""

    def __init__(self, fleet: Fleet, serial: str, timezone: str, clock: Clock) -> None:
        self.fleet, self.serial, self.timezone, self.clock = fleet, serial, timezone, clock
        self._cached: tuple[int, list[tuple[int, int]]] | None = None

    def value(self, hours_back: int, metric: int) -> int:
        """The visitor count of hour X = `hours_back`, ins for metric 1 and outs for metric 2."""
        now = self.clock.now()
        h0 = current_hour_start(now, self.timezone)
        if hours_back == 0:
            hour = hour_counts(self.fleet, self.serial, h0, int(now) + 1)[0]
        else:
            if self._cached is None or self._cached[0] != h0:
                first = h0 - (HOURS - 1) * HOUR
                self._cached = h0, hour_counts(self.fleet, self.serial, first, h0)
            hour = self._cached[1][HOURS - 1 - hours_back]
        return hour[0] if metric == IN else hour[1]


class HourValueObject(AnalogValueObject):
    """An analog-value whose present value is recomputed from the simulated clock on every read."""

    def __init__(self, source: Callable[[], int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._source = source

    async def read_property(self, attr: int | str, index: int | None = None) -> Any:
        """Refresh the present value before bacpypes3 encodes it."""
        name = self._property_identifier_class(attr).attr if isinstance(attr, int) else attr
        if name == "presentValue":
            self.presentValue = float(self._source())
        return await super().read_property(attr, index)


class CounterDeviceObject(DeviceObject):
    """The device object, telling the site's local date and time on the simulated clock."""

    _clock: Clock
    _zone: ZoneInfo

    def _local(self) -> datetime:
        return datetime.fromtimestamp(self._clock.now(), self._zone)

    @property
    def localDate(self) -> Date:
        """The simulated local date."""
        day = self._local()
        return Date((day.year - 1900, day.month, day.day, day.isoweekday()))

    @localDate.setter
    def localDate(self, value: Any) -> None:
        """Writes are ignored: the simulated clock is the device's clock."""

    @property
    def localTime(self) -> Time:
        """The simulated local time."""
        now = self._local()
        return Time((now.hour, now.minute, now.second, now.microsecond // 10_000))

    @localTime.setter
    def localTime(self, value: Any) -> None:
        """Writes are ignored: the simulated clock is the device's clock."""


class CounterApplication(Application):
    """A bacpypes3 application that stays silent while the counter is offline."""

    offline: Callable[[], bool] | None = None

    async def indication(self, apdu: Any) -> None:  # type: ignore[override]
        """Handle a request, unless the counter is offline (then nothing answers, like a dead device)."""
        if self.offline is not None and self.offline():
            return
        await super().indication(apdu)


class BacnetDevice:
    """One counter as a BACnet/IP device on a UDP port of `host` (several devices share one host)."""

    def __init__(self, counter: CounterSpec, site: SiteSpec, fleet: Fleet, clock: Clock,
                 port: int = DEFAULT_PORT, faults: Faults | None = None, host: str = "127.0.0.1") -> None:
        self.counter, self.site, self.fleet, self.clock, self.host = counter, site, fleet, clock, host
        self.port = port
        self.faults = faults if faults is not None else fleet.faults_for(counter.serial)
        self.counts = HourlyCounts(fleet, counter.serial, site.timezone, clock)
        self._app: CounterApplication | None = None

    @property
    def instance(self) -> int:
        """The device instance: the last six digits of the company serial."""
        return self.counter.bacnet_instance

    @property
    def address(self) -> str:
        """Where a BACnet client reaches this device, `host:port`."""
        return f"{self.host}:{self.port}"

    def is_offline(self) -> bool:
        """Whether the counter is off the network at the simulated now."""
        return self.faults.is_offline(self.clock.now())

    def objects(self) -> list[Any]:
        """The device object, its network port and the 96 In-C-X / Out-C-X analog values."""
        device = CounterDeviceObject(
            objectIdentifier=("device", self.instance), objectName=DEVICE_NAME, vendorIdentifier=VENDOR_ID,
            vendorName="footfall simulator", modelName="simulated people counter",
            description=f"counter {self.counter.serial} ({self.counter.company_serial})",
        )
        device._clock, device._zone = self.clock, ZoneInfo(self.site.timezone)
        port = NetworkPortObject(f"{self.host}/32:{self.port}", objectIdentifier=("network-port", 1),
                                 objectName="NetworkPort-1")
        values = [
            HourValueObject(partial(self.counts.value, x, metric),
                            objectIdentifier=("analog-value", x + offset), objectName=f"{prefix}-C-{x}",
                            presentValue=0.0, statusFlags=[0, 0, 0, 0], units="noUnits", covIncrement=1.0,
                            description=f"visitors {prefix.lower()}, {x} hour(s) before the current one")
            for prefix, metric, offset in (("In", IN, 0), ("Out", 2, OUT_OFFSET))
            for x in range(HOURS)
        ]
        return [device, port, *values]

    async def start(self) -> None:
        """Bind the UDP port (0 = any free one) and answer requests until `stop()`."""
        self.port = self.port or _free_udp_port(self.host)
        _ensure_free(self.host, self.port)  # bacpypes3 binds with SO_REUSEPORT and would share it silently
        app = CounterApplication.from_object_list(self.objects())
        app.offline = self.is_offline
        self._app = app
        for link in app.link_layers.values():
            async with asyncio.timeout(5):
                while link.server.local_transport is None:
                    await asyncio.sleep(0.005)

    async def stop(self) -> None:
        """Close the UDP port."""
        if self._app is not None:
            self._app.close()
            self._app = None


def _free_udp_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _ensure_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as error:
            raise OSError(f"BACnet port {host}:{port} is already in use: {error}") from None
