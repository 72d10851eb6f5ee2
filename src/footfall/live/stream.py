"""Live messages as a server-sent-events response: a site's (API and portal), the integration tool's tap."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

import orjson
from starlette.responses import StreamingResponse

from footfall.live.fanout import Message, Subscription
from footfall.live.hub import LiveHub

KEEPALIVE_S = 15.0
RECONNECT_MS = 3000


class Feeds(Protocol):
    """Where a subscription came from (the live hub, the integration tool's tap)."""

    def unsubscribe(self, subscription: Subscription) -> None: ...


def sse(message: Message) -> bytes:
    """One message in the text/event-stream framing."""
    kind, data = message
    return b"event: " + kind.encode() + b"\ndata: " + orjson.dumps(data) + b"\n\n"


async def _stream(hub: Feeds, subscription: Subscription) -> AsyncIterator[bytes]:
    try:
        yield f"retry: {RECONNECT_MS}\n\n".encode()
        while not subscription.closed:
            messages = await subscription.get(KEEPALIVE_S)
            yield b"".join(map(sse, messages)) if messages else b": keepalive\n\n"
    finally:
        hub.unsubscribe(subscription)


async def site_stream(hub: LiveHub, company_id: int, site_id: int) -> StreamingResponse:
    """Subscribe to one site and stream it until the client goes away."""
    return feed_stream(hub, await hub.subscribe(company_id, site_id))


def feed_stream(feeds: Feeds, subscription: Subscription) -> StreamingResponse:
    """Stream a subscription until the client goes away; then `feeds` forgets it."""
    return StreamingResponse(_stream(feeds, subscription), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
