"""Scheduled delivery schemas: what to export, when, where, on failure; and run history."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from footfall.api.schemas.common import InputModel, PublicModel, UtcDatetime

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Clock = Annotated[str, StringConstraints(pattern=r"^(?:[01]\d|2[0-3]):[0-5]\d$")]
Kind = Literal["export", "counter_daily"]
Level = Literal["counter", "area", "site", "site_group"]
Interval = Literal["minute", "15min", "hour", "day", "week", "month"]
Format = Literal["csv", "xlsx", "txt", "json", "xml"]
Frequency = Literal["hourly", "daily", "weekly"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DestinationKind = Literal["email", "ftp", "ftps", "ftps_implicit", "sftp"]
Ids = list[str] | Literal["all"]


class DeliveryFields(InputModel):
    """Every field of a delivery but its name, selection and destination kind (all optional)."""

    kind: Kind | None = Field(None, description="`export`: one file per occurrence; `counter_daily`: "
                              "one file per counter per local day, re-sent when late data restates it")
    active: bool | None = None
    level: Level | None = None
    interval: Interval | None = None
    columns: list[str] | None = Field(None, description="export column keys in order (default set if empty)")
    format: Format | None = None
    dateformat: str | None = Field(None, examples=["yyyyMMdd"])
    timeformat: str | None = Field(None, examples=["HH:mm"])
    bom: bool | None = None
    frequency: Frequency | None = None
    at: Clock | None = Field(None, description="local clock time HH:MM (hourly: its minute)")
    weekday: Weekday | None = Field(None, description="weekly: the day it runs")
    timezone: str | None = Field(None, examples=["Europe/London"], description="IANA zone of `at`")
    host: str | None = None
    port: Annotated[int, Field(ge=1, le=65535)] | None = None
    username: str | None = None
    password: str | None = Field(None, description="write-only: sealed at rest, never returned")
    directory: str | None = None
    passive: bool | None = Field(None, description="FTP passive mode (active when false)")
    verify_tls: bool | None = Field(None, description="FTPS: check the server certificate")
    recipients: list[str] | None = None
    file_name: str | None = Field(None, examples=["footfall_{site}_{date:%Y%m%d}.{ext}"],
                                  description="file-name pattern; empty: the export's own name")
    failure_email: str | None = None
    retries: Annotated[int, Field(ge=0, le=10)] | None = None
    retry_delay_s: Annotated[float, Field(ge=0, le=3600)] | None = Field(
        None, description="first retry delay; doubles on each retry")


class DeliveryCreate(DeliveryFields):
    """A new delivery: name, the items to export and the destination kind are required."""

    name: Name
    ids: Ids = Field(description="ids, codes or serials of the level, or 'all'")
    destination: DestinationKind


class DeliveryUpdate(DeliveryFields):
    """A change to a delivery: only the fields sent change (a password sent replaces the stored one)."""

    name: Name | None = None
    ids: Ids | None = None
    destination: DestinationKind | None = None


class DeliveryPublic(PublicModel):
    """A delivery as the API returns it: never its password, only whether one is set."""

    id: int
    name: str
    kind: str
    active: bool
    level: str
    ids: list[str] | str
    interval: str
    columns: list[str] | None
    format: str
    dateformat: str
    timeformat: str
    bom: bool
    frequency: str
    at: str
    weekday: str
    timezone: str
    destination: str
    host: str | None
    port: int | None
    username: str | None
    password_set: bool
    directory: str | None
    passive: bool
    verify_tls: bool
    recipients: list[str] | None
    file_name: str | None
    failure_email: str | None
    retries: int
    retry_delay_s: float
    schedule_since: UtcDatetime
    created_at: UtcDatetime
    updated_at: UtcDatetime


class RunPublic(PublicModel):
    """One run of a delivery: when, what, where, how it went."""

    id: int
    delivery_id: int
    occurrence_key: str
    trigger: str
    period_first: date | None
    period_last: date | None
    counter_id: int | None
    status: str
    attempts: int
    rows: int | None
    bytes: int | None
    destination: str | None
    file_name: str | None
    error: str | None
    started_at: UtcDatetime
    finished_at: UtcDatetime | None


class ProbeResult(BaseModel):
    """The answer of "test destination"."""

    ok: bool
    detail: str
