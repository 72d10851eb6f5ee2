"""Settings from the environment, validated once at start-up without touching the network."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from footfall.domain.verification import Policy
from footfall.storage.engine import sqlite_url

PREFIX = "FOOTFALL_"


class SettingsError(ValueError):
    """A setting is wrong; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    """Everything the hub reads from its environment."""

    data_dir: Path = Path("footfall-data")
    database_url: str = ""
    verify_grace_s: int = 7200
    balance_tolerance: float = 0.10
    max_body_bytes: int = 10 * 1024 * 1024
    mqtt_url: str = ""
    mqtt_company: str = ""
    mqtt_username: str = ""
    mqtt_password: str = ""
    mqtt_topics: str = "/status/+"
    mqtt_share_group: str = ""
    secret_key: str = ""
    smtp_url: str = ""
    mail_from: str = "footfall@localhost"
    drop_port: int = 0
    drop_host: str = "127.0.0.1"
    drop_cert_file: str = ""
    policy: Policy = field(default_factory=Policy)

    @property
    def url(self) -> str:
        """The database URL: FOOTFALL_DATABASE_URL, else SQLite under the data directory."""
        return self.database_url or sqlite_url(self.data_dir)


# name → (attribute, description); the README's settings table is checked against this.
VARIABLES: dict[str, tuple[str, str]] = {
    "FOOTFALL_DATA_DIR": ("data_dir", "directory of the embedded SQLite file (./footfall-data)"),
    "FOOTFALL_DATABASE_URL": ("database_url", "SQLAlchemy URL, e.g. postgresql://user@host/db"),
    "FOOTFALL_VERIFY_GRACE_S": ("verify_grace_s",
                                "seconds after a bucket ends before it can be verified (7200)"),
    "FOOTFALL_BALANCE_TOLERANCE": ("balance_tolerance",
                                   "allowed in/out gap over a day, as a fraction (0.10)"),
    "FOOTFALL_MAX_BODY_BYTES": ("max_body_bytes", "largest request body the API accepts (10485760)"),
    "FOOTFALL_MQTT_URL": ("mqtt_url",
                          "MQTT broker to subscribe to: mqtt://host:1883, mqtts://… (off when empty)"),
    "FOOTFALL_MQTT_COMPANY": ("mqtt_company", "name or id of the company whose counters publish there"),
    "FOOTFALL_MQTT_USERNAME": ("mqtt_username", "broker user name, if it asks for one"),
    "FOOTFALL_MQTT_PASSWORD": ("mqtt_password", "broker password (never logged or shown)"),
    "FOOTFALL_MQTT_TOPICS": ("mqtt_topics", "comma-separated topic filters (/status/+)"),
    "FOOTFALL_MQTT_SHARE_GROUP": ("mqtt_share_group",
                                  "MQTT v5 shared-subscription group, to split the stream over hub workers"),
    "FOOTFALL_SECRET_KEY": ("secret_key", "key sealing stored credentials (Fernet, base64); "
                            "default: a key file made in the data directory"),
    "FOOTFALL_SMTP_URL": ("smtp_url", "mail server: smtp://user:password@host:587?security=starttls "
                          "(empty: mail is written to outbox/ in the data directory)"),
    "FOOTFALL_MAIL_FROM": ("mail_from", "sender address of the hub's e-mails (footfall@localhost)"),
    "FOOTFALL_DROP_PORT": ("drop_port", "port of the hub's own FTP drop for counters' daily files (0: off)"),
    "FOOTFALL_DROP_HOST": ("drop_host", "address the FTP drop listens on (127.0.0.1; 0.0.0.0 for the LAN)"),
    "FOOTFALL_DROP_CERT_FILE": ("drop_cert_file", "PEM certificate and key: the FTP drop then requires FTPS"),
}
# Variables read by the test suite, not the hub.
_IGNORED_PREFIXES = ("FOOTFALL_TEST_",)


def load(environ: Mapping[str, str] | None = None) -> Settings:
    """Read settings from `environ` (default: the process environment); unknown keys are refused."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for name, raw in env.items():
        if not name.startswith(PREFIX) or name.startswith(_IGNORED_PREFIXES):
            continue
        if name not in VARIABLES:
            raise SettingsError(f"unknown setting {name} (known: {', '.join(sorted(VARIABLES))})")
        attribute = VARIABLES[name][0]
        values[attribute] = _convert(name, attribute, raw)
    settings = Settings(**values)  # type: ignore[arg-type]
    policy = Policy(grace_s=settings.verify_grace_s, balance_tolerance=settings.balance_tolerance)
    return Settings(**{**values, "policy": policy})  # type: ignore[arg-type]


def _convert(name: str, attribute: str, raw: str) -> object:
    kind = Settings.__dataclass_fields__[attribute].type
    try:
        if kind == "Path":
            return Path(raw)
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a valid {kind}") from None
    return raw
