"""File names of delivered files from a pattern such as `footfall_{site}_{date:%Y%m%d}.csv`.

Fields are plain names (no attribute or index access); dates and times take a strftime
format after the colon. Values are made safe for a remote path: a `/`, `\\` or control
character in a site code becomes `_`, and the result can never name a parent directory.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import Any

# field → what it holds; the API documents these and validation names unknown ones.
FIELDS: dict[str, str] = {
    "name": "the delivery's name",
    "level": "counter, area, site or site_group",
    "ids": "the exported ids joined with '-' ('all' for every one)",
    "site": "the site code (per-counter files: the counter's site; else the first id)",
    "counter": "the counter serial (per-counter daily files)",
    "date": "first local date of the period (format e.g. {date:%Y%m%d})",
    "first": "first local date of the period",
    "last": "last local date of the period",
    "start": "local start of the period, date and time (e.g. {start:%Y%m%d_%H%M})",
    "run": "local date and time the delivery ran",
    "ext": "the file extension of the format (csv, xlsx, txt, json, xml)",
}

_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")


class PatternError(ValueError):
    """A file-name pattern is not valid; the message names the problem."""


def check_pattern(pattern: str) -> None:
    """Refuse an empty pattern, unknown fields, attribute/index access or bad braces."""
    if not pattern.strip():
        raise PatternError("file_name: the pattern is empty")
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError as error:
        raise PatternError(f"file_name {pattern!r}: {error}") from None
    for _text, field, _spec, conversion in parts:
        if field is None:
            continue
        if conversion is not None:
            raise PatternError(f"file_name {pattern!r}: conversions like !{conversion} are not allowed")
        if field not in FIELDS:
            known = ", ".join(sorted(FIELDS))
            raise PatternError(f"file_name {pattern!r}: unknown field {{{field}}} (known: {known})")


def _safe(value: Any) -> Any:
    if isinstance(value, date | datetime | time | int):
        return value
    return _UNSAFE.sub("_", str(value))


def render(pattern: str, values: Mapping[str, Any]) -> str:
    """The file name for `values`; the result is one path component, never `.` or `..`."""
    check_pattern(pattern)
    try:
        name = pattern.format_map({key: _safe(v) for key, v in values.items()})
    except (KeyError, ValueError) as error:
        raise PatternError(f"file_name {pattern!r}: {error}") from None
    name = _UNSAFE.sub("_", name).strip()
    if name in ("", ".", ".."):
        raise PatternError(f"file_name {pattern!r} gives the unusable name {name!r}")
    return name


SAMPLE: dict[str, Any] = {
    "name": "daily", "level": "site", "ids": "LDN01", "site": "LDN01", "counter": "000000006afce315",
    "date": date(2024, 3, 1), "first": date(2024, 3, 1), "last": date(2024, 3, 1),
    "start": datetime(2024, 3, 1, tzinfo=UTC), "run": datetime(2024, 3, 2, 6, tzinfo=UTC), "ext": "csv",
}


def check_renders(pattern: str) -> None:
    """Refuse a pattern that cannot be rendered (bad format spec), with a sample."""
    render(pattern, SAMPLE)
