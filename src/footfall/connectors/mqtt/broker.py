"""An in-process MQTT broker (amqtt) for the demo and the embedded default: no other server needed.

Anonymous, plain TCP and meant for loopback or a trusted LAN; production points the hub at
Mosquitto / EMQX / HiveMQ instead (amqtt speaks MQTT 3.1.1 only: no shared subscriptions).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

log = logging.getLogger(__name__)
SHUTDOWN_TIMEOUT_S = 5.0


@asynccontextmanager
async def embedded_broker(port: int = 1883, host: str = "127.0.0.1") -> AsyncIterator[str]:
    """Serve MQTT on `host:port` on the running event loop; yields the `mqtt://` URL to use."""
    from amqtt.broker import Broker  # slow to import: only when the embedded broker is wanted

    logging.getLogger("amqtt").setLevel(logging.WARNING)  # it logs every packet at INFO
    broker = Broker({
        "listeners": {"default": {"type": "tcp", "bind": f"{host}:{port}"}},
        "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
    })
    await broker.start()
    where = f"{'[' + host + ']' if ':' in host else host}:{port}"
    log.info("embedded MQTT broker listening on %s", where)
    try:
        yield f"mqtt://{where}"
    finally:
        # amqtt can wait forever on a client that never says goodbye: bound the shutdown.
        try:
            await asyncio.wait_for(broker.shutdown(), SHUTDOWN_TIMEOUT_S)
        except TimeoutError:
            log.warning("embedded MQTT broker did not stop within %.0f s; leaving it", SHUTDOWN_TIMEOUT_S)
