"""Source precedence (DESIGN §3): manual correction > device-reported counts > live events."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Source:
    """A kind of data origin and how much it is trusted against the others."""

    key: str
    precedence: int
    description: str


LIVE = "live"

SOURCES: tuple[Source, ...] = (
    Source("manual", 100, "a correction entered by an administrator"),
    Source("device_api", 60, "pulled from the counter's own HTTP API"),
    Source("ftp", 60, "the counter's daily file"),
    Source("bacnet", 50, "hourly counts read over BACnet/IP"),
    Source("import", 40, "history imported from a file"),
    Source("connector", 40, "an on-site connector or third-party API"),
    Source("vendor", 40, "another vendor's counter format"),
    Source(LIVE, 10, "live events pushed over WebSocket, MQTT or the ingest API"),
)

PRECEDENCE: dict[str, int] = {s.key: s.precedence for s in SOURCES}
REPORTED_SOURCES: tuple[str, ...] = tuple(s.key for s in SOURCES if s.key != LIVE)
