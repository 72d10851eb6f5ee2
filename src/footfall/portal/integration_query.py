"""The integration tool's device-API queries, pure: the seeds' five API types, their parameters, the URL.

As in the seeds' "Data Integration Tool": pick an API type (Authentication, hourly, minute,
second or most-recent-60-seconds data), fill in its fields, get the URL. Secrets never enter a
query: the password and the access token stay placeholders (`[password]`, `[access_token]`, the
seeds' own spelling); the hub fills them in only on the request it sends itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote

from footfall.connectors.device_api.client import COUNT_PATH, TOKEN_PATH
from footfall.connectors.device_api.config import STEPS

ADDRESS = "[internal-IP]"
PASSWORD = "[password]"
ACCESS_TOKEN = "[access_token]"
DATA_TYPES = ("json", "xml")
RECENT_S = 60


class QueryError(ValueError):
    """A field of the query is wrong; `field` names it, the message says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


@dataclass(frozen=True, slots=True)
class ApiType:
    """One API type of the tool: its key, its label, the device path and which fields it takes."""

    key: str
    label: str
    path: str
    data_format: str | None   # None: the Authentication request
    resolution: str | None    # resolution_min / resolution_sec, when the format has one
    window: bool              # date_start … time_end typed in (False: derived from the clock)
    description: str


API_TYPES: tuple[ApiType, ...] = (
    ApiType("auth", "Authentication", TOKEN_PATH, None, None, False,
            "Log in with the device user name and password; the reply carries a long-lived access token."),
    ApiType("hour", "Hourly data", COUNT_PATH, "hour", None, True,
            "Counts per hour over a window of at most 24 hours (the counter's local clock)."),
    ApiType("minute", "Minutes data", COUNT_PATH, "minute", "resolution_min", True,
            "Counts per 1, 5, 10, 15, 30 or 60 minutes."),
    ApiType("second", "Seconds data", COUNT_PATH, "second", "resolution_sec", True,
            "Counts per 1, 5, 10, 15, 30 or 60 seconds."),
    ApiType("recent", "Most recent 60 seconds data", COUNT_PATH, "second", "resolution_sec", False,
            "Seconds data of the last minute on the counter's clock, computed when the query is sent."),
)
BY_KEY = {api.key: api for api in API_TYPES}


@dataclass(frozen=True, slots=True)
class DeviceQuery:
    """A built query: the API type and its parameters in order (secrets as placeholders)."""

    api: ApiType
    params: tuple[tuple[str, str], ...]

    def url(self, host: str, port: int) -> str:
        """The full URL, placeholders left readable (unencoded), as the seeds print it."""
        shown = f"[{host}]" if ":" in host else host
        where = shown if port == 80 else f"{shown}:{port}"
        query = "&".join(f"{name}={_value(value)}" for name, value in self.params)
        return f"http://{where}{self.api.path}?{query}"

    def count_params(self) -> dict[str, str]:
        """The apiCount parameters the hub sends (its client adds the access token itself)."""
        return {name: value for name, value in self.params if name != "access_token"}


def _value(value: str) -> str:
    return value if value in (PASSWORD, ACCESS_TOKEN) else quote(value, safe="")


def compact_date(raw: str, field: str) -> str:
    """YYYYMMDD from a date typed as YYYY-MM-DD (a date input) or YYYYMMDD."""
    digits = raw.strip().replace("-", "")
    try:
        if not re.fullmatch(r"[0-9]{8}", digits):
            raise ValueError
        date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise QueryError(field, f"{raw!r} is not a date (YYYY-MM-DD)") from None
    return digits


def compact_time(raw: str, field: str) -> str:
    """HHmmss from a time typed as HH:MM, HH:MM:SS (a time input) or HHmmss; 24:00 ends the day."""
    digits = raw.strip().replace(":", "")
    if re.fullmatch(r"[0-9]{4}", digits):
        digits += "00"
    valid = re.fullmatch(r"[0-9]{6}", digits) is not None
    if valid:
        hours, minutes, seconds = int(digits[:2]), int(digits[2:4]), int(digits[4:])
        valid = minutes < 60 and seconds < 60 and (hours < 24 or (digits == "240000" and field == "time_end"))
    if not valid:
        raise QueryError(field, f"{raw!r} is not a time of day (HH:MM or HH:MM:SS)")
    return digits


def _choice(fields: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    value = (fields.get(name) or default).strip()
    if value not in choices:
        raise QueryError(name, f"{value!r} is not one of {', '.join(choices)}")
    return value


def build_query(fields: Mapping[str, str], now: datetime) -> DeviceQuery:
    """The query the fields describe; `now` is the counter's local time (aware), for recent data."""
    key = (fields.get("api") or "minute").strip()
    api = BY_KEY.get(key)
    if api is None:
        raise QueryError("api", f"{key!r} is not one of {', '.join(BY_KEY)}")
    if api.data_format is None:
        username = (fields.get("username") or "").strip()
        if not username:
            raise QueryError("username", "the device user name is required (the seeds' default is admin)")
        return DeviceQuery(api, (("username", username), ("password", PASSWORD)))
    params = [("data_type", _choice(fields, "data_type", DATA_TYPES, "json")),
              ("data_format", api.data_format)]
    if api.resolution is not None:
        params.append((api.resolution, _choice(fields, api.resolution, tuple(map(str, STEPS)), "1")))
    params += _window(fields, now) if api.window else _recent(now)
    params.append(("access_token", ACCESS_TOKEN))
    return DeviceQuery(api, tuple(params))


def _window(fields: Mapping[str, str], now: datetime) -> list[tuple[str, str]]:
    """date_start … time_end as typed; a blank one is left out (the device's default applies)."""
    out = []
    for name, read in (("date_start", compact_date), ("date_end", compact_date),
                       ("time_start", compact_time), ("time_end", compact_time)):
        raw = (fields.get(name) or "").strip()
        if raw:
            out.append((name, read(raw, name)))
    return out


def _recent(now: datetime) -> list[tuple[str, str]]:
    """The last RECENT_S seconds on the counter's clock, to the whole second (real seconds across DST)."""
    end = now.replace(microsecond=0)
    start = (end.astimezone(UTC) - timedelta(seconds=RECENT_S)).astimezone(end.tzinfo)
    return [("date_start", f"{start:%Y%m%d}"), ("date_end", f"{end:%Y%m%d}"),
            ("time_start", f"{start:%H%M%S}"), ("time_end", f"{end:%H%M%S}")]
