"""The hub's MQTT subscriber started from FOOTFALL_MQTT_* settings, against a real broker."""

from __future__ import annotations

import asyncio
import json
import time

import aiomqtt
import pytest
from sqlalchemy import func, select

from footfall.connectors.mqtt.hub import config_from, mqtt_running
from footfall.estate.companies import create_company
from footfall.ingest.core import IngestCore
from footfall.settings import SettingsError, load
from footfall.storage.engine import read_tx, write_tx
from footfall.storage.tables import event
from tests.simulator.mqtt_broker import mqtt_broker

SERIAL = "000000006afce315"


def _company(engine) -> str:
    name = f"mqtt-hub-{time.time_ns()}"
    with write_tx(engine) as conn:
        create_company(conn, name)
    return name


def test_settings_name_what_is_missing_or_wrong(sqlite_engine) -> None:
    with pytest.raises(SettingsError, match="FOOTFALL_MQTT_COMPANY"):
        config_from(load({"FOOTFALL_MQTT_URL": "mqtt://127.0.0.1:1883"}), sqlite_engine)
    with pytest.raises(SettingsError, match="no company"):
        config_from(load({"FOOTFALL_MQTT_URL": "mqtt://x", "FOOTFALL_MQTT_COMPANY": "nobody"}), sqlite_engine)
    name = _company(sqlite_engine)
    with pytest.raises(SettingsError, match="FOOTFALL_MQTT_URL"):
        config_from(load({"FOOTFALL_MQTT_URL": "http://x", "FOOTFALL_MQTT_COMPANY": name}), sqlite_engine)
    config = config_from(load({"FOOTFALL_MQTT_URL": "mqtt://127.0.0.1:1883", "FOOTFALL_MQTT_COMPANY": name,
                               "FOOTFALL_MQTT_PASSWORD": "s3cret", "FOOTFALL_MQTT_USERNAME": "hub"}),
                         sqlite_engine)
    assert "s3cret" not in config.describe() and "s3cret" not in repr(config)


def test_the_hub_subscriber_stores_what_a_counter_publishes(sqlite_engine) -> None:
    name = _company(sqlite_engine)
    at = int(time.time()) - 60

    async def scenario(url: str) -> None:
        settings = load({"FOOTFALL_MQTT_URL": url, "FOOTFALL_MQTT_COMPANY": name,
                         "FOOTFALL_MQTT_TOPICS": f"/hubtest-{name}/+"})
        core = IngestCore(sqlite_engine)
        try:
            async with mqtt_running(settings, sqlite_engine, core) as subscriber:
                assert subscriber is not None
                await subscriber.wait_subscribed()
                host, port = url.removeprefix("mqtt://").split(":")
                async with aiomqtt.Client(host, int(port)) as client:
                    payload = {"CameraSerial": SERIAL, "EventStartTime": at, "EventEndTime": at,
                               "MetricId": 1, "RoiId": 1, "PeopleTypeId": 1, "PeopleId": 7,
                               "UUID": "6b0f1c1e-5d1f-4d4e-9a53-0a1b2c3d4e5f"}
                    await client.publish(f"/hubtest-{name}/{SERIAL}", json.dumps(payload))
                for _ in range(100):
                    with read_tx(sqlite_engine) as conn:
                        if conn.execute(select(func.count()).select_from(event)).scalar_one():
                            return
                    await asyncio.sleep(0.1)
                raise AssertionError("the published event was never stored")
        finally:
            core.close()

    with mqtt_broker("auto") as url:
        asyncio.run(scenario(url))


def test_the_app_runs_the_subscriber_while_it_serves(sqlite_engine) -> None:
    from fastapi.testclient import TestClient

    from footfall.api.app import create_app

    name = _company(sqlite_engine)
    with mqtt_broker("auto") as url:
        settings = load({"FOOTFALL_MQTT_URL": url, "FOOTFALL_MQTT_COMPANY": name})
        app = create_app(settings, engine=sqlite_engine)
        with TestClient(app):
            assert app.state.mqtt is not None
            assert app.state.mqtt.config.company_id > 0

