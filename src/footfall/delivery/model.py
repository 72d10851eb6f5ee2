"""A scheduled delivery as a frozen description: what to export, when, where, on failure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from footfall.delivery.naming import render
from footfall.delivery.schedule import Frequency, Period, Schedule, parse_clock
from footfall.domain.timegrid import to_local
from footfall.estate.common import as_utc
from footfall.export import ExportRequest, export_filename


class Kind(StrEnum):
    """What a delivery sends per occurrence."""

    EXPORT = "export"  # one file of the selection per occurrence
    COUNTER_DAILY = "counter_daily"  # one file per counter per local day (the seeds' FTP from counter)


class Destination(StrEnum):
    """Where the file goes."""

    EMAIL = "email"
    FTP = "ftp"
    FTPS = "ftps"  # explicit TLS (AUTH TLS on port 21)
    FTPS_IMPLICIT = "ftps_implicit"  # TLS from the first byte (port 990)
    SFTP = "sftp"


REMOTE = frozenset({Destination.FTP, Destination.FTPS, Destination.FTPS_IMPLICIT, Destination.SFTP})
DEFAULT_COUNTER_FILE = "{counter}_{date:%Y%m%d}.{ext}"
EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "txt": "txt", "json": "json", "xml": "xml"}


@dataclass(frozen=True, slots=True)
class Delivery:
    """One stored delivery (the sealed password stays sealed here)."""

    id: int
    company_id: int
    name: str
    kind: Kind
    active: bool
    level: str
    ids: list[str] | str
    interval: str
    columns: list[str] | None
    format: str
    dateformat: str
    timeformat: str
    bom: bool
    schedule: Schedule
    schedule_since_ts: int
    destination: Destination
    host: str | None
    port: int | None
    username: str | None
    password_sealed: str | None = field(repr=False)
    directory: str | None
    passive: bool
    verify_tls: bool
    recipients: tuple[str, ...]
    file_name: str | None
    failure_email: str | None
    retries: int
    retry_delay_s: float

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Delivery:
        """From a `delivery` table row."""
        schedule = Schedule(Frequency(row["frequency"]), parse_clock(row["at_time"]),
                            row["timezone"], int(row["weekday"]))
        since = as_utc(row["schedule_since"])
        assert since is not None
        return cls(
            id=int(row["id"]), company_id=int(row["company_id"]), name=row["name"],
            kind=Kind(row["kind"]), active=bool(row["active"]), level=row["level"],
            ids=row["ids"], interval=row["interval"], columns=row["columns"], format=row["format"],
            dateformat=row["dateformat"], timeformat=row["timeformat"], bom=bool(row["bom"]),
            schedule=schedule, schedule_since_ts=int(since.timestamp()),
            destination=Destination(row["destination"]), host=row["host"], port=row["port"],
            username=row["username"], password_sealed=row["password_sealed"],
            directory=row["directory"], passive=bool(row["passive"]),
            verify_tls=bool(row["verify_tls"]), recipients=tuple(row["recipients"] or ()),
            file_name=row["file_name"], failure_email=row["failure_email"],
            retries=int(row["retries"]), retry_delay_s=float(row["retry_delay_s"]),
        )

    def export_request(self, first: date, last: date, ids: list[str] | None = None,
                       window: tuple[int, int] | None = None) -> ExportRequest:
        """The export of this delivery's selection (or of `ids`) over local dates first..last.

        `window` narrows it to the buckets starting in [start, end): an hourly delivery
        sends the hour it covers, not the whole day around it.
        """
        return ExportRequest(
            company_id=self.company_id, level=self.level,  # type: ignore[arg-type]
            ids=ids if ids is not None else self.ids,  # type: ignore[arg-type]
            interval=self.interval, first=first, last=last,  # type: ignore[arg-type]
            format=self.format, dateformat=self.dateformat,  # type: ignore[arg-type]
            timeformat=self.timeformat, columns=self.columns, bom=self.bom, window=window,
        )

    def file_for(self, request: ExportRequest, period: Period, tz: ZoneInfo, run_at: datetime,
                 site: str | None = None, counter: str | None = None) -> str:
        """The delivered file's name: the pattern rendered, else the export's own name."""
        pattern = self.file_name or (DEFAULT_COUNTER_FILE if self.kind is Kind.COUNTER_DAILY else None)
        if pattern is None:
            return export_filename(request)
        ids = "all" if request.ids == "all" else "-".join(request.ids)
        values = {
            "name": self.name, "level": self.level, "ids": ids,
            "site": site or (ids if request.ids == "all" else request.ids[0]),
            "counter": counter or "", "date": period.first, "first": period.first,
            "last": period.last, "start": to_local(period.start_ts, tz).replace(tzinfo=None),
            "run": run_at.astimezone(tz).replace(tzinfo=None), "ext": EXTENSIONS[self.format],
        }
        return render(pattern, values)

    def describe_destination(self) -> str:
        """Where files go, for history and messages (never the password)."""
        if self.destination is Destination.EMAIL:
            return "e-mail to " + ", ".join(self.recipients)
        port = f":{self.port}" if self.port else ""
        user = f"{self.username}@" if self.username else ""
        return f"{self.destination.value}://{user}{self.host}{port}{self.directory or '/'}"
