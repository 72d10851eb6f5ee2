"""Settings forms: typed values from what was typed, and the text a form shows for a row.

Pure: no database. A form is a table of fields; each problem is an estate `Invalid` naming
the field, so the page shows it above the values as typed. Weekly opening hours are typed
one line per weekday ("09:00-17:30, 18:00-20:00"; blank: closed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from footfall.estate.errors import Invalid
from footfall.estate.site_fields import WEEKDAYS

Values = dict[str, str]
SECRET_MARKERS = ("password", "csrf_token")


@dataclass(frozen=True, slots=True)
class Field:
    """One input of a form: its key, label, how its text is read, and how it is drawn."""

    key: str
    label: str
    parse: str = "text"  # text, int, number, check
    widget: str = "input"  # input, select, checkbox
    required: bool = False
    hint: str = ""
    keep_blank: bool = False  # blank means "leave as it is", not "clear"


def _text(raw: str, key: str) -> str | None:
    return raw.strip() or None


def _int(raw: str, key: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise Invalid(f"{key}: {raw!r} is not a whole number", field=key) from None


def _number(raw: str, key: str) -> float | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise Invalid(f"{key}: {raw!r} is not a number", field=key) from None


READERS = {"text": _text, "int": _int, "number": _number}


def parse(fields: Sequence[Field], values: Mapping[str, str]) -> dict[str, Any]:
    """The typed value of every field (checkboxes: ticked or not; `keep_blank` blanks left out)."""
    out: dict[str, Any] = {}
    for field in fields:
        if field.parse == "check":
            out[field.key] = field.key in values
            continue
        value = READERS[field.parse](values.get(field.key, ""), field.key)
        if value is None and field.keep_blank:
            continue
        out[field.key] = value
    return out


def show(fields: Sequence[Field], row: Mapping[str, Any]) -> Values:
    """A row's fields as form text (checkboxes: "on" when true)."""
    out: Values = {}
    for field in fields:
        value = row.get(field.key)
        if field.parse == "check":
            if value:
                out[field.key] = "on"
        elif value is not None:
            out[field.key] = f"{value:g}" if isinstance(value, float) else str(value)
    return out


def as_typed(values: Mapping[str, str]) -> Values:
    """What the person typed, to fill the form again after an error (never a password)."""
    return {k: v for k, v in values.items() if not any(m in k for m in SECRET_MARKERS)}


def changed(changes: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """Only the changes that differ from the current row (so nothing is re-aggregated for nothing)."""
    return {k: v for k, v in changes.items() if current.get(k) != v}


def chosen_ids(values: Mapping[str, str], prefix: str) -> list[int]:
    """Ids of the ticked checkboxes named `<prefix><id>`."""
    return sorted(int(k[len(prefix):]) for k in values if k.startswith(prefix) and k[len(prefix):].isdigit())


def opening_hours(values: Mapping[str, str]) -> dict[str, list[list[str]]] | None:
    """Opening hours from the fields `hours_mon` … `hours_sun`; every day blank: none set."""
    hours: dict[str, list[list[str]]] = {}
    for day in WEEKDAYS:
        raw = values.get(f"hours_{day}", "").strip()
        if not raw:
            continue
        spans = []
        for part in raw.split(","):
            opening, dash, closing = part.replace("–", "-").partition("-")
            if not dash:
                raise Invalid(f"opening hours, {day}: {part.strip()!r} is not a span like 09:00-17:30",
                              field=f"opening_hours.{day}")
            spans.append([opening.strip(), closing.strip()])
        hours[day] = spans
    return hours or None


def hours_text(hours: Mapping[str, Any] | None) -> Values:
    """Opening hours as the per-weekday form fields."""
    return {f"hours_{day}": ", ".join(f"{a}-{b}" for a, b in spans)
            for day, spans in (hours or {}).items()}


def closed_dates(raw: str) -> list[str] | None:
    """Closed dates typed with commas, spaces or new lines between them (the estate checks them)."""
    days = raw.replace(",", " ").split()
    return days or None
