"""The counts report: rows per bucket with totals, occupancy, status and verification."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy.engine import Connection

from footfall.domain.metrics import turn_in_rate
from footfall.domain.status import AggregationStatus, aggregation_status
from footfall.domain.timegrid import SUB_DAY_SECONDS, Bucket, Interval
from footfall.domain.verification import Policy, VerificationStatus, Verifier
from footfall.query.sales import add_sales, combine_sales
from footfall.query.scope import SITE_SETS, Level, Member, members
from footfall.query.tally import tally

# Longest range per interval: keeps a single report bounded in time and memory.
MAX_DAYS = {Interval.MINUTE: 31, Interval.QUARTER: 93, Interval.HOUR: 800,
            Interval.DAY: 3700, Interval.WEEK: 3700, Interval.MONTH: 3700}


class QueryError(ValueError):
    """The report request is not valid; the message names the parameter."""


@dataclass(frozen=True, slots=True)
class CountsRequest:
    """What to report: whose counts, in which buckets, over which local dates."""

    company_id: int
    level: Level
    ident: str
    interval: Interval
    first: date
    last: date

    def check(self) -> None:
        """Refuse ranges that are reversed or too long for the interval."""
        if self.last < self.first:
            raise QueryError(f"to ({self.last}) is before from ({self.first})")
        days = (self.last - self.first).days + 1
        if days > MAX_DAYS[self.interval]:
            raise QueryError(f"at most {MAX_DAYS[self.interval]} days per {self.interval.value} "
                             f"report, asked for {days}")


def report(conn: Connection, request: CountsRequest, now_ts: int, policy: Policy,
           units: list[Member] | None = None) -> list[dict[str, Any]]:
    """Rows of the report, in time order; site groups and the company line up their sites by
    local wall-clock bucket. `units` are the request's members when the caller has them."""
    units, per_member = report_parts(conn, request, now_ts, policy, units)
    if request.level not in SITE_SETS:
        return per_member[0]
    return combine(units, per_member)


def report_parts(conn: Connection, request: CountsRequest, now_ts: int, policy: Policy,
                 units: list[Member] | None = None) -> tuple[list[Member], list[list[dict[str, Any]]]]:
    """The request's members and each one's own rows (sales included), before they are lined
    up: what a view shows beside the total, e.g. the sites of a site group or the company."""
    request.check()
    if units is None:
        units = scope(conn, request)
    per_member = [_member_rows(conn, m, request, now_ts, policy) for m in units]
    add_sales(conn, request.company_id, request.level, request.interval, units, per_member)
    return units, per_member


def scope(conn: Connection, request: CountsRequest) -> list[Member]:
    """The members behind the request's entity (ScopeNotFound when there is none)."""
    return members(conn, request.company_id, request.level, request.ident)


def counter_ids(conn: Connection, request: CountsRequest) -> set[int]:
    """Every counter whose data the report reads (to refresh their rollups first)."""
    return counters_of(scope(conn, request))


def counters_of(units: list[Member]) -> set[int]:
    """Every counter behind the members."""
    return {cid for m in units for cid in m.counters}


def _member_rows(conn: Connection, member: Member, request: CountsRequest, now_ts: int,
                 policy: Policy) -> list[dict[str, Any]]:
    grid, t = tally(conn, member, request.interval, request.first, request.last)
    cells, edges = grid.buckets, grid.edges
    sub_day = request.interval in SUB_DAY_SECONDS
    v_in, v_out = t.visitors_in, t.visitors_out
    day_totals: dict[date, tuple[int, int]] = {}
    if sub_day:
        day_totals = _day_totals(cells, v_in, v_out)
        occupancy = _occupancy(cells, v_in, v_out)
    else:
        occupancy = t.peak or [0] * len(cells)
    outside = t.outside if member.has_outside else [None] * len(cells)
    expected = list(member.counters.values())
    verdict = Verifier(policy, now_ts)
    settled_before = now_ts - policy.grace_s
    verified: dict[tuple[int, int], tuple[Any, list[str]]] = {}  # complete, closed: per day totals
    rows = []
    missing: list[str]
    for i, (b, vi, vo, si, so, out, every, revised) in enumerate(zip(
            cells, v_in, v_out, t.staff_in, t.staff_out, outside, t.all_covered_s, t.revised_us,
            strict=True)):
        length = b.end_ts - b.start_ts
        totals = day_totals[b.local_day] if sub_day else (vi, vo)
        if every >= length:  # every counter reported the whole bucket
            status, missing = _COMPLETE, []
            if b.end_ts <= settled_before:
                found = verified.get(totals)
                if found is None:
                    found = verified[totals] = verdict(status, b.end_ts, *totals)
                verification, reasons = found
            else:
                verification, reasons = verdict(status, b.end_ts, *totals)
        else:
            status, missing = aggregation_status(expected, t.covered_by(i, expected), length,
                                                 t.has_counts[i])
            verification, reasons = verdict(status, b.end_ts, *totals)
        rows.append({
            "start": edges[i],
            "end": edges[i + 1],
            "in": vi,
            "out": vo,
            "staff_in": si,
            "staff_out": so,
            "outside_traffic": out,
            "turn_in_rate": turn_in_rate(vi, out) if out else None,
            "occupancy": occupancy[i],
            "aggregation_status": _TEXT[status],
            "missing_counters": missing,
            "verification_status": _TEXT[verification],
            "verification_reasons": list(reasons),
            "last_revised": _revised(revised),
            "_bucket": b,
        })
    return rows


