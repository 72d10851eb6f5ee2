"""Pure pieces of the WebSocket channel: wire text in, payloads, serials and replies out."""

from __future__ import annotations

import re
from typing import Any

import orjson

from footfall.domain.events import parse_message_text
from footfall.domain.fields import FieldError, serial_or_none

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


def read_message(text: str, max_bytes: int) -> Any:
    """Decode one text message (JSON or the seeds' Python-literal quoting) within the size limit."""
    # A character is at most 4 bytes in UTF-8: only long texts need encoding to be measured.
    if len(text) * 4 > max_bytes and len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise FieldError(f"message is over the {max_bytes}-byte limit")
    try:
        return orjson.loads(text)  # the common case, several times faster than json
    except orjson.JSONDecodeError:
        return parse_message_text(text)  # the seeds' literal quoting, and the precise error


def serial_of(payload: Any) -> str | None:
    """The counter serial a decoded message speaks for (`Data.CameraSerial` or top level)."""
    if type(payload) is not dict:
        return None
    data = payload.get("Data", payload)
    raw = data.get("CameraSerial") if type(data) is dict else None
    if raw is None and data is not payload:
        raw = payload.get("CameraSerial")
    return serial_or_none(raw) if isinstance(raw, str) else None


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
