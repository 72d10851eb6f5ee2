"""The export centre's "what to export" form: choices ↔ export parameters, API URLs, item lists.

Shared by the manual export and the scheduled deliveries' form. Checking is left to
`footfall.export.ExportRequest`, the same code the API and the CLI run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.engine import Connection
from starlette.datastructures import ImmutableMultiDict

from footfall.export import COLUMNS, DEFAULT_COLUMNS, FORMATS, INTERVALS, LEVELS, ExportRequest
from footfall.export.items import Item, resolve_items
from footfall.export.timeformats import DATE_EXAMPLES, DEFAULT_DATE, DEFAULT_TIME, TIME_EXAMPLES
from footfall.query.scope import Level

# Shown in copyable URLs instead of a token: a URL with a real token would be a credential.
TOKEN_PLACEHOLDER = "YOUR_API_TOKEN"
LEVEL_TITLES = {"site": "Sites", "site_group": "Site groups", "counter": "Counters", "area": "Areas"}
# The choices the form offers.
OPTIONS = {"levels": LEVELS, "intervals": INTERVALS, "formats": FORMATS,
           "dateformats": DATE_EXAMPLES, "timeformats": TIME_EXAMPLES}
Values = ImmutableMultiDict[str, Any]


@dataclass(frozen=True, slots=True)
class ExportChoice:
    """What the form holds: the selection, the dates of a manual export, and the file layout."""

    level: str = "site"
    ids: tuple[str, ...] = ()  # none chosen: every item of the level
    interval: str = "day"
    first: str = ""
    last: str = ""
    format: str = "csv"
    dateformat: str = DEFAULT_DATE
    timeformat: str = DEFAULT_TIME
    columns: tuple[str, ...] = DEFAULT_COLUMNS
    bom: bool = False

    @property
    def ids_param(self) -> str:
        """The `ids` parameter: the chosen items, or `all`."""
        return ",".join(self.ids) if self.ids else "all"

    def query(self) -> dict[str, str]:
        """The URL parameters of `/api/v1/export` for this choice (checked by ExportRequest)."""
        return {"level": self.level, "ids": self.ids_param, "interval": self.interval,
                "fromdate": self.first.replace("-", ""), "todate": self.last.replace("-", ""),
                "format": self.format, "dateformat": self.dateformat, "timeformat": self.timeformat,
                "columns": ",".join(self.columns), "bom": "true" if self.bom else "false"}


def default_choice(today: date) -> ExportChoice:
    """The form as first shown: every site, by day, the last seven days."""
    return ExportChoice(first=(today - timedelta(days=6)).isoformat(), last=today.isoformat())


def choice_from(values: Values, today: date) -> ExportChoice:
    """The choice posted by the form (the columns in the order they were arranged)."""
    base = default_choice(today)
    level = values.get("level") or base.level
    # Items of the other levels may still be selected in the page: keep only this level's.
    ids = tuple(v for v in values.getlist("ids") if v.partition(":")[0] == level)
    return replace(
        base, level=level, ids=tuple(v.partition(":")[2] for v in ids),
        interval=values.get("interval") or base.interval,
        first=values.get("fromdate", base.first), last=values.get("todate", base.last),
        format=values.get("format") or base.format,
        dateformat=values.get("dateformat") or DEFAULT_DATE,
        timeformat=values.get("timeformat") or DEFAULT_TIME,
        columns=tuple(values.getlist("columns")), bom=values.get("bom") == "true")


def choice_of_delivery(row: dict[str, Any]) -> ExportChoice:
    """A stored delivery's selection and layout, to fill the form with."""
    ids = row["ids"]
    return ExportChoice(level=row["level"], ids=() if ids == "all" else tuple(ids),
                        interval=row["interval"], format=row["format"], dateformat=row["dateformat"],
                        timeformat=row["timeformat"],
                        columns=tuple(row["columns"] or DEFAULT_COLUMNS), bom=bool(row["bom"]))


def export_request(company_id: int, choice: ExportChoice) -> ExportRequest:
    """The export this choice asks for; ExportError names a wrong parameter."""
    # The columns as ticked: none ticked is refused, not read as "the default set".
    return replace(ExportRequest.from_query(company_id, choice.query()), columns=list(choice.columns))


def api_urls(export: ExportRequest, export_base: str, counts_base: str) -> dict[str, str]:
    """Copyable API URLs of an export, with a placeholder where the token goes.

    `counts` (the JSON/CSV report of one item) is given when exactly one item is chosen.
    """
    token = {"access_token": TOKEN_PLACEHOLDER}
    urls = {"export": _with_query(export_base, {**export.to_query(), **token})}
    if export.ids != "all" and len(export.ids) == 1:
        counts = {"level": export.level, "id": export.ids[0], "interval": export.interval,
                  "from": export.first.isoformat(), "to": export.last.isoformat(),
                  "format": "csv" if export.format in ("csv", "txt", "xlsx") else "json"}
        urls["counts"] = _with_query(counts_base, {**counts, **token})
    return urls


def _with_query(base: str, params: dict[str, str]) -> str:
    return f"{base}?{urlencode(params)}"


def item_key(item: Item) -> str:
    """How the form names an item: its code (serial, group name), an area by id (names repeat)."""
    return str(item.id) if item.level == "area" else item.code


def items_by_level(conn: Connection, company_id: int) -> dict[str, list[Item]]:
    """Every exportable item of the company per level (as the export resolves `ids=all`)."""
    return {level.value: resolve_items(conn, company_id, level.value, "all") for level in Level}


def arranged_columns(chosen: Sequence[str]) -> list[dict[str, Any]]:
    """Every column for the arrangement list: the chosen ones first, in order, then the rest."""
    table = {c.key: c for c in COLUMNS}
    keys = [k for k in chosen if k in table] + [c.key for c in COLUMNS if c.key not in chosen]
    return [{"key": k, "header": table[k].header, "description": table[k].description,
             "chosen": k in chosen} for k in keys]
