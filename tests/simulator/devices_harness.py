"""The simulated device API in a test: a clock moved by hand and a server on its own loop thread."""

from __future__ import annotations

import asyncio
import threading

from footfall.simulator.devices.http_api import DeviceApiServer


class SteppedClock:
    """A clock the test moves by hand (epoch seconds), for the simulator and the poller alike."""

    def __init__(self, now: float) -> None:
        self.value = float(now)

    def now(self) -> float:
        """The time the test set."""
        return self.value

    def __call__(self) -> float:
        return self.value


class Devices:
    """A DeviceApiServer serving in its own event-loop thread (the test's own loop stays free)."""

    def __init__(self, server: DeviceApiServer) -> None:
        self.server = server
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> DeviceApiServer:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(15)
        return self.server

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(15)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(15)
        self.loop.close()
