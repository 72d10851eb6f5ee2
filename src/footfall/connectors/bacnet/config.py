"""Settings of the BACnet/IP poller: typed, unknown keys refused, checked without the network."""

from __future__ import annotations

import ipaddress

from pydantic import BaseModel, ConfigDict, Field, field_validator

DEFAULT_PORT = 47808  # BACnet/IP (UDP), the seeds' "Port 47808"


class BacnetConfig(BaseModel):
    """How the hub reads its counters' In-C-X / Out-C-X over BACnet/IP."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    local_address: str = Field(default="0.0.0.0/0:47809",
                               description="the hub's own BACnet/IP address/prefix:port (UDP)")
    device_instance: int = Field(default=4194000, ge=0, lt=4194303,
                                 description="the hub's device instance on the BACnet network")
    every_s: float = Field(default=3600.0, gt=0, description="seconds between polls (hourly)")
    after_hour_s: float = Field(default=120.0, ge=0, lt=3600,
                                description="poll this long after the top of the hour")
    timeout_s: float = Field(default=10.0, gt=0, le=120, description="one request's timeout, seconds")
    hours_per_request: int = Field(default=12, ge=1, le=47,
                                   description="hours read per ReadPropertyMultiple")
    concurrency: int = Field(default=8, ge=1, le=256, description="counters polled at once")

    @field_validator("local_address")
    @classmethod
    def _address(cls, text: str) -> str:
        host, _, port = text.rpartition(":")
        try:
            ipaddress.ip_interface(host)
            if not 0 <= int(port) <= 65535:
                raise ValueError
        except ValueError:
            raise ValueError(f"local_address {text!r} must look like 192.168.1.10/24:47808") from None
        return text


class CounterTarget(BaseModel):
    """One counter as the poller reaches it (counter.host / counter.port, channel "bacnet")."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    counter_id: int
    company_id: int
    serial: str
    host: str = Field(min_length=1)
    port: int = Field(default=DEFAULT_PORT, ge=1, le=65535)
    timezone: str = Field(min_length=1, description="the site's zone: the device's hours are local hours")
    watermark_ts: int | None = None
    device_instance: int | None = Field(default=None, description="last six digits of the company "
                                                                  "serial; unset: the wildcard 4194303")

    @property
    def address(self) -> str:
        """`host:port` as bacpypes3 addresses a BACnet/IP device."""
        return f"{self.host}:{self.port}"
