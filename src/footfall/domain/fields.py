"""Small, strict readers for payload fields, shared by the record parsers."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

SERIAL_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_.:-]{0,63}$")
HEX_SERIAL = re.compile(r"[0-9A-Fa-f]{16}")
# Instants before this are a device with an unset clock, not footfall.
EARLIEST_TS = 946684800  # 2000-01-01T00:00:00Z
FUTURE_TOLERANCE_S = 86400


class FieldError(ValueError):
    """A payload field is missing or wrong; the message names the field."""


def require(data: dict[str, Any], *names: str) -> Any:
    """Return the first present field among `names` (aliases), or fail naming the first."""
    for name in names:
        if name in data and data[name] is not None:
            return data[name]
    raise FieldError(f"missing field {names[0]}")


def integer(value: Any, name: str, *, minimum: int | None = None) -> int:
    """Read a whole number (int or digit string); booleans and fractions are refused."""
    if type(value) is int and (minimum is None or value >= minimum):
        return value  # the common case, checked first: ingest parses millions of these
    if isinstance(value, bool):
        raise FieldError(f"{name} must be a whole number, got {value!r}")
    if isinstance(value, int):
        result = value
    elif isinstance(value, float) and value.is_integer():
        result = int(value)
    elif isinstance(value, str) and re.fullmatch(r"-?\d{1,18}", value.strip()):
        result = int(value.strip())
    else:
        raise FieldError(f"{name} must be a whole number, got {value!r}")
    if minimum is not None and result < minimum:
        raise FieldError(f"{name} must be at least {minimum}, got {result}")
    return result


def serial(value: Any, name: str = "CameraSerial") -> str:
    """Read a counter serial such as `000000006afce315` (16 hex digits are lower-cased)."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise FieldError(f"{name} must be a string, got {value!r}")
    checked = serial_or_none(str(value))
    if checked is None:
        raise FieldError(f"{name} {str(value).strip()!r} is not a counter serial "
                         "(letters, digits, 1-64 chars)")
    return checked


@lru_cache(maxsize=65_536)
def serial_or_none(raw: str) -> str | None:
    """The normalised serial, or None if `raw` is not one (verdicts cached)."""
    # A fleet repeats the same few thousand serials: remember the verdicts.
    text = raw.strip()
    if not SERIAL_PATTERN.match(text):
        return None
    return text.lower() if HEX_SERIAL.fullmatch(text) else text


def timestamp(value: Any, name: str, now_ts: int) -> int:
    """Read an instant: epoch seconds, or an ISO 8601 / `YYYY-MM-DD HH:MM:SS` string in UTC."""
    if type(value) is int and EARLIEST_TS <= value <= now_ts + FUTURE_TOLERANCE_S:
        return value
    if isinstance(value, str) and not value.strip().lstrip("-").isdigit():
        ts = _parse_utc_text(value, name)
    else:
        ts = integer(value, name)
    if ts < EARLIEST_TS:
        raise FieldError(f"{name} {ts} is before 2000-01-01: the device clock is not set")
    if ts > now_ts + FUTURE_TOLERANCE_S:
        raise FieldError(f"{name} {ts} is more than a day in the future")
    return ts


def _parse_utc_text(text: str, name: str) -> int:
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise FieldError(f"{name} {text!r} is not a timestamp") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())
