"""The hub's background services, each an async context manager run for the app's lifetime.

A service is `factory(settings, engine, ingest)`; it stays idle when nothing configures it
(no broker URL, no counter on its channel, no schedule) and stops promptly on shutdown.
Services start in this order and stop in reverse, all before the ingest core closes.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from sqlalchemy.engine import Engine

from footfall.ingest.core import IngestCore
from footfall.settings import Settings

Service = Callable[[Settings, Engine, IngestCore], AbstractAsyncContextManager[Any]]


def services() -> list[tuple[str, Service]]:
    """(name, factory) of every background service; imported late to keep the API import light."""
    from footfall.connectors.bacnet.hub import bacnet_running
    from footfall.connectors.device_api.service import device_api_running
    from footfall.connectors.ftp_drop.hub import drop_running
    from footfall.connectors.mqtt.hub import mqtt_running
    from footfall.delivery.service import deliveries_running
    from footfall.sales.service import sales_schedules_running

    return [
        ("mqtt", mqtt_running),
        ("device_api", device_api_running),
        ("ftp_drop", drop_running),
        ("bacnet", bacnet_running),
        ("deliveries", deliveries_running),
        ("sales_schedules", sales_schedules_running),
    ]
