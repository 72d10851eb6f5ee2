"""A tap on the push channels: raw counter messages, as they arrive, for whoever is watching.

The integration tool shows an integrator what a counter under test sends (its
`generic-test-topic` connection check included) before anything is parsed or stored. The
WebSocket and MQTT connectors call `publish` where a message is received, behind
`if TAP.watched:`, so with nobody watching a message costs one truth test of a dict. A
watcher follows one counter of its company (or any counter of it) through a bounded feed:
a slow page loses its oldest messages, never slows a connector.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from datetime import UTC, datetime

from footfall.live.fanout import Subscription

ANY = "*"  # watch every counter of the company (messages naming no serial included)
MAX_TEXT_CHARS = 2000  # what a watcher sees of one message; the rest is cut (its size is told)
FEED_LIMIT = 200
_TOPIC = re.compile(r"""["']Topic["']\s*:\s*["']([^"'\\]{1,100})["']""")
Key = tuple[int, str]  # company id, serial (or ANY)


def topic_in(text: str) -> str | None:
    """The `Topic` a message seems to carry (`ffc-eventrawdata`, `generic-test-topic`…), unparsed."""
    found = _TOPIC.search(text, 0, 4096)
    return found.group(1) if found else None


def tapped(channel: str, serial: str | None, raw: bytes | str, at: float) -> dict[str, object]:
    """The message a watcher gets: where and when it came from, and its text, cut to a bounded size."""
    text = raw if isinstance(raw, str) else bytes(raw[: MAX_TEXT_CHARS * 4]).decode("utf-8", "replace")
    size = len(raw) if isinstance(raw, bytes | bytearray) else len(raw.encode("utf-8", "surrogatepass"))
    return {
        "at": datetime.fromtimestamp(at, UTC).isoformat(timespec="milliseconds"),
        "channel": channel,
        "serial": serial,
        "topic": topic_in(text),
        "bytes": size,
        "truncated": len(text) > MAX_TEXT_CHARS or size > MAX_TEXT_CHARS * 4,
        "text": text[:MAX_TEXT_CHARS],
    }


class Tap:
    """Watchers by (company, serial); connectors publish raw messages to them."""

    def __init__(self, limit: int = FEED_LIMIT) -> None:
        self.limit = limit
        # Read on every received message: empty (falsy) whenever nobody watches.
        self.watched: dict[Key, dict[Subscription, asyncio.AbstractEventLoop]] = {}
        self._keys: dict[Subscription, Key] = {}

    def subscribe(self, company_id: int, serial: str = ANY) -> Subscription:
        """A feed of one counter's raw messages (or of every counter of the company: ANY)."""
        subscription = Subscription(company_id, 0, self.limit)  # site 0: a tap follows counters
        key = (company_id, serial)
        self.watched.setdefault(key, {})[subscription] = asyncio.get_running_loop()
        self._keys[subscription] = key
        subscription.put(("watching", {"serial": None if serial == ANY else serial,
                                       "since": datetime.now(UTC).isoformat(timespec="seconds")}))
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        """End a feed; a key nobody watches any more is forgotten."""
        subscription.close()
        key = self._keys.pop(subscription, None)
        feeds = self.watched.get(key) if key is not None else None
        if feeds is not None:
            feeds.pop(subscription, None)
            if not feeds:
                del self.watched[key]  # type: ignore[arg-type]

    def publish(self, company_id: int, serial: str | None, raw: bytes | str, channel: str) -> None:
        """A counter's message was received: hand it to the watchers of its serial and company."""
        targets = [*self.watched.get((company_id, serial or ANY), {}).items()]
        if serial is not None:
            targets += self.watched.get((company_id, ANY), {}).items()
        if not targets:
            return
        message = ("message", tapped(channel, serial, raw, time.time()))
        try:
            here: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            here = None
        for subscription, loop in targets:
            if loop is here:
                subscription.put(message)
            else:  # a connector on another loop (or thread): hop to the watcher's loop
                with contextlib.suppress(RuntimeError):  # that loop has closed: nobody is watching
                    loop.call_soon_threadsafe(subscription.put, message)


TAP = Tap()
