"""The demo's present: the hub served with an in-process MQTT broker and the fleet pushing live.

One event loop holds the broker (amqtt), the hub (uvicorn) and the simulated counters, which
push every crossing as it happens: WebSocket counters to the hub's `/ws`, MQTT counters to
the broker the hub subscribes to. Stops cleanly on Ctrl-C: counters first, then the hub,
then the broker.
"""

from __future__ import annotations

import asyncio
import dataclasses
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine

from footfall.connectors.mqtt.broker import embedded_broker
from footfall.settings import Settings
from footfall.simulator.clock import SimClock
from footfall.simulator.fleet import Fleet
from footfall.simulator.runner import FleetRunner, Targets

STARTUP_TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class LiveAddresses:
    """Where the running demo can be reached."""

    api: str
    websocket: str
    mqtt: str


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on `host` right now."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


async def serve_with_fleet(settings: Settings, engine: Engine, fleet: Fleet, company_id: int, *,
                           host: str = "127.0.0.1", port: int = 8000, mqtt_port: int = 0,
                           clock: SimClock | None = None,
                           on_ready: Callable[[LiveAddresses, FleetRunner], None] | None = None,
                           stop: asyncio.Event | None = None) -> FleetRunner:
    """Serve the hub with the fleet pushing live until `stop` is set or the server exits."""
    import uvicorn

    from footfall.api.app import create_app
    from footfall.cli.serve import GRACEFUL_SHUTDOWN_S, RollupLoop
    from footfall.connectors.websocket import WebSocketConfig, uvicorn_options

    websocket = WebSocketConfig()
    loopback = "127.0.0.1" if host in ("0.0.0.0", "") else host
    async with embedded_broker(mqtt_port or free_port(loopback), host=loopback) as mqtt_url:
        live_settings = dataclasses.replace(settings, mqtt_url=mqtt_url, mqtt_company=str(company_id))
        app = create_app(live_settings, engine, websocket)
        server = uvicorn.Server(uvicorn.Config(
            app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
            **uvicorn_options(websocket)))
        rollups = RollupLoop(engine)
        rollups.start()
        serving = asyncio.create_task(server.serve())
        try:
            await _started(server, serving)
            ws_url = f"ws://{loopback}:{port}{websocket.path}"
            runner = FleetRunner(fleet, clock or SimClock(), Targets(ws_url=ws_url, mqtt_url=mqtt_url))
            await runner.start()
            try:
                if on_ready is not None:
                    on_ready(LiveAddresses(f"http://{loopback}:{port}", ws_url, mqtt_url), runner)
                waits: list[asyncio.Future[Any]] = [serving, asyncio.create_task(runner.wait())]
                if stop is not None:
                    waits.append(asyncio.create_task(stop.wait()))
                await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
                for waiting in waits[1:]:
                    waiting.cancel()
            finally:
                # Counters stop first so their last crossings still reach a running hub.
                await runner.stop(drain_s=0.0 if serving.done() else 5.0)
            return runner
        finally:
            server.should_exit = True
            await serving
            rollups.stop()


async def _started(server: object, serving: asyncio.Task[None]) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STARTUP_TIMEOUT_S
    while not getattr(server, "started", False):
        if serving.done():
            serving.result()  # raises what stopped it
            raise OSError("the hub stopped while starting (is the port already in use?)")
        if loop.time() > deadline:
            raise TimeoutError(f"the hub did not start within {STARTUP_TIMEOUT_S:.0f} s")
        await asyncio.sleep(0.05)
