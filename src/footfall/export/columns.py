"""Export columns as a table of frozen descriptions: key, header, kind and how to get the value.

Identity and date/time columns are listed here; every report metric of
`footfall.domain.metrics.METRICS` becomes a column on its own, so a metric added there
(sales, conversion, …) is exportable with no change in this package.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from footfall.domain import metrics
from footfall.export.items import Item

Kind = Literal["text", "date", "time", "int", "float", "status"]


@dataclass(frozen=True, slots=True)
class Column:
    """One export column; `value(item, row)` reads it from a report row of an item."""

    key: str
    header: str
    kind: Kind
    value: Callable[[Item, dict[str, Any]], Any]
    description: str = ""
    default: bool = True
    row_key: str | None = None  # set when the value is simply this key of the report row


def bucket_start(row: dict[str, Any]) -> datetime:
    """The bucket's local start (site groups across zones: the shared wall-clock label)."""
    bucket = row.get("_bucket")
    if bucket is not None:
        return bucket.local_start
    return datetime.fromisoformat(row["start"])


IDENTITY: tuple[Column, ...] = (
    Column("item_id", "Id", "int", lambda i, r: i.id, "database id of the exported item", False),
    Column("level", "Level", "text", lambda i, r: i.level, "counter, area, site, site_group or company",
           False),
    Column("code", "Code", "text", lambda i, r: i.code,
           "site code, counter serial, area or site group name"),
    Column("name", "Name", "text", lambda i, r: i.name, "name of the counter, area, site or group"),
    Column("serial", "Counter serial", "text", lambda i, r: i.serial, "counter level only", False),
    Column("site_code", "Site code", "text", lambda i, r: i.site_code,
           "the item's site (counter, area, site levels)", False),
    Column("site_name", "Site name", "text", lambda i, r: i.site_name, "the item's site", False),
    Column("timezone", "Time zone", "text", lambda i, r: i.timezone, "IANA zone of the buckets", False),
    Column("date", "Date", "date", lambda i, r: bucket_start(r), "bucket start date (dateformat)"),
    Column("time", "Time", "time", lambda i, r: bucket_start(r), "bucket start time (timeformat)"),
)
# Report keys shown by default are all metrics but these detail columns.
_NOT_DEFAULT = frozenset({"start", "end", "missing_counters", "verification_reasons"})
_STATUS = frozenset({"aggregation_status", "verification_status"})
_UNIT_KIND: dict[str, Kind] = {"people": "int", "count": "int", "transactions": "int",
                               "ratio": "float", "%": "float", "percent": "float",
                               "currency": "float", "money": "float", "amount": "float"}


def _metric_column(metric: metrics.Metric) -> Column:
    key = metric.key
    kind: Kind = "status" if key in _STATUS else _UNIT_KIND.get(metric.unit.lower(), "text")
    return Column(key, metric.label, kind, lambda i, r: r.get(key), metric.description,
                  key not in _NOT_DEFAULT, row_key=key)


def column_table() -> tuple[Column, ...]:
    """Every exportable column, identity first, then the report metrics as they stand now."""
    taken = {c.key for c in IDENTITY}
    derived = []
    for metric in metrics.METRICS:
        if metric.key not in taken:
            taken.add(metric.key)
            derived.append(_metric_column(metric))
    return IDENTITY + tuple(derived)


def resolve_columns(keys: Sequence[str] | None) -> tuple[Column, ...]:
    """The chosen columns in order (None: the default set); KeyError lists the valid keys."""
    table = {c.key: c for c in column_table()}
    if keys is None:
        return tuple(c for c in table.values() if c.default)
    if not keys:
        raise KeyError("choose at least one column")
    unknown = [k for k in keys if k not in table]
    if unknown:
        raise KeyError(f"unknown column {unknown[0]!r}; valid: {', '.join(table)}")
    repeated = sorted({k for k in keys if list(keys).count(k) > 1})
    if repeated:
        raise KeyError(f"column {repeated[0]!r} given twice")
    return tuple(table[k] for k in keys)


def column_keys(keys: Sequence[str] | None) -> list[str]:
    """The chosen column keys in order (the default set for None)."""
    return [c.key for c in resolve_columns(keys)]


COLUMNS: tuple[Column, ...] = column_table()
DEFAULT_COLUMNS: tuple[str, ...] = tuple(c.key for c in COLUMNS if c.default)
