"""Read opening hours written on the command line, e.g. `mon-fri 09:00-18:00; sat 10:00-16:00`."""

from __future__ import annotations

from footfall.estate.errors import Invalid
from footfall.estate.site_fields import WEEKDAYS


def _days(text: str) -> list[str]:
    first, _, last = text.partition("-")
    if first not in WEEKDAYS or (last and last not in WEEKDAYS):
        raise Invalid(f"opening hours: {text!r} is not a weekday or range such as mon-fri",
                      field="opening_hours")
    a = WEEKDAYS.index(first)
    b = WEEKDAYS.index(last) if last else a
    if b < a:
        raise Invalid(f"opening hours: {text!r} runs backwards", field="opening_hours")
    return list(WEEKDAYS[a : b + 1])


def parse_opening_hours(text: str) -> dict[str, list[list[str]]]:
    """`DAYS HH:MM-HH:MM [HH:MM-HH:MM…]` parts separated by `;`; days not named are closed."""
    hours: dict[str, list[list[str]]] = {}
    for part in filter(None, (p.strip() for p in text.lower().split(";"))):
        days, *spans = part.split()
        if not spans:
            raise Invalid(f"opening hours: {part!r} has no HH:MM-HH:MM span",
                          field="opening_hours")
        pairs = []
        for span in spans:
            start, sep, end = span.partition("-")
            if not sep:
                raise Invalid(f"opening hours: {span!r} is not HH:MM-HH:MM",
                              field="opening_hours")
            pairs.append([start, end])
        for day in _days(days):
            hours.setdefault(day, []).extend(pairs)
    return hours
