"""Conversion on simulator data: the hub's rate for a site-day equals transactions / visitors in
computed by hand from the simulator's ground truth and the imported sales file."""

from __future__ import annotations

import dataclasses
import io
import random
from collections import defaultdict
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from footfall.domain import conversion
from footfall.domain.timegrid import Interval, local_midnight_ts, zone
from footfall.domain.verification import Policy
from footfall.estate.companies import create_company
from footfall.estate.counters import create_counter
from footfall.estate.site_groups import create_site_group
from footfall.estate.sites import create_site, list_sites
from footfall.ingest.core import IngestCore
from footfall.query.counts import CountsRequest, public, report
from footfall.query.scope import Level
from footfall.rollup.refresher import refresh
from footfall.sales.importer import ImportRequest, import_sales
from footfall.simulator.fleet import Fleet, build_fleet
from footfall.simulator.truth import truth_rows
from footfall.storage.engine import read_tx, write_tx
from tests.sales.helpers import HEADER

DAY = date(2025, 11, 18)  # a Tuesday, long past
NOW = int(datetime(2025, 12, 1).timestamp())  # noqa: DTZ001


def _fleet() -> Fleet:
    fleet = build_fleet(counters=5, sites=2, seed=11)
    counters = tuple(dataclasses.replace(c, outside_line=False) for c in fleet.counters)
    return Fleet(fleet.seed, fleet.sites, counters)


def _hub(engine: Engine, fleet: Fleet) -> tuple[int, dict[str, dict[int, int]]]:
    """The fleet's estate and its day of counts in the hub; truth visitors in per site and UTC hour."""
    with write_tx(engine) as conn:
        company = create_company(conn, "Sim")["id"]
        for spec in fleet.sites:
            site_id = create_site(conn, company, spec.code, spec.name, spec.timezone)["id"]
            for c in fleet.doors(spec.code):
                create_counter(conn, company, c.serial, site_id=site_id)
        create_site_group(conn, company, "All", [s["id"] for s in list_sites(conn, company)])
    truth: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    counts, coverage = [], []
    for spec in fleet.sites:
        tz = zone(spec.timezone)
        start, end = local_midnight_ts(DAY, tz), local_midnight_ts(DAY + timedelta(days=1), tz)
        for row in truth_rows(Fleet(fleet.seed, (spec,), fleet.doors(spec.code)), start, end):
            counts.append({"serial": row.serial, "line": row.line, "start": row.minute_ts, "length": 60,
                           "in": row.in_, "out": row.out, "staff_in": row.staff_in,
                           "staff_out": row.staff_out, "source": "import"})
            truth[spec.code][row.minute_ts - row.minute_ts % 3600] += row.in_
        coverage += [{"serial": c.serial, "start": start, "end": end} for c in fleet.doors(spec.code)]
    core = IngestCore(engine)
    try:
        result = core.ingest(company, counts=counts, coverage=coverage)
    finally:
        core.close()
    assert not result.errors
    refresh(engine)
    return company, truth


