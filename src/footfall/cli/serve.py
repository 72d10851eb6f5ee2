"""`footfall serve`: the REST API under uvicorn, with rollups kept warm in the background."""

from __future__ import annotations

import asyncio
import gc
import logging
import socket
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from sqlalchemy.engine import Engine
from starlette.types import ASGIApp, Receive, Scope, Send

from footfall.cli.hub import database, describe, load_settings
from footfall.cli.output import fail, stdout, user_errors
from footfall.rollup.refresher import refresh
from footfall.settings import Settings

if TYPE_CHECKING:
    from footfall.connectors.websocket.config import WebSocketConfig

log = logging.getLogger("footfall.rollup")
ROLLUP_EVERY_S = 5.0
# The API's mount point (footfall.api.app.API_PREFIX); importing the API here would load
# FastAPI for every CLI command, so a test keeps the two equal.
API_PREFIX = "/api/v1"
# Server-sent event streams never end on their own: give them this long on shutdown.
GRACEFUL_SHUTDOWN_S = 5


class RollupLoop:
    """A daemon thread that rolls up pending data every few seconds so reports stay fast."""

    def __init__(self, engine: Engine, every_s: float = ROLLUP_EVERY_S) -> None:
        self._engine = engine
        self._every_s = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="footfall-rollup", daemon=True)
        self.failing = False

    def start(self) -> None:
        """Start rolling up in the background."""
        self._thread.start()

    def stop(self) -> None:
        """Stop after the current pass."""
        self._stop.set()
        self._thread.join(timeout=30)

    def tick(self) -> int:
        """One pass; a failure is logged once when it starts and once when it clears."""
        try:
            done = refresh(self._engine)
        except Exception:  # the loop must outlive a bad pass; the next one retries
            if not self.failing:
                log.exception("rollup failed; retrying every %.0f s", self._every_s)
            self.failing = True
            return 0
        if self.failing:
            log.warning("rollup recovered")
        self.failing = False
        return done

    def _run(self) -> None:
        while True:
            self.tick()
            if self._stop.wait(self._every_s):
                return


def base_url(host: str, port: int) -> str:
    """The address to print: a wildcard bind is reached on localhost."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    return f"http://{f'[{shown}]' if ':' in shown else shown}:{port}"


def lan_address() -> str:
    """This machine's address on its default route (found without sending a packet), else loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: routed like any remote host, never reached
            return str(probe.getsockname()[0])
        except OSError:
            return "127.0.0.1"


def ws_url(host: str, port: int, path: str = "/ws") -> str:
    """The address to paste into a counter's "WebSocket Server Address" field."""
    shown = lan_address() if host in ("0.0.0.0", "::", "") else host
    return f"ws://{f'[{shown}]' if ':' in shown else shown}:{port}{path}"


def counters_only(path: str, endpoint: ASGIApp) -> ASGIApp:
    """An ASGI app that serves only the counters' WebSocket at `path` (the dedicated port)."""
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and scope["path"] == path:
            await endpoint(scope, receive, send)
        elif scope["type"] == "http":
            body = f"this port serves only the counters' WebSocket at {path}".encode()
            await send({"type": "http.response.start", "status": 404,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
            await send({"type": "http.response.body", "body": body})
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
    return app


def run_server(settings: Settings, engine: Engine, host: str, port: int,
               websocket: WebSocketConfig | None = None, ws_port: int | None = None) -> None:
    """Serve the API and the counters' WebSocket on host:port (and `ws_port`) until interrupted."""
    # Imported here: only serving needs FastAPI and uvicorn, and they take a second to load.
    import uvicorn

    from footfall.api.app import create_app
    from footfall.connectors.websocket import WebSocketConfig, uvicorn_options

    websocket = websocket if websocket is not None else WebSocketConfig()
    app = create_app(settings, engine, websocket)
    app.state.ws_port = ws_port  # the portal's integration tool gives counters this port
    options = {"host": host, "log_level": "info", "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_S,
               **uvicorn_options(websocket)}
    servers = [uvicorn.Server(uvicorn.Config(app, port=port, **options))]
    if ws_port:
        # The hub's own lifespan (ingest core, WebSocket server) runs once, in the main server.
        only = counters_only(websocket.path, app.state.websocket)
        servers.append(uvicorn.Server(uvicorn.Config(only, port=ws_port, lifespan="off", **options)))
    loop = RollupLoop(engine)
    loop.start()
    # What start-up loaded (modules, the app, the ORM) lives as long as the process: out of
    # the collector's sight, full collections walk only what requests create.
    gc.collect()
    gc.freeze()
    try:
        asyncio.run(_serve_together(servers))
    finally:
        loop.stop()


async def _serve_together(servers: list[Any]) -> None:
    """Run the servers until one stops (Ctrl-C reaches one of them), then stop the others."""
    tasks = [asyncio.create_task(server.serve()) for server in servers]
    await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for server in servers:
        server.should_exit = True
    # The dedicated port closes first so counters stop sending before the hub winds down.
    for task in reversed(tasks):
        await task


def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="address to listen on"),
    port: int = typer.Option(8000, "--port", help="TCP port to listen on"),
    ws_config: Path | None = typer.Option(
        None, "--ws-config", help="TOML settings of the counters' WebSocket (auth, logins, limits)"),
    ws_port: int | None = typer.Option(
        None, "--ws-port", min=1, max=65535,
        help="also serve the counters' WebSocket (only it) on this dedicated port"),
) -> None:
    """Serve the REST API and the counters' WebSocket (migrating the database first)."""
    from footfall.connectors.websocket.config import WebSocketConfig, WebSocketConfigError, load_config

    with user_errors():
        try:
            websocket = load_config(ws_config) if ws_config is not None else WebSocketConfig()
        except WebSocketConfigError as error:
            fail(f"bad WebSocket config: {error}")
        settings = load_settings()
        with database(settings) as engine:
            url = base_url(host, port)
            out = stdout()
            out.print(f"footfall on {describe(settings)}")
            out.print(f"API:  {url}{API_PREFIX}")
            out.print(f"Docs: {url}/docs")
            # Plain text: the address must copy and paste into a counter's settings as it is.
            typer.echo(f"WebSocket: {ws_url(host, port, websocket.path)}")
            if ws_port:
                typer.echo(f"WebSocket (dedicated port): {ws_url(host, ws_port, websocket.path)}")
            typer.echo(f"  (a counter's \"WebSocket Server Address\"; Basic auth {websocket.auth})")
            run_server(settings, engine, host, port, websocket, ws_port)
