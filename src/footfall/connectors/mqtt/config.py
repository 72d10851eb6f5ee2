"""Settings of the MQTT subscriber: typed, unknown keys refused, checked without the network."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

SCHEMES = {"mqtt": 1883, "mqtts": 8883}
MAX_TOPIC_BYTES = 65535


def default_client_id() -> str:
    """`footfall-<hostname>-<pid>`: unique per hub process, so workers never kick each other off."""
    return f"footfall-{socket.gethostname()}-{os.getpid()}"


def check_filter(text: str) -> str:
    """Refuse a topic filter the MQTT spec forbids, naming what is wrong."""
    if not text or len(text.encode()) > MAX_TOPIC_BYTES or "\x00" in text:
        raise ValueError(f"topic filter {text!r} must be 1-65535 bytes without NUL")
    if text.startswith("$share/"):
        raise ValueError(f"topic filter {text!r}: set share_group instead of writing $share/ yourself")
    levels = text.split("/")
    for i, level in enumerate(levels):
        if "#" in level and (level != "#" or i != len(levels) - 1):
            raise ValueError(f"topic filter {text!r}: '#' must be a whole level and the last one")
        if "+" in level and level != "+":
            raise ValueError(f"topic filter {text!r}: '+' must be a whole level")
    return text


class MqttConfig(BaseModel):
    """Where the broker is, what to subscribe to and whose counters publish there."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    company_id: int = Field(gt=0, description="the company the payloads on these topics belong to")
    url: str = Field(default="mqtt://127.0.0.1:1883",
                     description="broker address: mqtt://host:port, or mqtts:// for TLS")
    username: str | None = Field(default=None, min_length=1,
                                 description="user name, if the broker asks for one")
    password: SecretStr | None = Field(default=None, description="password (never logged or shown)")
    client_id: str = Field(default_factory=default_client_id, min_length=1, max_length=128,
                           description="MQTT client id (default footfall-<hostname>-<pid>)")
    topics: tuple[str, ...] = Field(default=("/status/+",), min_length=1,
                                    description="topic filters the counters publish on")
    share_group: str | None = Field(default=None, min_length=1, max_length=64,
                                    description="MQTT v5 shared subscription group, to split one "
                                                "stream over several hub workers")
    protocol: Literal["3.1.1", "5"] | None = Field(
        default=None, description="MQTT version (default: 5 with share_group, else 3.1.1)")
    qos: Literal[0, 1] = Field(default=1, description="subscription QoS (counters publish QoS 0)")
    keepalive_s: int = Field(default=60, ge=5, le=65535, description="keepalive interval, seconds")
    reconnect_min_s: float = Field(default=0.5, gt=0, le=3600,
                                   description="first reconnect delay, seconds")
    reconnect_max_s: float = Field(default=30.0, gt=0, le=3600,
                                   description="longest reconnect delay, seconds")
    batch_max: int = Field(default=500, ge=1, le=20_000, description="most messages stored per commit")
    batch_wait_s: float = Field(default=0.05, ge=0, le=5,
                                description="longest a message waits for its batch, seconds")
    max_buffered: int = Field(default=100_000, ge=1,
                              description="messages held while storage is slow; beyond this "
                                          "they are dropped and counted")
    tls_ca_file: Path | None = Field(default=None,
                                     description="CA bundle for mqtts:// (default: the system's CAs)")

    @field_validator("url")
    @classmethod
    def _url(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in SCHEMES or not parts.hostname:
            raise ValueError(f"broker address {url!r} must look like mqtt://host:1883 or mqtts://host:8883")
        if parts.username or parts.password:
            raise ValueError("put the user name and password in username / password, not in the url")
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise ValueError(f"broker address {url!r} must have no path, query or fragment")
        try:
            parts.port  # noqa: B018 - raises on an out-of-range port
        except ValueError as error:
            raise ValueError(f"broker address {url!r}: {error}") from None
        return url

    @field_validator("topics")
    @classmethod
    def _topics(cls, topics: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(check_filter(t) for t in topics)

    @field_validator("share_group")
    @classmethod
    def _group(cls, group: str | None) -> str | None:
        if group is not None and any(c in group for c in "/+#\x00"):
            raise ValueError(f"share_group {group!r} must not contain '/', '+', '#' or NUL")
        return group

    @field_validator("tls_ca_file")
    @classmethod
    def _ca(cls, path: Path | None) -> Path | None:
        if path is not None and not path.is_file():
            raise ValueError(f"tls_ca_file {str(path)!r} is not a file")
        return path

    @model_validator(mode="after")
    def _consistent(self) -> MqttConfig:
        if self.password is not None and self.username is None:
            raise ValueError("password is set but username is not")
        if self.reconnect_min_s > self.reconnect_max_s:
            raise ValueError("reconnect_min_s must not exceed reconnect_max_s")
        if self.share_group and self.protocol == "3.1.1":
            raise ValueError("share_group needs protocol 5 (MQTT v5 shared subscriptions)")
        if self.tls_ca_file is not None and not self.tls:
            raise ValueError("tls_ca_file is only used with an mqtts:// url")
        return self

    @property
    def host(self) -> str:
        """The broker's host name."""
        return urlsplit(self.url).hostname or ""

    @property
    def port(self) -> int:
        """The broker's port (1883 for mqtt://, 8883 for mqtts:// unless given)."""
        parts = urlsplit(self.url)
        return parts.port or SCHEMES[parts.scheme]

    @property
    def tls(self) -> bool:
        """Whether the link is TLS (mqtts://)."""
        return urlsplit(self.url).scheme == "mqtts"

    @property
    def v5(self) -> bool:
        """Whether to speak MQTT v5 (needed for shared subscriptions)."""
        return self.protocol == "5" or (self.protocol is None and self.share_group is not None)

    @property
    def subscriptions(self) -> tuple[str, ...]:
        """The filters as subscribed: `$share/<group>/<filter>` when a share group is set."""
        if self.share_group is None:
            return self.topics
        return tuple(f"$share/{self.share_group}/{t}" for t in self.topics)

    def describe(self) -> str:
        """The link in words for logs and the portal (no password)."""
        who = f" as user {self.username}" if self.username else ""
        return f"{urlsplit(self.url).scheme}://{self.host}:{self.port} (client {self.client_id}{who})"