def _sales_file(fleet: Fleet, truth: dict[str, dict[int, int]]) -> tuple[str, dict[str, tuple[int, int]]]:
    """Sales rows every 20 minutes of each site's open hours; totals per site (transactions, cents)."""
    rng = random.Random(5)
    lines, totals = [HEADER], {}
    for spec in fleet.sites:
        tz = zone(spec.timezone)
        transactions = cents = 0
        for hour_ts, visitors in sorted(truth[spec.code].items()):
            local = datetime.fromtimestamp(hour_ts, tz)
            for minute in (0, 20, 40):
                qty = rng.randint(0, max(1, visitors // 9))
                value = rng.randint(0, 5000 * max(qty, 1))
                lines.append(f"{spec.code},{local:%d-%m-%Y} {local.hour:02d}:{minute:02d},{qty},"
                             f"{value // 100}.{value % 100:02d}")
                transactions += qty
                cents += value
        totals[spec.code] = (transactions, cents)
    return "\r\n".join(lines) + "\r\n", totals


@pytest.fixture
def simulated(engine: Engine) -> tuple[Fleet, int, dict[str, dict[int, int]], dict[str, tuple[int, int]]]:
    """A simulated day of two sites in the hub, with a sales file imported for it."""
    fleet = _fleet()
    company, truth = _hub(engine, fleet)
    text, totals = _sales_file(fleet, truth)
    outcome = import_sales(engine, ImportRequest(company, "day.csv"), io.BytesIO(text.encode()))
    assert outcome.status == "imported", outcome.message
    return fleet, company, truth, totals


def _report(engine: Engine, company: int, level: Level, ident: str, interval: Interval) -> list[dict]:
    with read_tx(engine) as conn:
        request = CountsRequest(company, level, ident, interval, DAY, DAY)
        return public(report(conn, request, NOW, Policy()))


def test_site_day_conversion_equals_transactions_over_visitors_in(engine: Engine, simulated) -> None:  # type: ignore[no-untyped-def]
    fleet, company, truth, totals = simulated
    for spec in fleet.sites:
        [row] = _report(engine, company, Level.SITE, spec.code, Interval.DAY)
        visitors_in = sum(truth[spec.code].values())
        transactions, cents = totals[spec.code]
        _assert_hand_computed(row, visitors_in, transactions, cents)


def test_hours_and_the_site_group_use_bucket_totals_not_averages(engine: Engine, simulated) -> None:  # type: ignore[no-untyped-def]
    fleet, company, truth, totals = simulated
    code = fleet.sites[0].code
    rows = _report(engine, company, Level.SITE, code, Interval.HOUR)
    hours = [r for r in rows if r["transactions"] is not None]
    assert len(hours) == len(truth[code])
    assert sum(r["transactions"] for r in hours) == totals[code][0]
    for row in hours:
        assert row["conversion_rate"] == conversion.conversion_rate(row["transactions"], row["in"])
    group = _group_total(engine, company)
    all_in = sum(sum(t.values()) for t in truth.values())
    all_transactions = sum(t for t, _c in totals.values())
    assert group["conversion_rate"] == round(all_transactions / all_in, 4)


def test_company_day_conversion_equals_transactions_over_visitors_in(engine: Engine, simulated) -> None:  # type: ignore[no-untyped-def]
    _fleet, company, truth, totals = simulated
    rows = _report(engine, company, Level.COMPANY, "", Interval.DAY)
    [row] = [r for r in rows if r["start"].startswith(DAY.isoformat())]
    visitors_in = sum(sum(t.values()) for t in truth.values())
    transactions = sum(t for t, _c in totals.values())
    cents = sum(c for _t, c in totals.values())
    _assert_hand_computed(row, visitors_in, transactions, cents)


def _assert_hand_computed(row: dict, visitors_in: int, transactions: int, cents: int) -> None:
    """The row's sales metrics are the hand-computed ratios of the bucket's totals."""
    assert row["in"] == visitors_in > 0
    assert row["transactions"] == transactions
    assert row["sales_value"] == round(cents / 100, 2)
    assert row["conversion_rate"] == round(transactions / visitors_in, 4)
    assert row["average_transaction_value"] == round(cents / transactions / 100, 2)
    assert row["sales_per_visitor"] == round(cents / visitors_in / 100, 4)


def _group_total(engine: Engine, company: int) -> dict:
    """Sites in different zones give one row per local wall-clock day: that day is ours."""
    rows = _report(engine, company, Level.SITE_GROUP, "All", Interval.DAY)
    return next(r for r in rows if r["start"].startswith(DAY.isoformat()))


def test_minute_rows_and_counter_rows_carry_empty_sales_keys(engine: Engine, simulated) -> None:  # type: ignore[no-untyped-def]
    fleet, company, _truth, _totals = simulated
    quarter = _report(engine, company, Level.SITE, fleet.sites[0].code, Interval.QUARTER)
    serial = fleet.counters[0].serial
    per_counter = _report(engine, company, Level.COUNTER, serial, Interval.DAY)
    for row in (quarter[40], per_counter[0]):
        assert {k: row[k] for k in conversion.NO_SALES} == conversion.NO_SALES
