"""The app factory: nothing (engine, settings, ingest) is built at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI
from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

import footfall.settings
from footfall.api.body_limit import BodyLimitMiddleware
from footfall.api.errors import install_error_handlers
from footfall.api.redact import install as install_redaction
from footfall.api.routers import ROUTERS, health
from footfall.settings import Settings
from footfall.storage.engine import make_engine
from footfall.storage.migrate import upgrade

if TYPE_CHECKING:
    from footfall.connectors.websocket.config import WebSocketConfig

API_PREFIX = "/api/v1"


class HubApp(FastAPI):
    """The hub's ASGI app: the REST API, and the counters' WebSocket path served directly.

    A counter connection lives for months: handing it to its server before FastAPI's
    middleware and routing layers keeps each idle connection small (no frames held for them).
    """

    counter_path: str | None = None
    counter_endpoint: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Route the counters' WebSocket path to its server, everything else to FastAPI."""
        endpoint = self.counter_endpoint
        if endpoint is not None and scope["type"] == "websocket" and scope["path"] == self.counter_path:
            await endpoint(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None, engine: Engine | None = None,
               websocket: WebSocketConfig | None = None) -> FastAPI:
    """The hub's REST API and counter WebSocket over `engine` (default: the settings' database)."""
    settings = settings if settings is not None else footfall.settings.load()
    owns_engine = engine is None
    if engine is None:
        engine = make_engine(settings.url)
        upgrade(engine)
    # Imported here so that importing the API does not load the ingest machinery.
    from footfall.connectors.websocket import WebSocketConfig, WebSocketServer
    from footfall.ingest.core import IngestCore
    from footfall.live import LiveHub
    from footfall.portal import install_portal

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from footfall.api.background import services

        await app.state.live.start(app.state.ingest)
        await app.state.websocket.start(app.state.ingest)
        try:
            # Background services (MQTT subscriber, pollers, schedules) stop before the
            # ingest core closes.
            async with AsyncExitStack() as stack:
                app.state.services = {}
                for name, factory in services():
                    handle = await stack.enter_async_context(
                        factory(settings, app.state.engine, app.state.ingest))
                    app.state.services[name] = handle
                app.state.mqtt = app.state.services.get("mqtt")
                yield
        finally:
            # Counters' last messages and coverage go to the ingest core before it closes.
            await app.state.websocket.stop()
            await app.state.live.stop()
            ingest = getattr(app.state, "ingest", None)
            if ingest is not None:
                # close() flushes queued records to the database: not on the event loop.
                await run_in_threadpool(ingest.close)
            if owns_engine:
                app.state.engine.dispose()

    app = HubApp(title="footfall", summary="Self-hosted people-counting data hub",
                  version="0.1.0", docs_url="/docs", lifespan=lifespan)
    app.state.settings = settings
    app.state.engine = engine
    app.state.ingest = IngestCore(engine)
    app.state.live = LiveHub(engine)
    websocket = websocket if websocket is not None else WebSocketConfig()
    app.state.websocket = WebSocketServer(websocket, engine)
    app.counter_path, app.counter_endpoint = websocket.path, app.state.websocket
    install_redaction()  # no access_token in the request log
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=settings.max_body_bytes)
    install_portal(app)  # the web UI at /portal
    app.include_router(health.router)
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    return app
