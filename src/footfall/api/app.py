"""The app factory: nothing (engine, settings, ingest) is built at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool

import footfall.settings
from footfall.api.body_limit import BodyLimitMiddleware
from footfall.api.errors import install_error_handlers
from footfall.api.routers import ROUTERS, health
from footfall.settings import Settings
from footfall.storage.engine import make_engine
from footfall.storage.migrate import upgrade

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """The hub's REST API over `engine` (default: the settings' database, migrated on start)."""
    settings = settings if settings is not None else footfall.settings.load()
    owns_engine = engine is None
    if engine is None:
        engine = make_engine(settings.url)
        upgrade(engine)
    # Imported here so that importing the API does not load the ingest machinery.
    from footfall.ingest.core import IngestCore

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from footfall.connectors.mqtt.hub import mqtt_running

        try:
            # The MQTT subscriber (FOOTFALL_MQTT_URL) stops before the ingest core closes.
            async with mqtt_running(settings, app.state.engine, app.state.ingest) as subscriber:
                app.state.mqtt = subscriber
                yield
        finally:
            ingest = getattr(app.state, "ingest", None)
            if ingest is not None:
                # close() flushes queued records to the database: not on the event loop.
                await run_in_threadpool(ingest.close)
            if owns_engine:
                app.state.engine.dispose()

    app = FastAPI(title="footfall", summary="Self-hosted people-counting data hub",
                  version="0.1.0", docs_url="/docs", lifespan=lifespan)
    app.state.settings = settings
    app.state.engine = engine
    app.state.ingest = IngestCore(engine)
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=settings.max_body_bytes)
    app.include_router(health.router)
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    return app
