"""What the dashboard shows, from its query string: level, entity, interval, range, comparisons.

Pure: parsing with errors that name the parameter, and the comparison periods.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from footfall.domain.timegrid import Interval

LEVELS = ("company", "site_group", "site")
INTERVALS = (Interval.HOUR, Interval.DAY, Interval.WEEK, Interval.MONTH)
# Days shown when no range is given, ending today.
DEFAULT_SPAN = {Interval.HOUR: 2, Interval.DAY: 14, Interval.WEEK: 56, Interval.MONTH: 183}
COMPARISONS = {"previous": "previous period", "last_year": "same period last year"}


class ViewError(ValueError):
    """A dashboard parameter is wrong; the message names it."""


@dataclass(frozen=True, slots=True)
class View:
    """One dashboard view."""

    level: str
    ident: str
    interval: Interval
    first: date
    last: date
    compare: tuple[str, ...] = ()

    def query(self, **changes: str) -> str:
        """This view's query string, with some parameters changed (for links)."""
        params: dict[str, object] = {"level": self.level, "id": self.ident,
                                     "interval": self.interval.value, "from": self.first.isoformat(),
                                     "to": self.last.isoformat()}
        params.update(changes)
        pairs = [(k, v) for k, v in params.items() if v != ""]
        pairs += [("compare", c) for c in self.compare]
        return urlencode(pairs)


def _date(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ViewError(f"{name}={value!r} is not a date (YYYY-MM-DD)") from None


def parse_view(params: Mapping[str, str], compare: Sequence[str], today: date) -> View:
    """The view asked for, with defaults for whatever is missing."""
    level, ident = params.get("level") or "company", params.get("id", "")
    if params.get("scope"):  # the picker's "level:id" (or "company")
        level, _, ident = params["scope"].partition(":")
    if level not in LEVELS:
        raise ViewError(f"level={level!r} is not one of {', '.join(LEVELS)}")
    ident = ident if level != "company" else ""
    if level != "company" and not ident:
        raise ViewError(f"id is required for level={level}")
    raw_interval = params.get("interval") or Interval.DAY.value
    interval = next((i for i in INTERVALS if i.value == raw_interval), None)
    if interval is None:
        raise ViewError(f"interval={raw_interval!r} is not one of "
                        f"{', '.join(i.value for i in INTERVALS)}")
    last = _date(params["to"], "to") if params.get("to") else today
    first = (_date(params["from"], "from") if params.get("from")
             else last - timedelta(days=DEFAULT_SPAN[interval] - 1))
    if last < first:
        raise ViewError(f"to ({last}) is before from ({first})")
    for kind in compare:
        if kind not in COMPARISONS:
            raise ViewError(f"compare={kind!r} is not one of {', '.join(COMPARISONS)}")
    return View(level, ident, interval, first, last, tuple(dict.fromkeys(compare)))


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), clamped to the month's length."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def compared_range(view: View, kind: str) -> tuple[date, date]:
    """The dates of a comparison: the period just before, or the same period a year earlier.

    A year earlier is 52 weeks back for hours, days and weeks (so weekdays line up) and
    12 months back for months.
    """
    monthly = view.interval is Interval.MONTH
    if kind == "last_year":
        if monthly:
            return add_months(view.first, -12), add_months(view.last, -12)
        return view.first - timedelta(weeks=52), view.last - timedelta(weeks=52)
    if monthly:
        months = (view.last.year - view.first.year) * 12 + view.last.month - view.first.month + 1
        return add_months(view.first, -months), add_months(view.last, -months)
    days = (view.last - view.first).days + 1
    if view.interval is Interval.WEEK:
        days = math.ceil(days / 7) * 7
    return view.first - timedelta(days=days), view.last - timedelta(days=days)
