"""Report metrics as rows of frozen descriptions: key, label, unit, how to compute it."""

from __future__ import annotations

from dataclasses import dataclass


def turn_in_rate(visitors_in: int, outside: int | None) -> float | None:
    """Visitors in / outside traffic; None when there is no outside traffic to divide by."""
    if not outside:
        return None
    return round(visitors_in / outside, 4)


@dataclass(frozen=True, slots=True)
class Metric:
    """One column of the counts report."""

    key: str
    label: str
    unit: str
    description: str


METRICS: tuple[Metric, ...] = (
    Metric("start", "Start", "ISO 8601", "bucket start in the site's local time, with offset"),
    Metric("end", "End", "ISO 8601", "bucket end (exclusive), local time with offset"),
    Metric("in", "Visitors in", "people", "visitors entering (staff excluded)"),
    Metric("out", "Visitors out", "people", "visitors leaving (staff excluded)"),
    Metric("staff_in", "Staff in", "people", "staff entering"),
    Metric("staff_out", "Staff out", "people", "staff leaving"),
    Metric("outside_traffic", "Outside traffic", "people",
           "passers-by on outside lines (both directions); empty without an outside line"),
    Metric("turn_in_rate", "Turn-in rate", "ratio", "visitors in / outside traffic"),
    Metric("occupancy", "Occupancy", "people",
           "inside at the bucket's end (running in − out from local midnight, never below "
           "zero, reset daily); for day, week and month: the peak of the hourly value"),
    Metric("aggregation_status", "Aggregation status", "", "complete / partial / no_data"),
    Metric("missing_counters", "Missing counters", "", "serials that did not cover the bucket"),
    Metric("verification_status", "Verification status", "", "verified / unverified"),
    Metric("verification_reasons", "Verification reasons", "", "why a bucket is unverified"),
    Metric("last_revised", "Last revised", "ISO 8601 UTC", "when the bucket's numbers last changed"),
    # Sales (imported POS data): site and site group rows of an hour or longer; empty where
    # the bucket has no sales, and on counter, area, minute and 15-minute rows.
    Metric("transactions", "Transactions", "count", "sales transactions in the bucket (imported)"),
    Metric("sales_value", "Sales value", "currency", "amount received in the bucket (imported)"),
    Metric("conversion_rate", "Conversion rate", "ratio",
           "transactions / visitors in, from the bucket's totals (never an average of ratios)"),
    Metric("average_transaction_value", "Average transaction value", "currency",
           "sales value / transactions"),
    Metric("sales_per_visitor", "Sales per visitor", "currency", "sales value / visitors in"),
)
