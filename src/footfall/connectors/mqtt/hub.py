"""Run the MQTT subscriber inside the hub, as the FOOTFALL_MQTT_* settings describe."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from pydantic import ValidationError
from sqlalchemy.engine import Engine

from footfall.connectors.mqtt.config import MqttConfig
from footfall.connectors.mqtt.connector import MqttSubscriber
from footfall.estate.companies import find_company, get_company
from footfall.estate.errors import NotFound
from footfall.settings import Settings, SettingsError
from footfall.storage.engine import read_tx

log = logging.getLogger(__name__)


def config_from(settings: Settings, engine: Engine) -> MqttConfig:
    """The subscriber's config from the settings; a wrong one is refused naming the variable."""
    if not settings.mqtt_company:
        raise SettingsError("FOOTFALL_MQTT_COMPANY is needed with FOOTFALL_MQTT_URL: whose counters publish")
    with read_tx(engine) as conn:
        try:
            found = (get_company(conn, int(settings.mqtt_company)) if settings.mqtt_company.isdigit()
                     else find_company(conn, settings.mqtt_company))
        except NotFound:
            raise SettingsError(f"FOOTFALL_MQTT_COMPANY: no company {settings.mqtt_company!r}") from None
    fields: dict[str, Any] = {
        "company_id": found["id"], "url": settings.mqtt_url,
        "topics": tuple(t.strip() for t in settings.mqtt_topics.split(",") if t.strip()),
    }
    if settings.mqtt_username:
        fields["username"] = settings.mqtt_username
    if settings.mqtt_password:
        fields["password"] = settings.mqtt_password
    if settings.mqtt_share_group:
        fields["share_group"] = settings.mqtt_share_group
    try:
        return MqttConfig.model_validate(fields)
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(p) for p in problem["loc"]) or "config"
        raise SettingsError(f"FOOTFALL_MQTT_{where.upper()}: {problem['msg']}") from None


@asynccontextmanager
async def mqtt_running(settings: Settings, engine: Engine,
                       ingest: Any) -> AsyncIterator[MqttSubscriber | None]:
    """Subscribe while the hub runs; None when FOOTFALL_MQTT_URL is not set."""
    if not settings.mqtt_url:
        yield None
        return
    async with AsyncExitStack() as stack:
        subscriber = MqttSubscriber(config_from(settings, engine))
        await subscriber.start(ingest)
        stack.push_async_callback(subscriber.stop)
        log.info("MQTT: subscribed at %s", subscriber.config.describe())
        yield subscriber
