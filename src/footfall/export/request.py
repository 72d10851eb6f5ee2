"""What to export: the validated parameters shared by the API, the CLI and scheduled deliveries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from footfall.domain.timegrid import Interval
from footfall.export.columns import column_keys, resolve_columns
from footfall.export.timeformats import DEFAULT_DATE, DEFAULT_TIME, PatternError, parse
from footfall.query.scope import Level

LEVELS = tuple(level.value for level in Level)
INTERVALS = tuple(interval.value for interval in Interval)
FORMATS = ("csv", "xlsx", "txt", "json", "xml")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "txt": "text/tab-separated-values; charset=utf-8",
    "json": "application/json",
    "xml": "application/xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Longest export range per interval (the file streams, but a request must still end).
MAX_DAYS = {"minute": 370, "15min": 800, "hour": 3700, "day": 3700, "week": 3700, "month": 3700}
QUERY_KEYS = ("level", "ids", "interval", "fromdate", "todate", "format", "dateformat",
              "timeformat", "columns", "bom")
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


class ExportError(ValueError):
    """A parameter of the export is not valid; `parameter` names it."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter, self.message = parameter, message


@dataclass(frozen=True, slots=True)
class ExportRequest:
    """One export: whose rows, which buckets, which dates, which file."""

    company_id: int
    level: Literal["counter", "area", "site", "site_group", "company"]
    ids: list[str] | Literal["all"]
    interval: Literal["minute", "15min", "hour", "day", "week", "month"]
    first: date
    last: date
    format: Literal["csv", "xlsx", "txt", "json", "xml"] = "csv"
    dateformat: str = DEFAULT_DATE
    timeformat: str = DEFAULT_TIME
    columns: list[str] | None = None  # None: the default set
    bom: bool = False
    # Only buckets starting in [start, end) (UTC epoch seconds), e.g. the hour an hourly
    # delivery covers; None: every bucket of the dates. Rows of a site group whose sites
    # start a bucket at different instants (several zones) carry a label and are kept.
    window: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise ExportError naming the first invalid parameter."""
        _choice("level", self.level, LEVELS)
        _choice("interval", self.interval, INTERVALS)
        _choice("format", self.format, FORMATS)
        if self.ids != "all" and (isinstance(self.ids, str) or not list(self.ids)):
            raise ExportError("ids", "give a list of ids, codes or serials, or 'all'")
        if self.last < self.first:
            raise ExportError("todate", f"{self.last:%Y%m%d} is before fromdate {self.first:%Y%m%d}")
        days = (self.last - self.first).days + 1
        if days > MAX_DAYS[self.interval]:
            raise ExportError("todate", f"at most {MAX_DAYS[self.interval]} days per "
                              f"{self.interval} export, asked for {days}")
        if self.window is not None and not self.window[0] < self.window[1]:
            raise ExportError("window", f"window start {self.window[0]} is not before "
                                        f"its end {self.window[1]}")
        for name, kind in (("dateformat", "date"), ("timeformat", "time")):
            try:
                parse(getattr(self, name), kind)
            except PatternError as error:
                raise ExportError(name, str(error)) from None
        if self.columns is not None:
            try:
                resolve_columns(self.columns)
            except KeyError as error:
                raise ExportError("columns", error.args[0]) from None

    @classmethod
    def from_query(cls, company_id: int, mapping: Mapping[str, object]) -> ExportRequest:
        """Build from URL-style parameters (`fromdate=YYYYMMDD`, `ids=a,b|all`, `columns=a,b`)."""
        unknown = sorted(set(mapping) - set(QUERY_KEYS) - {"access_token"})
        if unknown:
            raise ExportError(unknown[0], f"unknown parameter; use {', '.join(QUERY_KEYS)}")
        for required in ("level", "ids", "interval", "fromdate", "todate"):
            if mapping.get(required) in (None, ""):
                raise ExportError(required, "is required")
        ids = _listed(mapping["ids"])
        columns = _listed(mapping.get("columns") or "")
        return cls(
            company_id=company_id,
            level=_choice("level", _text(mapping["level"]), LEVELS),  # type: ignore[arg-type]
            ids="all" if ids.strip() == "all" else _split("ids", ids),
            interval=_choice("interval", _text(mapping["interval"]), INTERVALS),  # type: ignore[arg-type]
            first=_day("fromdate", mapping["fromdate"]),
            last=_day("todate", mapping["todate"]),
            format=_choice("format", _text(mapping.get("format") or "csv"), FORMATS),  # type: ignore[arg-type]
            dateformat=_text(mapping.get("dateformat") or DEFAULT_DATE),
            timeformat=_text(mapping.get("timeformat") or DEFAULT_TIME),
            columns=_split("columns", columns) if columns.strip() else None,
            bom=_flag("bom", mapping.get("bom")),
        )

    def to_query(self) -> dict[str, str]:
        """The URL parameters that rebuild this request (no token)."""
        query = {"level": self.level, "ids": "all" if self.ids == "all" else ",".join(self.ids),
                 "interval": self.interval, "fromdate": f"{self.first:%Y%m%d}",
                 "todate": f"{self.last:%Y%m%d}", "format": self.format}
        if self.dateformat != DEFAULT_DATE:
            query["dateformat"] = self.dateformat
        if self.timeformat != DEFAULT_TIME:
            query["timeformat"] = self.timeformat
        if self.columns is not None:
            query["columns"] = ",".join(self.columns)
        if self.bom:
            query["bom"] = "true"
        return query

    @property
    def column_keys(self) -> list[str]:
        """The chosen columns in order (the default set when none were chosen)."""
        return column_keys(self.columns)


def _text(value: object) -> str:
    return value if isinstance(value, str) else str(value)


def _listed(value: object) -> str:
    """A comma-separated text, also from a list (callers other than a URL pass lists)."""
    if isinstance(value, list | tuple):
        return ",".join(_text(v) for v in value)
    return _text(value)


def _choice(parameter: str, value: str, valid: tuple[str, ...]) -> str:
    if value not in valid:
        raise ExportError(parameter, f"{value!r} is not one of {', '.join(valid)}")
    return value


def _split(parameter: str, text: str) -> list[str]:
    items = [part.strip() for part in text.split(",")]
    if any(not item for item in items):
        raise ExportError(parameter, f"empty item in {text!r} (comma-separated list expected)")
    return items


def _day(parameter: str, value: object) -> date:
    if isinstance(value, date):
        return value
    text = _text(value).strip()
    for layout in ("%Y%m%d", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, layout).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise ExportError(parameter, f"{text!r} is not a date (YYYYMMDD)")


def _flag(parameter: str, value: object) -> bool:
    if isinstance(value, bool) or value is None:
        return bool(value)
    text = _text(value).strip().lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise ExportError(parameter, f"{text!r} is not true or false")
