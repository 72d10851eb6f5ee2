"""Sales schemas: mapping profiles, imports, automated import schedules."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from footfall.api.schemas.common import InputModel, PublicModel, UtcDatetime

ProfileName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Header = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class ProfileCreate(InputModel):
    """A mapping profile: which header holds each required field, and how the file is written."""

    name: ProfileName
    store_code: Header = Field("StoreCode", description="header of the site code column")
    date_time: Header = Field("DateTime", description="header of the interval start (site-local)")
    quantity: Header = Field("TotalTransactionQty", description="header of the transaction count")
    value: Header = Field("TotalTransactionValue", description="header of the amount received")
    delimiter: str = Field(",", description="one character, e.g. `,` `;` or a tab")
    encoding: str = Field("utf-8", description="text encoding, e.g. utf-8, cp1252, utf-16")
    date_format: str = Field("DD-MM-YYYY hh:mm", description="`DD-MM-YYYY hh:mm` style or strftime "
                             "(`%d/%m/%Y %H:%M`)")


class ProfileUpdate(InputModel):
    """A change to a profile: only the fields sent change."""

    name: ProfileName | None = None
    store_code: Header | None = None
    date_time: Header | None = None
    quantity: Header | None = None
    value: Header | None = None
    delimiter: str | None = None
    encoding: str | None = None
    date_format: str | None = None


class ProfilePublic(PublicModel):
    """A saved profile."""

    id: int
    name: str
    store_code: str
    date_time: str
    quantity: str
    value: str
    delimiter: str
    encoding: str
    date_format: str
    created_at: UtcDatetime
    updated_at: UtcDatetime


class ImportPublic(PublicModel):
    """One import in the history; its full log is at `/sales/imports/{id}/log`."""

    id: int
    file_name: str
    source: Literal["upload", "cli", "schedule"]
    schedule_id: int | None
    profile_name: str | None
    valid_rows_only: bool
    status: Literal["imported", "partial", "failed"]
    rows_total: int
    rows_imported: int
    rows_rejected: int
    error_count: int
    hours_written: int
    first_hour_ts: int | None = Field(description="first stored hour's start, epoch seconds")
    last_hour_ts: int | None
    message: str
    started_at: UtcDatetime
    finished_at: UtcDatetime


class RowErrorPublic(PublicModel):
    """One problem of a file."""

    line: int
    field: str
    value: str
    reason: str


Protocol = Literal["folder", "ftp", "ftps", "ftps_implicit", "sftp"]


class ScheduleFields(InputModel):
    """Where and how often files are picked up, and who hears of failures."""

    profile_name: str | None = Field(None, description="saved profile; none: the seeds' format")
    host: str | None = None
    port: Annotated[int, Field(ge=1, le=65535)] | None = None
    username: str | None = None
    password: str | None = Field(None, description="sealed at rest, never returned")
    archive_directory: str | None = Field(None, description="local folders only: move picked-up "
                                          "files here (default: rename in place)")
    passive: bool | None = None
    known_hosts: str | None = Field(None, description="SFTP: a known_hosts file (none: any host key)")
    pattern: str | None = Field(None, description="file name glob, default `*.csv`")
    every_s: Annotated[int, Field(ge=60)] | None = Field(None, description="seconds between runs "
                                                         "(the import frequency), default 3600")
    notify_email: str | None = Field(None, description="receives the import failure e-mail")
    valid_rows_only: bool | None = None
    enabled: bool | None = None


class ScheduleCreate(ScheduleFields):
    """A new automated import."""

    name: ProfileName
    protocol: Protocol = "folder"
    directory: str = Field(description="the folder or remote directory the files are in")


class ScheduleUpdate(ScheduleFields):
    """A change to a schedule: only the fields sent change."""

    name: ProfileName | None = None
    protocol: Protocol | None = None
    directory: str | None = None


class SchedulePublic(PublicModel):
    """A schedule as the API shows it: the password only as `password_set`."""

    id: int
    name: str
    profile_name: str | None
    protocol: str
    host: str | None
    port: int | None
    username: str | None
    password_set: bool
    directory: str
    archive_directory: str | None
    passive: bool
    known_hosts: str | None
    pattern: str
    every_s: int
    notify_email: str | None
    valid_rows_only: bool
    enabled: bool
    next_run_ts: int
    last_run_at: UtcDatetime | None
    last_status: str | None
    last_error: str | None
    created_at: UtcDatetime


class ScheduleTest(PublicModel):
    """The "Test" answer: could the source be reached, and would its first file import."""

    ok: bool
    message: str


class RunFile(PublicModel):
    """One file a run picked up."""

    file_name: str
    import_id: int
    status: str
    message: str


class ScheduleRun(PublicModel):
    """What a run did."""

    ok: bool
    error: str | None
    files: list[RunFile]
