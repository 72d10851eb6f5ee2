"""A simulated counter's MQTT module: publish each crossing and its zone occupancy to a broker.

As the seeds' device: topic `/status/{serial}` by default, client id = the serial, QoS 0
("send and forget"), optional user name and password, and a last will. QoS 0 means no buffer:
a crossing counted while the link is down is dropped (the hub repairs the gap from pulled
data). The will is `{"CameraSerial": ..., "Status": "offline"}` on the same topic unless
`will_topic` says otherwise; offline windows and reboots of the fault plan drop the link
without a DISCONNECT, so the broker publishes it. One aiomqtt client per counter, as real
devices have; each costs a socket, a paho client and aiomqtt's 1-second housekeeping task.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
from collections import deque
from collections.abc import Iterable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import aiomqtt

from footfall.simulator.clock import SimClock
from footfall.simulator.devices.link import Backoff, Downtime
from footfall.simulator.devices.outbox import PushStats
from footfall.simulator.devices.payloads import counting_payload, malformed, occupancy_payload, will_payload
from footfall.simulator.faults import FaultPlan
from footfall.simulator.fleet import ENTRANCE_ROI, CounterSpec, SiteSpec
from footfall.simulator.traffic import Crossing

log = logging.getLogger(__name__)
DEFAULT_TOPIC = "/status/{serial}"
ZONE_DWELL_S = 5          # a person is "in the zone" this long around their crossing
MIN_OCCUPANCY_WALL_S = 1.0  # at high sim speeds, occupancy slots in between are coalesced


class MqttPublishDevice:
    """The device side of the MQTT channel for one counter."""

    def __init__(self, counter: CounterSpec, site: SiteSpec, url: str, *, clock: SimClock,
                 auth: tuple[str, str] | None = None, topic: str = DEFAULT_TOPIC,
                 will_topic: str | None = None, faults: FaultPlan | None = None,
                 occupancy_every_s: int | None = 60, keepalive_s: int = 60,
                 retry_s: tuple[float, float] = (0.5, 30.0), reboot_s: float = 60.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "tcp") or not parts.hostname:
            raise ValueError(f"MQTT broker address {url!r} must look like mqtt://host:1883")
        self.counter, self.url = counter, url
        self.topic = topic.format(serial=counter.serial)
        self.will_topic = (will_topic or topic).format(serial=counter.serial)
        self._host, self._port = parts.hostname, parts.port or 1883
        self._auth, self._keepalive, self._every = auth, keepalive_s, occupancy_every_s
        self._tz, self._clock, self._faults = ZoneInfo(site.timezone), clock, faults or FaultPlan()
        self._down = Downtime(self._faults, reboot_s)
        self._backoff = Backoff(retry_s, counter.serial)
        self._pending: deque[Crossing] = deque()
        self._last_in_zone = -1.0    # when someone last crossed the entrance line
        self._next_slot = 0
        self._stats = PushStats()
        self._wakeup, self._stopping, self._finished = asyncio.Event(), asyncio.Event(), asyncio.Event()

    @property
    def stats(self) -> PushStats:
        """Current figures (`acknowledged` = counting payloads handed to the broker; QoS 0 has no ack)."""
        self._stats.buffered = len(self._pending)
        return self._stats

    def offer(self, crossings: Iterable[Crossing]) -> None:
        """Hand the counter crossings it just counted; they are published now or never (QoS 0)."""
        for crossing in crossings:
            if crossing.roi == ENTRANCE_ROI:
                self._last_in_zone = max(self._last_in_zone, crossing.at)
            if self._stats.state == "connected":
                self._pending.append(crossing)
            else:
                self._stats.dropped += 1
        self._wakeup.set()

    async def stop(self) -> None:
        """Disconnect cleanly (no last will) and return once `run()` has ended."""
        self._stopping.set()
        self._wakeup.set()
        if self._stats.state != "idle":
            await self._finished.wait()

    async def run(self) -> None:
        """Connect, publish and reconnect until `stop()`, obeying the fault plan."""
        self._finished.clear()
        try:
            while not self._stopping.is_set():
                now = self._clock.now()
                back_at = self._down.back_at(now)
                if back_at is not None:
                    self._stats.state = "offline"
                    await self._nap((back_at - now) / self._clock.speed)
                elif await self._connect_and_publish():
                    self._backoff.reset()
                else:
                    await self._nap(self._backoff.next_wait())
        finally:
            self._stats.state = "stopped"
            self._finished.set()

    async def _connect_and_publish(self) -> bool:
        """One session; True if it ended on purpose (down, stop), False on a link failure."""
        self._stats.state = "connecting"
        user, password = self._auth or (None, None)
        will = aiomqtt.Will(self.will_topic, json.dumps(will_payload(self.counter.serial)), qos=0)
        client = aiomqtt.Client(self._host, self._port, identifier=self.counter.serial, username=user,
                                password=password, will=will, keepalive=self._keepalive, clean_session=True)
        try:
            async with client:
                self._stats.state, self._stats.last_error = "connected", None
                self._stats.connects += 1
                if not await self._session(client):
                    self._vanish(client)
            return True
        except aiomqtt.MqttError as error:
            if self._stats.last_error is None:
                log.info("counter %s: MQTT link to %s failing: %s", self.counter.serial, self.url, error)
            self._stats.last_error = f"{type(error).__name__}: {error}"
            return False
        finally:
            self._stats.dropped += len(self._pending)
            self._pending.clear()

    async def _session(self, client: aiomqtt.Client) -> bool:
        """Publish until the counter goes down (False) or stops (True)."""
        checked = self._clock.now()
        while not self._stopping.is_set():
            now = self._clock.now()
            if self._down.began(checked, now):
                return False
            checked = now
            while self._pending:  # leave it queued until published: a failure counts it as dropped
                await self._publish_crossing(client, self._pending[0])
                self._pending.popleft()
            wait = self._until_down(now)
            if self._every:
                if now >= self._next_slot:
                    await self._publish_occupancy(client, int(now))
                wait = min(wait, max(MIN_OCCUPANCY_WALL_S, (self._next_slot - now) / self._clock.speed))
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await self._wakeup.wait()
            self._wakeup.clear()
        return True

    async def _publish_crossing(self, client: aiomqtt.Client, crossing: Crossing) -> None:
        text = json.dumps(counting_payload(crossing, self._tz, skew_s=self._faults.clock_skew_s))
        if self._faults.roll("malformed", crossing.uuid):
            await self._publish(client, malformed(text))
            self._stats.malformed += 1
        await self._publish(client, text)
        self._stats.acknowledged += 1
        if self._faults.roll("duplicate", crossing.uuid):
            await self._publish(client, text)

    async def _publish_occupancy(self, client: aiomqtt.Client, now: int) -> None:
        """Publish the latest due occupancy slot: 1 if someone crossed the entrance just before it."""
        assert self._every
        slot = now - now % self._every
        occupied = int(slot - ZONE_DWELL_S < self._last_in_zone <= slot)
        at = slot + self._faults.clock_skew_s
        payload = occupancy_payload(self.counter.serial, ENTRANCE_ROI, occupied, at, self._tz)
        await self._publish(client, json.dumps(payload))
        self._next_slot = slot + self._every

    async def _publish(self, client: aiomqtt.Client, text: str) -> None:
        await client.publish(self.topic, text, qos=0)
        self._stats.sent += 1

    def _vanish(self, client: aiomqtt.Client) -> None:
        """Drop the TCP link without a DISCONNECT, as a counter losing power does: the will fires."""
        # aiomqtt has no public way to do this; its paho client's socket() is paho's public API.
        sock = client._client.socket()
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _until_down(self, now: float) -> float:
        return self._down.wall_s_until_next(now, self._clock.speed)

    async def _nap(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._stopping.wait()
