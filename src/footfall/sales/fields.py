"""The rules of each required field, one value at a time, each refusal with its reason."""

from __future__ import annotations

import re
from collections.abc import Mapping

from footfall.sales.profile import parse_local

QUANTITY_DIGITS = 9
VALUE_DIGITS = 12
# The forms of a clean quantity and value, for the fast paths' patterns.
QUANTITY_FORM = rf"[0-9]{{1,{QUANTITY_DIGITS}}}+"
VALUE_FORM = rf"[0-9]{{1,{VALUE_DIGITS}}}+(?:\.[0-9][0-9]?)?+"
# Fraction text → cents: "" → 0, "5" → 50, "05" → 5.
FRACTION_CENTS: dict[str, int] = {"": 0, **{str(d): d * 10 for d in range(10)},
                                  **{f"{c:02d}": c for c in range(100)}}
# A site's local hour is keyed as one int per row: (site index << HOUR_BITS) + hour ordinal
# (date.toordinal() * 24 + hour, below 2**25 up to the year 2200), so sorted keys run site
# by site and hour by hour.
HOUR_BITS = 25
HOUR_MASK = (1 << HOUR_BITS) - 1

_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d*)?", re.ASCII)
_DECIMALS = re.compile(r"\d+\.(\d+)", re.ASCII)


class FieldProblem(ValueError):
    """A value breaks its field's rule; the message is the reason."""


def quantity(text: str) -> int:
    """TotalTransactionQty: a whole number of digits only."""
    value = text.strip()
    if value.isascii() and value.isdigit():
        if len(value) > QUANTITY_DIGITS:
            raise FieldProblem(f"more than {QUANTITY_DIGITS} digits")
        return int(value)
    if not value:
        raise FieldProblem("empty")
    if _NUMBER.fullmatch(value):
        if value.startswith("-"):
            raise FieldProblem("negative quantity")
        if "." in value or "," in value:
            raise FieldProblem("fractional quantity (must be a whole number)")
    raise FieldProblem("not a whole number (digits only, no signs, separators or symbols)")


def cents(text: str) -> int:
    """TotalTransactionValue in cents: digits with an optional `.` and at most 2 decimals."""
    value = text.strip()
    whole, dot, fraction = value.partition(".")
    if whole.isascii() and whole.isdigit() and fraction in FRACTION_CENTS and (fraction or not dot):
        if len(whole) > VALUE_DIGITS:
            raise FieldProblem(f"more than {VALUE_DIGITS} digits before the decimal point")
        return int(whole) * 100 + FRACTION_CENTS[fraction]
    if not value:
        raise FieldProblem("empty")
    if value.startswith("-") and _NUMBER.fullmatch(value):
        raise FieldProblem("negative value")
    decimals = _DECIMALS.fullmatch(value)
    if decimals and len(decimals.group(1)) > 2:
        raise FieldProblem(f"{len(decimals.group(1))} decimals (at most 2)")
    raise FieldProblem("not a number (digits with an optional '.' and at most 2 decimals; "
                       "no currency signs, spaces or thousands separators)")


def hour_key(pattern: re.Pattern[str], text: str, date_format: str) -> int:
    """DateTime → its local hour ordinal, date.toordinal() * 24 + hour (minutes dropped)."""
    if not text.strip():
        raise FieldProblem("empty")
    try:
        moment = parse_local(pattern, text)
    except ValueError as error:
        raise FieldProblem(f"{error}: expected {date_format}") from None
    if not 1970 <= moment.year <= 2200:
        raise FieldProblem(f"year {moment.year} is out of range (1970-2200)")
    return moment.toordinal() * 24 + moment.hour


def site_key(codes: Mapping[str, int], text: str) -> int:
    """StoreCode → the key of the company's site with that code (`codes` maps code → key)."""
    code = text.strip()
    if not code:
        raise FieldProblem("empty")
    found = codes.get(code)
    if found is None:
        raise FieldProblem("unknown store code (no site of the company has this code)")
    return found


class HourKeys(dict[str, int]):
    """DateTime text → hour key, computed once per distinct text (a file repeats its times)
    and, as the minutes of one hour share their key, the date read once per hour."""

    def __init__(self, pattern: re.Pattern[str], date_format: str) -> None:
        super().__init__()
        self.pattern = pattern
        self.date_format = date_format
        self.of_hour: dict[tuple[str | None, ...], int] = {}  # the texts of date and hour → key

    def __missing__(self, text: str) -> int:
        match = self.pattern.fullmatch(text.strip())
        parts = match.groupdict() if match else {}
        if not parts or int(parts.get("minute") or 0) > 59 or int(parts.get("second") or 0) > 59:
            return hour_key(self.pattern, text, self.date_format)  # refused with the reason
        hour = (parts.get("year"), parts.get("year2"), parts["month"], parts["day"], parts["hour"])
        key = self.of_hour.get(hour)
        if key is None:
            key = self.of_hour[hour] = hour_key(self.pattern, text, self.date_format)
        self[text] = key
        return key
