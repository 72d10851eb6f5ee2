"""Validation of a site's fields, shared by create and update."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from footfall.domain.timegrid import zone
from footfall.estate.common import require_text
from footfall.estate.errors import Invalid

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TEXT_FIELDS = {"region": 200, "city": 200, "country": 100, "store_type": 100}
NUMBER_FIELDS = ("latitude", "longitude", "floor_size")
EDITABLE = ("code", "name", "timezone", "opening_hours", "closed_dates", "capacity",
            *TEXT_FIELDS, *NUMBER_FIELDS)
_HHMM = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$")


def clean_timezone(value: Any) -> str:
    """An IANA time zone name, checked against the zone database."""
    if not isinstance(value, str):
        raise Invalid("timezone must be an IANA time zone name such as Europe/Paris", "timezone")
    try:
        zone(value)
    except ValueError as error:
        raise Invalid(f"timezone: {error}", field="timezone") from None
    return value


def clean_opening_hours(value: Any) -> dict[str, list[list[str]]] | None:
    """Opening hours as {weekday: [[open "HH:MM", close "HH:MM"], …]}; missing days are closed."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise Invalid("opening_hours must map weekdays (mon…sun) to lists of "
                      "[open, close] times", field="opening_hours")
    result: dict[str, list[list[str]]] = {}
    for day, spans in value.items():
        where = f"opening_hours.{day}"
        if day not in WEEKDAYS:
            raise Invalid(f"{where}: unknown weekday (use {', '.join(WEEKDAYS)})", field=where)
        if not isinstance(spans, list | tuple):
            raise Invalid(f"{where} must be a list of [open, close] pairs", field=where)
        result[day] = [_span(where, span) for span in spans]
    return result


def _span(where: str, span: Any) -> list[str]:
    if (not isinstance(span, list | tuple) or len(span) != 2
            or not all(isinstance(t, str) and _HHMM.match(t) for t in span)):
        raise Invalid(f"{where}: {span!r} is not an [open, close] pair of HH:MM times", field=where)
    if span[0] >= span[1]:
        raise Invalid(f"{where}: opening time {span[0]} is not before closing time {span[1]}",
                      field=where)
    return [span[0], span[1]]


def clean_closed_dates(value: Any) -> list[str] | None:
    """Closed dates as sorted, distinct ISO dates."""
    if value is None:
        return None
    if not isinstance(value, list | tuple):
        raise Invalid("closed_dates must be a list of YYYY-MM-DD dates", field="closed_dates")
    days: set[str] = set()
    for item in value:
        try:
            days.add((item if isinstance(item, date) else date.fromisoformat(item)).isoformat())
        except (TypeError, ValueError):
            raise Invalid(f"closed_dates: {item!r} is not a YYYY-MM-DD date",
                          field="closed_dates") from None
    return sorted(days)


def clean_site_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """Validated, normalised copies of the site fields present in `values`."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key == "code":
            out[key] = require_text(value, "code", 100)
        elif key == "name":
            out[key] = require_text(value, "name", 200)
        elif key == "timezone":
            out[key] = clean_timezone(value)
        elif key == "opening_hours":
            out[key] = clean_opening_hours(value)
        elif key == "closed_dates":
            out[key] = clean_closed_dates(value)
        elif key == "capacity":
            out[key] = _number(key, value, integer=True)
        elif key in NUMBER_FIELDS:
            out[key] = _number(key, value, integer=False)
        elif key in TEXT_FIELDS:
            out[key] = None if value is None else require_text(value, key, TEXT_FIELDS[key])
        else:
            raise Invalid(f"{key}: not a field of a site", field=key)
    return out


_RANGES = {"latitude": (-90.0, 90.0), "longitude": (-180.0, 180.0)}


def _number(key: str, value: Any, integer: bool) -> float | int | None:
    if value is None:
        return None
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise Invalid(f"{key} must be a{'n integer' if integer else ' number'}", field=key)
    low, high = _RANGES.get(key, (0, float("inf")))
    if not low <= value <= high:
        raise Invalid(f"{key} {value} is outside {low}…{high}", field=key)
    return value
