"""A site's live messages as a server-sent-events response (the API's and the portal's)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import orjson
from starlette.responses import StreamingResponse

from footfall.live.fanout import Message, Subscription
from footfall.live.hub import LiveHub

KEEPALIVE_S = 15.0
RECONNECT_MS = 3000


def sse(message: Message) -> bytes:
    """One message in the text/event-stream framing."""
    kind, data = message
    return b"event: " + kind.encode() + b"\ndata: " + orjson.dumps(data) + b"\n\n"


async def _stream(hub: LiveHub, subscription: Subscription) -> AsyncIterator[bytes]:
    try:
        yield f"retry: {RECONNECT_MS}\n\n".encode()
        while not subscription.closed:
            messages = await subscription.get(KEEPALIVE_S)
            yield b"".join(map(sse, messages)) if messages else b": keepalive\n\n"
    finally:
        hub.unsubscribe(subscription)


async def site_stream(hub: LiveHub, company_id: int, site_id: int) -> StreamingResponse:
    """Subscribe to one site and stream it until the client goes away."""
    subscription = await hub.subscribe(company_id, site_id)
    return StreamingResponse(_stream(hub, subscription), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
