"""One counter's local day as the minute file it pushes over FTP (pure: fleet and date in, bytes out).

Layout: a header row, then one row per minute of the local day per line (RoiId), zeros included,
in time order and by RoiId within a minute. Date and time are local wall-clock; the UtcOffset
column makes the repeated hour of a 25-hour day unambiguous (a normal day has 1,440 rows per
line, the spring-forward day 1,380, the fall-back day 1,500).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from time import strptime as _strptime
from zoneinfo import ZoneInfo

from footfall.simulator.fleet import CounterSpec, Fleet
from footfall.simulator.traffic import Tally, tallies

COLUMNS = ("Date", "Time", "UtcOffset", "Serial", "RoiId", "In", "Out", "StaffIn", "StaffOut")
DELIMITERS = {"csv": ",", "txt": "\t"}  # file format → field separator; the extension is the key
DEFAULT_FILE_NAME = "{serial}_{date:%Y%m%d}.{ext}"
DEFAULT_DATE_FORMAT = "%Y-%m-%d"
MINUTE = 60

# Fields a file name pattern may use, with sample values for validating a pattern at load.
_NAME_SAMPLE = {
    "serial": "000000006afce315",
    "company_serial": "FFC-2020-000123",
    "site": "S001",
    "door": 1,
    "date": date(2021, 12, 31),
    "ext": "csv",
}


def day_bounds(local_date: date, timezone: str) -> tuple[int, int]:
    """UTC epoch seconds [start, end) of a local calendar day in `timezone`."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(local_date, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(local_date + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return int(start.timestamp()), int(end.timestamp())


def utc_offset_text(moment: datetime) -> str:
    """An aware datetime's UTC offset as `+HH:MM` / `-HH:MM`."""
    offset = moment.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def daily_rows(fleet: Fleet, serial: str, local_date: date, date_format: str) -> list[tuple[str, ...]]:
    """The data rows (no header) of one counter's local day, straight from the traffic tallies."""
    counter = fleet.counter(serial)
    timezone = fleet.site_of(serial).timezone
    zone = ZoneInfo(timezone)
    start, end = day_bounds(local_date, timezone)
    by_minute: dict[tuple[int, int], Tally] = {
        (row.start, row.roi): row for row in tallies(fleet, serial, start, end, MINUTE)
    }
    rows: list[tuple[str, ...]] = []
    for at in range(start, end, MINUTE):
        local = datetime.fromtimestamp(at, zone)
        stamp = (local.strftime(date_format), local.strftime("%H:%M"), utc_offset_text(local), serial)
        for roi in counter.rois:
            row = by_minute.get((at, roi))
            counts = (row.in_, row.out, row.staff_in, row.staff_out) if row else (0, 0, 0, 0)
            rows.append((*stamp, str(roi), *(str(count) for count in counts)))
    return rows


def render_daily_file(
    fleet: Fleet,
    serial: str,
    local_date: date,
    *,
    date_format: str = DEFAULT_DATE_FORMAT,
    file_format: str = "csv",
) -> bytes:
    """The whole file a counter pushes for `local_date`: header plus minute rows, UTF-8, CRLF lines."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITERS[file_format], lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(daily_rows(fleet, serial, local_date, date_format))
    return buffer.getvalue().encode("utf-8")


def daily_file_name(pattern: str, counter: CounterSpec, local_date: date, file_format: str) -> str:
    """The remote file name: `pattern` filled with serial, company_serial, site, door, date, ext."""
    return pattern.format(
        serial=counter.serial,
        company_serial=counter.company_serial,
        site=counter.site_code,
        door=counter.door,
        date=local_date,
        ext=file_format,
    )


def check_file_name(pattern: str) -> str:
    """Return `pattern` if it formats to a plain file name with the known fields, else raise ValueError."""
    try:
        name = pattern.format(**_NAME_SAMPLE)
    except (KeyError, IndexError, ValueError) as error:
        known = ", ".join(_NAME_SAMPLE)
        raise ValueError(f"file name pattern {pattern!r}: {error!r}; known fields: {known}") from None
    if not name or "/" in name or "\\" in name or name in (".", ".."):
        raise ValueError(f"file name pattern {pattern!r} must give a plain file name, got {name!r}")
    if "{date" not in pattern:
        raise ValueError(f"file name pattern {pattern!r} must contain the date, or every day overwrites")
    return pattern


def check_date_format(date_format: str) -> str:
    """Return `date_format` if it writes and reads back day, month and year unambiguously, else raise."""
    for sample in (date(2021, 12, 31), date(2021, 1, 2)):
        try:
            fields = _strptime(sample.strftime(date_format), date_format)
            parsed = date(fields.tm_year, fields.tm_mon, fields.tm_mday)
        except ValueError:
            parsed = None
        if parsed != sample:
            raise ValueError(f"date format {date_format!r} does not round-trip {sample.isoformat()}")
    return date_format
