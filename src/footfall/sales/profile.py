"""Mapping profiles: how a company's sales file maps onto the four required fields.

A profile names the header of each required field (any names, any column order), the
delimiter, the text encoding and the date format. Profiles are saved per company by name;
`SEEDS` is the seeds' template (`StoreCode,DateTime,TotalTransactionQty,TotalTransactionValue`).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from footfall.sales.problems import ProfileError


@dataclass(frozen=True, slots=True)
class Field:
    """One required field of a sales file."""

    key: str
    header: str  # the seeds' header name, the default mapping
    description: str


FIELDS: tuple[Field, ...] = (
    Field("store_code", "StoreCode", "the site code"),
    Field("date_time", "DateTime", "start of the interval, site-local time"),
    Field("quantity", "TotalTransactionQty", "number of transactions, a whole number"),
    Field("value", "TotalTransactionValue", "amount received, at most 2 decimals"),
)
FIELD_KEYS = tuple(f.key for f in FIELDS)
HEADER_OF = {f.key: f.header for f in FIELDS}

# Date format tokens (the seeds' `DD-MM-YYYY hh:mm` style, or strftime directives).
_TOKENS: tuple[tuple[str, str, str], ...] = (
    ("YYYY", "%Y", r"(?P<year>\d{4})"),
    ("YY", "%y", r"(?P<year2>\d{2})"),
    ("MM", "%m", r"(?P<month>\d{1,2})"),
    ("DD", "%d", r"(?P<day>\d{1,2})"),
    ("hh", "%H", r"(?P<hour>\d{1,2})"),
    ("HH", "%H", r"(?P<hour>\d{1,2})"),
    ("mm", "%M", r"(?P<minute>\d{1,2})"),
    ("ss", "%S", r"(?P<second>\d{1,2})"),
)
_REQUIRED_PARTS = ("year", "month", "day", "hour")


def compile_date_format(fmt: str) -> re.Pattern[str]:
    """The pattern of a date format such as `DD-MM-YYYY hh:mm` or `%d/%m/%Y %H:%M`."""
    pattern: list[str] = []
    seen: set[str] = set()
    i = 0
    styles = [(t[1], t[2]) for t in _TOKENS] if "%" in fmt else [(t[0], t[2]) for t in _TOKENS]
    while i < len(fmt):
        for token, regex in styles:
            if fmt.startswith(token, i):
                group = regex.split(">")[0].split("<")[1]
                if group in seen or (group.startswith("year") and seen & {"year", "year2"}):
                    raise ProfileError("date_format", f"{fmt!r} has {token} twice")
                seen.add(group)
                pattern.append(regex)
                i += len(token)
                break
        else:
            if fmt[i] == "%":
                raise ProfileError("date_format", f"{fmt!r}: unknown directive {fmt[i:i + 2]!r} "
                                   "(use %d %m %Y %y %H %M %S)")
            pattern.append(re.escape(fmt[i]))
            i += 1
    missing = [p for p in _REQUIRED_PARTS if p not in seen and not (p == "year" and "year2" in seen)]
    if missing:
        raise ProfileError("date_format", f"{fmt!r} has no {', '.join(missing)} "
                           "(e.g. DD-MM-YYYY hh:mm)")
    return re.compile("".join(pattern), re.ASCII)


def minute_separator(fmt: str) -> str | None:
    """The character before the minutes when they end the date format and that character is
    in it nowhere else (the ":" of `DD-MM-YYYY hh:mm`), so the text before it names the hour."""
    minutes = "%M" if "%" in fmt else "mm"
    if len(fmt) < 3 or not fmt.endswith(minutes):
        return None
    separator = fmt[-3]
    if separator.isalnum() or separator == "%" or fmt.count(separator) != 1:
        return None
    return separator


def parse_local(pattern: re.Pattern[str], text: str) -> datetime:
    """The naive local datetime `text` denotes under `pattern`; ValueError says why not."""
    match = pattern.fullmatch(text.strip())
    if match is None:
        raise ValueError("not a date and time in the profile's date format")
    parts = match.groupdict()
    year = int(parts["year"]) if parts.get("year") else 2000 + int(parts["year2"])
    try:
        return datetime(year, int(parts["month"]), int(parts["day"]), int(parts["hour"]),  # noqa: DTZ001
                        int(parts.get("minute") or 0), int(parts.get("second") or 0))
    except ValueError as error:
        raise ValueError(f"no such date or time ({error})") from None


@dataclass(frozen=True, slots=True)
class MappingProfile:
    """How to read one company's sales files."""

    name: str = "seeds"
    store_code: str = "StoreCode"
    date_time: str = "DateTime"
    quantity: str = "TotalTransactionQty"
    value: str = "TotalTransactionValue"
    delimiter: str = ","
    encoding: str = "utf-8"
    date_format: str = "DD-MM-YYYY hh:mm"

    def __post_init__(self) -> None:
        if not self.name.strip() or len(self.name) > 100:
            raise ProfileError("name", "a profile needs a name of 1 to 100 characters")
        headers = self.headers()
        for key, header in headers.items():
            if not header.strip():
                raise ProfileError(key, f"{key}: the header name is empty")
        folded = [h.strip().casefold() for h in headers.values()]
        if len(set(folded)) != len(folded):
            raise ProfileError("headers", "two required fields are mapped to the same header")
        if len(self.delimiter) != 1 or self.delimiter in "\"\r\n":
            raise ProfileError("delimiter", f"delimiter must be one character (not a quote or "
                               f"line break), got {self.delimiter!r}")
        try:
            codecs.lookup(self.encoding)
        except LookupError:
            raise ProfileError("encoding", f"unknown encoding {self.encoding!r}") from None
        compile_date_format(self.date_format)

    def headers(self) -> dict[str, str]:
        """Required field key → the header name it is read from."""
        return {key: getattr(self, key) for key in FIELD_KEYS}

    def as_dict(self) -> dict[str, Any]:
        """Plain values, for storage and the API."""
        return {f: getattr(self, f) for f in self.__slots__}  # type: ignore[attr-defined]

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> MappingProfile:
        """A profile from stored or posted values; unknown keys are refused by name."""
        unknown = set(values) - set(cls.__slots__)  # type: ignore[attr-defined]
        if unknown:
            raise ProfileError(sorted(unknown)[0], f"{sorted(unknown)[0]}: not a profile field")
        return cls(**{k: v for k, v in values.items() if v is not None})


SEEDS = MappingProfile()
