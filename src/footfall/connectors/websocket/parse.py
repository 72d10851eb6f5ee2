"""Pure pieces of the WebSocket channel: wire text in, payloads, serials and replies out."""

from __future__ import annotations

import re

from footfall.domain.event_wire import wire_serial
from footfall.domain.fields import serial_or_none

OK = "OK"
ERROR_PREFIX = "ERROR: "
MAX_REASON_CHARS = 200
# A truncated message still names its counter: find it without parsing.
_SERIAL_IN_TEXT = re.compile(r"""["']CameraSerial["']\s*:\s*["']([0-9A-Za-z_.:-]{1,64})["']""")


def refusal(reason: str) -> str:
    """The reply to a refused message: one short line that is never `OK`."""
    line = " ".join(reason.split())
    if len(line) > MAX_REASON_CHARS:
        line = line[: MAX_REASON_CHARS - 1] + "…"
    return ERROR_PREFIX + (line or "refused")


def oversized(text: str, max_bytes: int) -> str | None:
    """Why a text message is refused for its size (None if it is within `max_bytes`)."""
    # A character is at most 4 bytes in UTF-8: only long texts need encoding to be measured.
    if len(text) * 4 > max_bytes and len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        return f"message is over the {max_bytes}-byte limit"
    return None


def message_serial(text: str) -> str | None:
    """The counter serial a message speaks for (`Data.CameraSerial` or top level), normalised.

    Read from the JSON without decoding the rest; a message in the seeds' literal quoting or a
    broken one is searched for the field instead.
    """
    raw = wire_serial(text)
    if raw is None:
        return serial_in_text(text)
    return serial_or_none(raw)


def serial_in_text(text: str) -> str | None:
    """The serial a message that cannot be decoded seems to carry (for counting its faults)."""
    found = _SERIAL_IN_TEXT.search(text, 0, 4096)
    return serial_or_none(found.group(1)) if found else None


def binary_reason(size: int) -> str:
    """Why a binary frame is refused: counters send text."""
    return f"binary frame of {size} bytes refused: send each message as a text frame"


def too_big(code: int, max_bytes: int) -> str | None:
    """The fault to count when the protocol closed a connection for an oversized frame (1009)."""
    if code == 1009:
        return f"frame over the {max_bytes}-byte limit: connection closed with 1009"
    return None
