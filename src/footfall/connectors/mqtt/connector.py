"""The hub's MQTT subscriber: connect, subscribe, store payloads in batches, reconnect with backoff.

Counters publish QoS 0 with no session, so nothing here can make the broker re-send: a batch
is committed before the next one is taken, but a message lost on the way (or while the hub
is down) is lost. That is why this channel sends no coverage: its hours stay `partial` until
pulled data (device API, FTP files) covers them, instead of silent zeros passing as complete.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass

import aiomqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.reasoncodes import ReasonCode

from footfall.connectors.mqtt.config import MqttConfig
from footfall.connectors.mqtt.session import MqttStats, Session, Sink

log = logging.getLogger(__name__)
_REFUSED_LOGIN = {134, 135}  # CONNACK: bad user name or password, not authorised


class Refused(Exception):
    """The broker refused the login or a subscription: retrying cannot help."""


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """The answer of "test connection"."""

    ok: bool
    message: str


def make_client(config: MqttConfig, client_id: str) -> aiomqtt.Client:
    """An aiomqtt client for the configured broker (no I/O until entered)."""
    v5 = config.v5
    return aiomqtt.Client(
        config.host, config.port, identifier=client_id, username=config.username,
        password=config.password.get_secret_value() if config.password else None,
        protocol=aiomqtt.ProtocolVersion.V5 if v5 else aiomqtt.ProtocolVersion.V311,
        clean_session=None if v5 else True, keepalive=config.keepalive_s,
        tls_context=ssl.create_default_context(cafile=config.tls_ca_file) if config.tls else None,
    )


ClientFactory = Callable[[MqttConfig, str], aiomqtt.Client]


def _login_refused(error: aiomqtt.MqttError) -> bool:
    # paho reports a refused CONNACK of either protocol version as a v5 reason code.
    rc = getattr(error, "rc", None)
    return (isinstance(rc, ReasonCode) and rc.packetType == PacketTypes.CONNACK
            and rc.value in _REFUSED_LOGIN)


class MqttSubscriber:
    """The hub side of the MQTT channel: a push listener, `start(sink)` / `stop()`."""

    def __init__(self, config: MqttConfig, *, client_factory: ClientFactory = make_client,
                 clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self._factory, self._clock, self._rng = client_factory, clock, random.Random()
        self._stats = MqttStats()
        self._task: asyncio.Task[None] | None = None
        self._stopping, self._subscribed = asyncio.Event(), asyncio.Event()
        self._session: Session | None = None
        self._failing = False
        self._faulty: set[str] = set()

    @property
    def stats(self) -> MqttStats:
        """Current figures."""
        return self._stats

    async def start(self, sink: Sink) -> None:
        """Run the subscription in the background until `stop()`; returns at once."""
        if self._task is not None:
            raise RuntimeError("the MQTT subscriber is already running")
        self._stopping.clear()
        self._subscribed.clear()
        self._task = asyncio.create_task(self._run(sink), name=f"mqtt {self.config.describe()}")
        self._task.add_done_callback(self._ended)

    def _ended(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and (error := task.exception()) is not None:
            self._stats.state, self._stats.last_error = "failed", f"{type(error).__name__}: {error}"
            log.error("MQTT %s: the subscriber stopped on an unexpected error", self.config.describe(),
                      exc_info=error)

    async def wait_subscribed(self, timeout_s: float = 10.0) -> None:
        """Wait until the first subscription is in place (TimeoutError if not within `timeout_s`)."""
        async with asyncio.timeout(timeout_s):
            await self._subscribed.wait()

    async def stop(self) -> None:
        """Unsubscribe, store what has arrived, disconnect, and return when all is done."""
        if self._task is None:
            return
        task, self._task = self._task, None
        self._stopping.set()
        if self._session is not None:
            self._session.wake()  # it unsubscribes and stores what came before it returns
        else:
            task.cancel()  # connecting or waiting to retry: nothing is held, no need to wait
        await asyncio.wait({task})

    async def probe(self, timeout_s: float = 10.0) -> ProbeResult:
        """Test connection: connect, subscribe, disconnect; never takes messages from the hub."""
        where = self.config.describe()
        # Its own client id and share group: the running subscriber keeps its session and stream.
        group = f"{self.config.share_group}-probe" if self.config.share_group else None
        topics = self.config.model_copy(update={"share_group": group}).subscriptions
        try:
            async with asyncio.timeout(timeout_s), \
                    self._factory(self.config, f"{self.config.client_id}-probe") as client:
                await self._subscribe(client, topics)
        except Refused as error:
            return ProbeResult(False, f"{where}: {error}")
        except aiomqtt.MqttError as error:
            if _login_refused(error):
                return ProbeResult(False, f"{where}: the broker refused the login ({error}); "
                                          "check username and password")
            return ProbeResult(False, f"could not connect to {where}: {error}")
        except TimeoutError:
            return ProbeResult(False, f"no answer from {where} within {timeout_s:g} s")
        return ProbeResult(True, f"connected to {where} and subscribed to {', '.join(topics)}")

    async def _run(self, sink: Sink) -> None:
        delay = self.config.reconnect_min_s
        try:
            while not self._stopping.is_set():
                self._stats.state = "connecting"
                try:
                    async with self._factory(self.config, self.config.client_id) as client:
                        await self._subscribe(client, self.config.subscriptions)
                        self._up()
                        delay = self.config.reconnect_min_s
                        self._session = Session(self.config, sink, self._stats, self._stopping,
                                                self._clock, self._faulty)
                        try:
                            await self._session.run(client)
                        finally:
                            self._session = None
                except Refused as error:
                    self._refuse(str(error))
                    return
                except aiomqtt.MqttError as error:
                    if _login_refused(error):
                        self._refuse(f"the broker refused the login: {error}")
                        return
                    self._down(error)
                if self._stopping.is_set():
                    break
                self._stats.state = "retrying"
                await self._nap(self._rng.uniform(delay / 2, delay))
                delay = min(delay * 2, self.config.reconnect_max_s)
        finally:
            if self._stats.state != "refused":
                self._stats.state = "stopped"

    async def _subscribe(self, client: aiomqtt.Client, topics: tuple[str, ...]) -> None:
        for topic in topics:
            granted = await client.subscribe(topic, qos=self.config.qos)
            code = granted[0] if granted else 0x80
            if (code.value if isinstance(code, ReasonCode) else code) >= 0x80:  # SUBACK failure
                raise Refused(f"the broker refused the subscription to {topic!r} ({code})")

    def _up(self) -> None:
        self._stats.state, self._stats.last_error = "subscribed", None
        self._stats.connects += 1
        self._subscribed.set()
        if self._failing:
            log.info("MQTT %s: link recovered", self.config.describe())
        self._failing = False

    def _refuse(self, why: str) -> None:
        self._stats.state, self._stats.last_error = "refused", why
        log.error("MQTT %s: %s; not retrying until restarted", self.config.describe(), why)

    def _down(self, error: aiomqtt.MqttError) -> None:
        self._stats.last_error = f"{type(error).__name__}: {error}"
        if not self._failing:
            log.warning("MQTT %s: link failing (%s); retrying with backoff", self.config.describe(), error)
        self._failing = True

    async def _nap(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._stopping.wait()
