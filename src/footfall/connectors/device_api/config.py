"""Typed settings of the device API poller: one counter's login and pull, and the hub-wide limits."""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from footfall.connectors.device_api.guard import AddressRefused, check_host

DataType = Literal["json", "xml"]
Resolution = Literal["hour", "minute", "second"]
STEPS = (1, 5, 10, 15, 30, 60)          # the seeds' resolution_min / resolution_sec values
UNIT_S = {"hour": 3600, "minute": 60, "second": 1}
DAY_S = 86400


class DeviceApiConfig(BaseModel):
    """How to pull one counter's own store: its address, login, format and resolution."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = Field(min_length=1, max_length=255, description="the counter's static LAN address or name")
    port: int = Field(default=80, ge=1, le=65535, description="its HTTP port")
    username: str = Field(default="admin", min_length=1, max_length=100,
                          description="device login (case-sensitive; the seeds' default is admin)")
    password: SecretStr = Field(description="the Counter Setup Wizard password (never logged or shown)")
    data_type: DataType = Field(default="json", description="reply format: json or xml")
    resolution: Resolution = Field(default="minute", description="hour, minute or second intervals")
    resolution_step: int = Field(default=1, description="minutes or seconds per interval: 1, 5, 10, 15, "
                                                        "30 or 60 (ignored for hour)")
    poll_interval_s: int = Field(default=3600, ge=60, le=DAY_S, description="seconds between pulls")
    timezone: str | None = Field(default=None, description="the counter's IANA zone (default: its "
                                                           "site's; corrected from the device's replies)")

    @field_validator("host")
    @classmethod
    def _plain_host(cls, host: str) -> str:
        host = host.strip()
        if "://" in host or "/" in host or "?" in host or "@" in host:
            raise ValueError(f"give the bare address, e.g. 192.168.2.123 (got {host!r})")
        try:
            return check_host(host)
        except AddressRefused as error:
            raise ValueError(str(error)) from None

    @field_validator("resolution_step")
    @classmethod
    def _known_step(cls, step: int) -> int:
        if step not in STEPS:
            raise ValueError(f"resolution_step must be one of {', '.join(map(str, STEPS))} (got {step})")
        return step

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, zone: str | None) -> str | None:
        if zone is not None:
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time zone {zone!r} (an IANA name like Europe/London)") from None
        return zone

    @property
    def interval_s(self) -> int:
        """The length of one interval in seconds."""
        return 3600 if self.resolution == "hour" else self.resolution_step * UNIT_S[self.resolution]

    @property
    def window_s(self) -> int:
        """The longest window per request: a day, or an hour of second-resolution data."""
        return 3600 if self.resolution == "second" else DAY_S

    def describe(self) -> str:
        """host:port, for messages (no login in it)."""
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


class PollerLimits(BaseModel):
    """Hub-wide limits of the poller: concurrency, retries, backoff and catch-up."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    concurrency: int = Field(default=8, ge=1, le=256, description="counters pulled at once")
    timeout_s: float = Field(default=10.0, gt=0, le=300, description="seconds to wait for each reply")
    attempts: int = Field(default=3, ge=1, le=10, description="tries per request on 5xx or a timeout")
    retry_delay_s: float = Field(default=0.5, ge=0, description="pause before the first retry (doubles)")
    backoff_s: float = Field(default=60.0, ge=0, description="wait after a failed pull (doubles)")
    backoff_max_s: float = Field(default=6 * 3600.0, ge=0, description="longest wait after failures")
    first_pull_days: int = Field(default=1, ge=0, le=31, description="history a new counter is pulled for")
    windows_per_pull: int = Field(default=62, ge=1, description="windows per pull (catch-up in steps)")
    max_reply_bytes: int = Field(default=64 * 1024 * 1024, ge=1024, description="largest reply read")
    tick_s: float = Field(default=30.0, gt=0, description="how often the poller looks for due counters")

    def backoff(self, failures: int) -> float:
        """Seconds to wait after `failures` failed pulls in a row."""
        return min(self.backoff_max_s, self.backoff_s * 2 ** max(0, failures - 1))
