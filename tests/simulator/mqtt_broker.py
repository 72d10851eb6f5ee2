"""A real MQTT broker for tests: Mosquitto on 127.0.0.1:1883 when it is up, else amqtt in-process.

With CI=true Mosquitto is required: an unreachable one fails the test instead of falling back.
The amqtt broker runs on its own event loop in a thread, so tests can drive devices and
subscribers with `asyncio.run` while it serves on an ephemeral port.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

MOSQUITTO = ("127.0.0.1", 1883)
IN_CI = os.environ.get("CI", "").lower() == "true"


def mosquitto_up() -> bool:
    """Whether something accepts TCP connections on Mosquitto's port."""
    try:
        socket.create_connection(MOSQUITTO, timeout=0.5).close()
    except OSError:
        return False
    return True


@contextmanager
def mqtt_broker(kind: str = "auto") -> Iterator[str]:
    """Yield a broker URL (`mqtt://127.0.0.1:<port>`) for the duration of the block.

    `kind`: "mosquitto" (skipped if it is down, failed with CI=true), "amqtt" (in-process), or
    "auto" (Mosquitto when reachable or in CI, else amqtt).
    """
    if kind == "amqtt" or (kind == "auto" and not IN_CI and not mosquitto_up()):
        with _amqtt_broker() as url:
            yield url
        return
    if not mosquitto_up():
        where = f"{MOSQUITTO[0]}:{MOSQUITTO[1]}"
        if IN_CI:
            pytest.fail(f"Mosquitto is required in CI on {where} and is not reachable")
        pytest.skip(f"Mosquitto not reachable on {where}; set CI=true to make this a failure")
    yield f"mqtt://{MOSQUITTO[0]}:{MOSQUITTO[1]}"


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _amqtt_broker() -> Iterator[str]:
    from amqtt.broker import Broker  # only when Mosquitto is missing: amqtt is slow to import

    logging.getLogger("amqtt").setLevel(logging.WARNING)
    port = free_port()
    config = {
        "listeners": {"default": {"type": "tcp", "bind": f"127.0.0.1:{port}"}},
        "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
    }
    loop = asyncio.new_event_loop()
    started, stop = threading.Event(), asyncio.Event()
    errors: list[BaseException] = []

    async def serve() -> None:
        broker = Broker(config)
        try:
            await broker.start()
        except BaseException as error:
            errors.append(error)
            started.set()
            raise
        started.set()
        await stop.wait()
        await broker.shutdown()

    thread = threading.Thread(target=lambda: loop.run_until_complete(serve()), daemon=True)
    thread.start()
    started.wait(10)
    if errors:
        raise RuntimeError(f"the in-process amqtt broker did not start: {errors[0]}")
    try:
        yield f"mqtt://127.0.0.1:{port}"
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        loop.close()
