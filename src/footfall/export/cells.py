"""Cell values made safe and consistent: formula neutralising, decimals, dates, lists.

Formatting is chosen once per column and then by the value's type through a table, and
date/time texts are cached per day / per clock time: a million rows repeat few of them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from footfall.export.columns import Column
from footfall.export.timeformats import Pattern
from footfall.query.csvout import FORMULA_PREFIXES

LIST_SEPARATOR = ";"
CACHE_SIZE = 10_000  # distinct days or clock times remembered per column
Formatter = Callable[[Any], Any]


def is_number(value: Any) -> bool:
    """True for int and float values (bool is not a number in a report)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def decimal(value: float) -> str:
    """A float as text: point, no exponent, at most 4 decimals, trailing zeros trimmed."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def risky(text: str) -> bool:
    """True when a spreadsheet could run the text as a formula (leading = + - @ tab CR)."""
    return text.startswith(FORMULA_PREFIXES)


def neutral(text: str) -> str:
    """Text a spreadsheet shows as text: a leading apostrophe before formula characters."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def joined(values: list[Any] | tuple[Any, ...]) -> str:
    """A list cell: items joined with `;`."""
    return LIST_SEPARATOR.join(str(v) for v in values)


TEXT_BY_TYPE: dict[type, Formatter] = {
    type(None): "".format, bool: lambda v: "true" if v else "false", int: str,
    float: decimal, str: neutral, list: lambda v: neutral(joined(v)),
    tuple: lambda v: neutral(joined(v)),
}


def text_cell(value: Any) -> str:
    """Any value as a neutralised text cell (CSV, TXT)."""
    format_ = TEXT_BY_TYPE.get(type(value))
    return format_(value) if format_ is not None else neutral(str(value))


def _plain_cell(value: Any) -> Any:
    return value


class CellMaker:
    """Per-column formatters: dates by pattern, lists joined, text optionally neutral."""

    def __init__(self, date_pattern: Pattern, time_pattern: Pattern) -> None:
        self.patterns = {"date": date_pattern, "time": time_pattern}

    def _moment(self, kind: str, safe: bool) -> Formatter:
        pattern = self.patterns[kind]
        finish = neutral if safe else str  # a pattern may lead with '=': text cells guard it
        fallback = text_cell if safe else _plain_cell

        cache: dict[Any, str] = {}

        def format_(value: Any) -> Any:
            if not isinstance(value, datetime):
                return fallback(value)
            key = (value.date() if kind == "date"
                   else (value.hour, value.minute, value.second, value.utcoffset()))
            text = cache.get(key)
            if text is None:
                if len(cache) > CACHE_SIZE:
                    cache.clear()
                text = cache[key] = finish(pattern.render(value))
            return text

        return format_

    def text(self, column: Column) -> Formatter:
        """The CSV/TXT formatter of a column."""
        return self._moment(column.kind, True) if column.kind in self.patterns else text_cell

    def moment_text(self, column: Column) -> Formatter | None:
        """The CSV/TXT formatter of a date or time column; None for the others (by type)."""
        return self._moment(column.kind, True) if column.kind in self.patterns else None

    def plain(self, column: Column) -> Formatter:
        """The JSON/XML formatter: numbers, None and lists as they are, dates rendered."""
        return self._moment(column.kind, False) if column.kind in self.patterns else _plain_cell
