"""A push counter's send buffer: every event held until the server says `OK`, pure and sync.

The seeds: "We will hold 10,000 IN/OUT data if your Websocket Server is down ... After this
threshold is exceeded, the module will be turned off as to not bloat the counter's storage."
So the outbox holds up to `capacity` unacknowledged events; one more turns it off (nothing
more is sent, later crossings are dropped) until `switch_on()`. Replies carry no id: they
answer the messages on the wire in send order, so `reply()` always settles the oldest one.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from footfall.simulator.traffic import Crossing

CAPACITY = 10_000
EVENT, DUPLICATE, MALFORMED, TEST = "event", "duplicate", "malformed", "test"


class Wire(NamedTuple):
    """One message on the wire awaiting its reply."""

    kind: str       # EVENT, DUPLICATE (a second copy), MALFORMED (a broken one) or TEST
    uuid: str       # the crossing it carries ("" for TEST)
    attempt: int    # 0 on the first send of that crossing, 1 on the first re-send, ...


@dataclass(slots=True)
class PushStats:
    """Live figures of one simulated counter's push channel, for the runner's summary."""

    state: str = "idle"     # idle, connecting, connected, offline, off, stopped
    sent: int = 0           # messages put on the wire (events, re-sends, copies, broken, tests)
    acknowledged: int = 0   # distinct events the server took (`OK`; MQTT: handed to the broker)
    buffered: int = 0       # events held and not yet acknowledged
    dropped: int = 0        # crossings never to be delivered (module off; MQTT: not connected)
    resent: int = 0         # re-sends of events already sent once
    rejected: int = 0       # replies other than `OK` to events (incl. acknowledgements we lost)
    connects: int = 0       # sessions opened
    malformed: int = 0      # broken messages sent on purpose (fault plan)
    malformed_ok: int = 0   # broken messages the server answered `OK` (a server bug)
    last_error: str | None = None


class Outbox:
    """Unacknowledged events in send order, and the messages on the wire awaiting replies."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self.is_off = False
        self.acknowledged = 0
        self.dropped = 0
        self.rejected = 0
        self.resent = 0
        self._held: dict[str, Crossing] = {}
        self._tries: dict[str, int] = {}
        self._queue: OrderedDict[str, None] = OrderedDict()   # held uuids waiting for a send
        self._wire: deque[Wire] = deque()

    @property
    def held(self) -> int:
        """Events held (queued or on the wire), not yet acknowledged."""
        return len(self._held)

    @property
    def queued(self) -> int:
        """Held events waiting to be sent."""
        return len(self._queue)

    @property
    def on_wire(self) -> int:
        """Messages sent on this connection whose reply has not come yet."""
        return len(self._wire)

    def add(self, crossings: Iterable[Crossing]) -> int:
        """Hold new crossings for sending; past capacity the module turns off. Returns how many were kept."""
        kept = 0
        for crossing in crossings:
            if crossing.uuid in self._held:
                continue
            if self.is_off or len(self._held) >= self.capacity:
                self.is_off = True
                self.dropped += 1
                continue
            self._held[crossing.uuid] = crossing
            self._queue[crossing.uuid] = None
            kept += 1
        return kept

    def switch_on(self) -> None:
        """Turn the module back on (an operator's toggle): the held events are sent again."""
        self.is_off = False

    def take(self) -> tuple[Crossing, int] | None:
        """The next event to send and its attempt number, or None (nothing queued, or module off)."""
        while self._queue and not self.is_off:
            uuid, _ = self._queue.popitem(last=False)
            crossing = self._held.get(uuid)
            if crossing is not None:
                attempt = self._tries.get(uuid, 0)
                self._tries[uuid] = attempt + 1
                self.resent += attempt > 0
                return crossing, attempt
        return None

    def sent(self, kind: str, uuid: str = "", attempt: int = 0) -> None:
        """Record a message put on the wire; its reply will come after those sent before it."""
        self._wire.append(Wire(kind, uuid, attempt))

    def awaiting(self) -> Wire | None:
        """The message the next reply answers, or None if nothing is on the wire."""
        return self._wire[0] if self._wire else None

    def reply(self, ok: bool) -> Wire | None:
        """Settle the oldest message on the wire: `OK` releases its event, anything else queues it again."""
        if not self._wire:
            return None
        wire = self._wire.popleft()
        if wire.kind in (EVENT, DUPLICATE) and wire.uuid in self._held:
            if ok:
                del self._held[wire.uuid]
                self._tries.pop(wire.uuid, None)
                self._queue.pop(wire.uuid, None)
                self.acknowledged += 1
            else:
                self.rejected += 1
                self._queue.setdefault(wire.uuid)
        return wire

    def connection_lost(self) -> None:
        """Unanswered messages will never be answered: queue their events first for the next session."""
        back = [w.uuid for w in self._wire if w.kind in (EVENT, DUPLICATE) and w.uuid in self._held]
        self._wire.clear()
        for uuid in reversed(back):
            self._queue[uuid] = None
            self._queue.move_to_end(uuid, last=False)

    def snapshot(self, stats: PushStats) -> PushStats:
        """`stats` with this outbox's figures filled in."""
        stats.acknowledged, stats.buffered = self.acknowledged, len(self._held)
        stats.dropped, stats.resent, stats.rejected = self.dropped, self.resent, self.rejected
        return stats