# Enum members and their texts looked up once: a year of hours builds 8,760 rows.
_COMPLETE = AggregationStatus.COMPLETE
_TEXT: dict[Any, str] = {m: m.value for e in (AggregationStatus, VerificationStatus) for m in e}


def _day_totals(cells: tuple[Bucket, ...], v_in: list[int], v_out: list[int]) -> dict[date, tuple[int, int]]:
    """Visitors in and out per local day (balance is judged per day)."""
    sums: dict[date, list[int]] = {}
    for b, vi, vo in zip(cells, v_in, v_out, strict=True):
        cell = sums.get(b.local_day)
        if cell is None:
            sums[b.local_day] = [vi, vo]
        else:
            cell[0] += vi
            cell[1] += vo
    return {day: (a, b) for day, (a, b) in sums.items()}


def _occupancy(cells: tuple[Bucket, ...], v_in: list[int], v_out: list[int]) -> list[int]:
    """People inside at each bucket's end: running in − out, never below zero, reset daily."""
    values, running, day = [], 0, None
    for b, vi, vo in zip(cells, v_in, v_out, strict=True):
        if b.local_day != day:
            running, day = 0, b.local_day
        running = max(0, running + vi - vo)
        values.append(running)
    return values


@lru_cache(maxsize=4096)
def _revised(revised_us: int) -> str | None:
    # Rollup stamps many hours at once: the same few values recur down a report.
    if not revised_us:
        return None
    return datetime.fromtimestamp(revised_us / 1_000_000, UTC).isoformat()


def combine(units: list[Member], per_member: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Add member sites' rows that share a local wall-clock bucket (each in its own zone)."""
    merged: dict[tuple[str, int], list[tuple[Member, dict[str, Any]]]] = defaultdict(list)
    for member, rows in zip(units, per_member, strict=True):
        for row in rows:
            merged[row["_bucket"].label].append((member, row))
    return [_sum_rows(merged[label]) for label in sorted(merged)]


def _sum_rows(parts: list[tuple[Member, dict[str, Any]]]) -> dict[str, Any]:
    rows = [row for _m, row in parts]
    total: dict[str, Any] = {key: sum(r[key] for r in rows)
                             for key in ("in", "out", "staff_in", "staff_out", "occupancy")}
    outside_values = [r["outside_traffic"] for r in rows if r["outside_traffic"] is not None]
    outside = sum(outside_values) if outside_values else None
    statuses = {r["aggregation_status"] for r in rows}
    status = ("no_data" if statuses == {"no_data"} else
              "complete" if statuses == {"complete"} else "partial")
    starts = {r["start"] for r in rows}
    ends = {r["end"] for r in rows}
    label = rows[0]["_bucket"].label[0]
    revised = [r["last_revised"] for r in rows if r["last_revised"]]
    return {
        # Sites in different zones share a wall-clock bucket but not an instant.
        "start": starts.pop() if len(starts) == 1 else label,
        "end": ends.pop() if len(ends) == 1 else None,
        **total,
        "outside_traffic": outside,
        "turn_in_rate": turn_in_rate(total["in"], outside),
        "aggregation_status": status,
        "missing_counters": sorted({s for r in rows for s in r["missing_counters"]}),
        "verification_status": ("verified" if all(r["verification_status"] == "verified" for r in rows)
                                else "unverified"),
        "verification_reasons": sorted({f"{m.key}: {why}" for m, r in parts
                                        for why in r["verification_reasons"]}),
        "last_revised": max(revised) if revised else None,
        **combine_sales(rows),
    }


def public(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows without internal keys (in place: reports are large)."""
    for row in rows:
        row.pop("_bucket", None)
    return rows
