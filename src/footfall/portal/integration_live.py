"""The integration tool's live side: the address a counter pushes to, and the feed of what it sends."""

from __future__ import annotations

from starlette.responses import StreamingResponse

from footfall.domain.fields import serial_or_none
from footfall.live.stream import feed_stream
from footfall.live.tap import ANY, TAP
from footfall.portal.integration_query import QueryError

LOOPBACK = ("localhost", "127.0.0.1", "::1")


def counter_address(scheme: str, host: str, port: int | None, path: str, dedicated_port: int | None) -> str:
    """The WebSocket Server Address to paste into a counter, from how the portal was reached.

    The host is the one the browser used; the port is the hub's dedicated WebSocket port when
    one is served, else the portal's own; wss when the portal came over https.
    """
    secure = scheme in ("https", "wss")
    port = dedicated_port or port
    default = 443 if secure else 80
    shown = f"[{host}]" if ":" in host else host
    where = shown if port in (None, default) else f"{shown}:{port}"
    return f"{'wss' if secure else 'ws'}://{where}{path}"


def is_loopback(host: str) -> bool:
    """Whether an address only this machine can reach (a counter on the LAN cannot)."""
    return host in LOOPBACK or host.startswith("127.")


def watched_serial(raw: str) -> str:
    """The serial to watch (normalised), or ANY when left blank."""
    raw = raw.strip()
    if not raw or raw == ANY:
        return ANY
    serial = serial_or_none(raw)
    if serial is None:
        raise QueryError("serial", f"{raw!r} is not a counter serial")
    return serial


async def watch(company_id: int, serial: str) -> StreamingResponse:
    """The raw messages of one counter of the company (or all of them) as server-sent events."""
    return feed_stream(TAP, TAP.subscribe(company_id, serial))
