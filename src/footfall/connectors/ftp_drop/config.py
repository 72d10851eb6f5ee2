"""Settings of the FTP drop: the counter file layout and the folders files come from.

Typed, unknown keys refused, validated fully at load without touching the network. The
defaults are the counter's own "Direct Export from Counter" file: comma-separated, one row
per minute and line, `Date, Time, UtcOffset, Serial, RoiId, In, Out, StaffIn, StaffOut`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from footfall.domain.counts import ALLOWED_LENGTHS

DELIMITERS = {"csv": ",", "txt": "\t"}
_SAMPLE = datetime(2021, 12, 31, 13, 45, tzinfo=UTC)
_NAME_FIELDS = ("serial", "company_serial", "site", "door", "date", "ext")


class Columns(BaseModel):
    """Header names of the file's columns; None = the file has no such column."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    date: str = Field(default="Date", min_length=1, description="local date (or date and time)")
    time: str | None = Field(default="Time", description="local time of the interval's start; "
                                                          "None when `date` holds both")
    utc_offset: str | None = Field(default="UtcOffset", description="+HH:MM of the row; None: "
                                                                     "use `timezone`")
    serial: str | None = Field(default="Serial", description="counter serial; None: from the file name")
    line: str | None = Field(default="RoiId", description="RoiId; None: every row is line 1")
    in_: str = Field(default="In", alias="in", min_length=1, description="visitors in")
    out: str = Field(default="Out", min_length=1, description="visitors out")
    staff_in: str | None = Field(default="StaffIn", description="staff in; None: 0")
    staff_out: str | None = Field(default="StaffOut", description="staff out; None: 0")


class FileFormat(BaseModel):
    """How a counter writes its daily file (the seeds' date format, file name, file format)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    file_format: Literal["csv", "txt"] = Field(default="csv", description="csv (comma) or txt (tab)")
    file_name: str = Field(default="{serial}_{date:%Y%m%d}.{ext}",
                           description="name pattern: {serial} {company_serial} {site} {door} {date:…} {ext}")
    date_format: str = Field(default="%Y-%m-%d", description="strftime format of the date column")
    time_format: str = Field(default="%H:%M", description="strftime format of the time column")
    timezone: str | None = Field(default=None, description="IANA zone of the local times when the "
                                                           "file has no UtcOffset column")
    interval_s: int = Field(default=60, description="length of one row's interval, seconds")
    whole_days: bool = Field(default=True, description="refuse a file whose last row is not the last "
                                                       "interval of a day (an upload cut short)")
    columns: Columns = Field(default_factory=Columns)

    @field_validator("file_name")
    @classmethod
    def _name(cls, pattern: str) -> str:
        sample = {"serial": "000000006afce315", "company_serial": "FFC-1", "site": "S1", "door": 1,
                  "date": _SAMPLE.date(), "ext": "csv"}
        try:
            name = pattern.format(**sample)
        except (KeyError, IndexError, ValueError) as error:
            raise ValueError(f"file name pattern {pattern!r}: {error!r}; fields: "
                             f"{', '.join(_NAME_FIELDS)}") from None
        if not name or "/" in name or "\\" in name:
            raise ValueError(f"file name pattern {pattern!r} must give a plain file name")
        return pattern

    @field_validator("timezone")
    @classmethod
    def _zone(cls, zone: str | None) -> str | None:
        if zone is not None:
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"timezone {zone!r} is not an IANA time zone") from None
        return zone

    @field_validator("interval_s")
    @classmethod
    def _interval(cls, seconds: int) -> int:
        if seconds not in ALLOWED_LENGTHS or seconds < 60:
            raise ValueError(f"interval_s {seconds} must be whole minutes dividing an hour "
                             "(60, 300, 900, 3600)")
        return seconds

    @model_validator(mode="after")
    def _consistent(self) -> FileFormat:
        has_time = self.columns.time is not None
        stamp = self.date_format + (" " + self.time_format if has_time else "")
        for sample in (_SAMPLE, datetime(2021, 1, 2, 7, 5, tzinfo=UTC)):
            text = sample.strftime(stamp)
            try:
                back = datetime.strptime(text, stamp).replace(tzinfo=UTC)
            except ValueError:
                back = None
            if back is None or back.replace(second=0) != sample:
                what = ("date and time formats" if has_time
                        else "date format (with no time column it must hold the time)")
                raise ValueError(f"{what} {stamp!r} do not round-trip {sample:%Y-%m-%d %H:%M}")
        if self.columns.utc_offset is None and self.timezone is None:
            raise ValueError("without a utc_offset column, set timezone (the local times' IANA zone)")
        if self.columns.serial is None and "{serial" not in self.file_name:
            raise ValueError("without a serial column, the file name pattern must contain {serial}")
        return self

    @property
    def delimiter(self) -> str:
        """The field separator."""
        return DELIMITERS[self.file_format]


class WatchedFolder(BaseModel):
    """A local directory counters (or another tool) write into."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: Path = Field(description="the folder to take files from")
    settle_s: float = Field(default=5.0, ge=0, description="a file is taken once its size and time "
                                                           "were unchanged for this long")
    every_s: float = Field(default=30.0, gt=0, description="how often the folder is looked at")

    @field_validator("path")
    @classmethod
    def _absolute(cls, path: Path) -> Path:
        if not path.is_absolute():
            raise ValueError(f"path {str(path)!r} must be absolute")
        return path


class RemoteSource(BaseModel):
    """A folder on someone else's FTP / FTPS / SFTP server, fetched on a schedule."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    protocol: Literal["ftp", "ftps", "ftps_implicit", "sftp"] = "sftp"
    host: str = Field(min_length=1)
    port: int | None = Field(default=None, ge=1, le=65535, description="unset: the protocol's default")
    username: str = Field(default="anonymous", min_length=1)
    password: SecretStr | None = Field(default=None, description="sealed at rest, never shown")
    directory: str = Field(default="/", description="the server folder holding the files")
    passive: bool = True
    known_hosts: str | None = Field(default=None, description="SFTP known_hosts file; unset: any host key")
    verify_tls: bool = True
    every_s: float = Field(default=900.0, gt=0, description="how often the folder is fetched")
    delete_after_fetch: bool = Field(default=True, description="remove a file from the server once it "
                                                               "is safely in the hub's inbox")


class DropConfig(BaseModel):
    """One drop source as `footfall connectors test ftp_drop` reads it (sample.toml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    company_id: int = Field(gt=0, description="the company whose counters write these files")
    file_format: FileFormat = Field(default_factory=FileFormat)
    watch: WatchedFolder | None = None
    remote: RemoteSource | None = None

    @model_validator(mode="after")
    def _one_place(self) -> DropConfig:
        if (self.watch is None) == (self.remote is None):
            raise ValueError("set exactly one of [watch] or [remote]")
        return self
