"""Plotly figures (as plain dicts) of report rows; every point shows its bucket's status.

Complete buckets are solid; partial ones hatched and lighter; buckets with no data get an
× on the axis; an unverified bucket has a dark outline. Dummy traces put that key in the
legend, so each figure explains itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

Rows = Sequence[dict[str, Any]]
Figure = dict[str, Any]

IN_COLOUR, OUT_COLOUR, OUTSIDE_COLOUR = "#2563eb", "#f97316", "#64748b"
RATE_COLOUR, OCCUPANCY_COLOUR, KEY_COLOUR = "#16a34a", "#7c3aed", "#94a3b8"
SALES_COLOUR, VALUE_COLOUR = "#0d9488", "#db2777"


@dataclass(frozen=True, slots=True)
class Look:
    """How one aggregation status is drawn."""

    status: str
    label: str
    pattern: str
    opacity: float
    symbol: str


LOOKS = {look.status: look for look in (
    Look("complete", "complete", "", 1.0, "circle"),
    Look("partial", "partial (hatched)", "/", 0.55, "circle-open"),
    Look("no_data", "no data (×)", "", 0.25, "x"),
)}
UNVERIFIED_LINE = 1.5
HATCH = {"fillmode": "overlay", "fgcolor": "#ffffff", "solidity": 0.4}  # white hatches over the colour


def x_values(rows: Rows) -> list[str]:
    """Bucket starts as local wall-clock time (plotly has no time zones)."""
    return [str(r["start"])[:19] for r in rows]


def _looks(rows: Rows) -> list[Look]:
    return [LOOKS.get(r["aggregation_status"], LOOKS["no_data"]) for r in rows]


def _outlines(rows: Rows) -> list[float]:
    return [0.0 if r["verification_status"] == "verified" else UNVERIFIED_LINE for r in rows]


def _hover(rows: Rows) -> list[list[str]]:
    return [[r["aggregation_status"], r["verification_status"],
             ", ".join(r["missing_counters"]) or "—"] for r in rows]


HOVER = ("%{y}<br>%{x}<br>aggregation: %{customdata[0]}<br>verification: %{customdata[1]}"
         "<br>missing: %{customdata[2]}<extra>%{fullData.name}</extra>")


def bars(name: str, rows: Rows, key: str, colour: str) -> dict[str, Any]:
    """A bar trace of one column, styled per bucket status."""
    looks = _looks(rows)
    return {
        "type": "bar", "name": name, "x": x_values(rows), "y": [r[key] for r in rows],
        "customdata": _hover(rows), "hovertemplate": HOVER,
        "marker": {"color": colour, "opacity": [lk.opacity for lk in looks],
                   "pattern": {"shape": [lk.pattern for lk in looks], **HATCH},
                   "line": {"color": "#111827", "width": _outlines(rows)}},
    }


def line(name: str, rows: Rows, key: str, colour: str, axis: str = "y") -> dict[str, Any]:
    """A line trace of one column; each point's marker shows its bucket status."""
    looks = _looks(rows)
    return {
        "type": "scatter", "mode": "lines+markers", "name": name, "x": x_values(rows),
        "y": [r[key] for r in rows], "yaxis": axis, "customdata": _hover(rows), "hovertemplate": HOVER,
        "line": {"color": colour, "width": 2},
        "marker": {"color": colour, "size": 7, "symbol": [lk.symbol for lk in looks],
                   "line": {"color": "#111827", "width": _outlines(rows)}},
    }


def no_data_marks(rows: Rows) -> dict[str, Any]:
    """× on the axis where a bucket had no data at all (a zero bar would hide it)."""
    points = [(x, 0) for x, r in zip(x_values(rows), rows, strict=True)
              if r["aggregation_status"] == "no_data"]
    return {"type": "scatter", "mode": "markers", "name": "no data", "x": [p[0] for p in points],
            "y": [p[1] for p in points], "hoverinfo": "x+name", "showlegend": False,
            "marker": {"symbol": "x", "size": 9, "color": "#dc2626"}}


def status_key() -> list[dict[str, Any]]:
    """Legend-only traces explaining the status styles."""
    traces: list[dict[str, Any]] = [
        {"type": "bar", "name": look.label, "x": [None], "y": [None], "legendgroup": "key",
         "marker": {"color": KEY_COLOUR, "opacity": look.opacity,
                    "pattern": {"shape": look.pattern, **HATCH}}}
        for look in LOOKS.values() if look.status != "no_data"]
    traces.append({"type": "scatter", "mode": "markers", "name": LOOKS["no_data"].label, "x": [None],
                   "y": [None], "legendgroup": "key",
                   "marker": {"symbol": "x", "size": 9, "color": "#dc2626"}})
    traces.append({"type": "bar", "name": "unverified (outlined)", "x": [None], "y": [None],
                   "legendgroup": "key", "marker": {"color": "#ffffff",
                                                    "line": {"color": "#111827", "width": UNVERIFIED_LINE}}})
    return traces


def comparison(name: str, current: Rows, earlier: Rows, key: str) -> dict[str, Any]:
    """An earlier period drawn over the current one, bucket by bucket, hover showing its own dates."""
    count = min(len(current), len(earlier))
    return {"type": "scatter", "mode": "lines", "name": name, "x": x_values(current[:count]),
            "y": [r[key] for r in earlier[:count]], "customdata": x_values(earlier[:count]),
            "hovertemplate": "%{y}<br>%{customdata}<extra>%{fullData.name}</extra>",
            "line": {"dash": "dot", "width": 2}}


def _layout(title: str, y_title: str, **extra: Any) -> dict[str, Any]:
    return {"title": {"text": title, "font": {"size": 15}}, "barmode": "group", "height": 380,
            "margin": {"l": 48, "r": 48, "t": 40, "b": 20},
            "legend": {"orientation": "h", "y": -0.12, "yanchor": "top", "font": {"size": 11}},
            "yaxis": {"title": {"text": y_title}, "rangemode": "tozero"},
            "xaxis": {"type": "date", "automargin": True},
            "paper_bgcolor": "rgba(0,0,0,0)", **extra}


def visitors_figure(rows: Rows, comparisons: dict[str, dict[str, Any]]) -> Figure:
    """Visitors in and out per bucket, with earlier periods' visitors in as dotted lines."""
    data = [bars("in", rows, "in", IN_COLOUR), bars("out", rows, "out", OUT_COLOUR), no_data_marks(rows)]
    for compared in comparisons.values():
        data.append(comparison(f"in, {compared['label']}", rows, compared["rows"], "in"))
    return {"data": data + status_key(), "layout": _layout("Visitors in / out", "visitors")}


def outside_figure(rows: Rows) -> Figure | None:
    """Outside traffic (bars) and turn-in rate (line, right axis); None without an outside line."""
    if all(r["outside_traffic"] is None for r in rows):
        return None
    data = [bars("outside traffic", rows, "outside_traffic", OUTSIDE_COLOUR),
            line("turn-in rate", rows, "turn_in_rate", RATE_COLOUR, "y2"), no_data_marks(rows)]
    layout = _layout("Outside traffic and turn-in rate", "passers-by", yaxis2=_rate_axis("turn-in rate"))
    return {"data": data + status_key(), "layout": layout}


def _rate_axis(title: str) -> dict[str, Any]:
    """A right-hand axis in per cent, over the main one."""
    return {"title": {"text": title}, "overlaying": "y", "side": "right", "tickformat": ".0%",
            "rangemode": "tozero"}


def has_sales(rows: Rows) -> bool:
    """Whether any bucket has imported sales (sales keys are None elsewhere)."""
    return any(r.get("transactions") is not None for r in rows)


def conversion_figure(rows: Rows) -> Figure | None:
    """Transactions (bars) and conversion rate (line, right axis); None without imported sales."""
    if not has_sales(rows):
        return None
    data = [bars("transactions", rows, "transactions", SALES_COLOUR),
            line("conversion rate", rows, "conversion_rate", RATE_COLOUR, "y2"), no_data_marks(rows)]
    layout = _layout("Transactions and conversion rate", "transactions",
                     yaxis2=_rate_axis("conversion rate"))
    return {"data": data + status_key(), "layout": layout}


def transaction_value_figure(rows: Rows) -> Figure | None:
    """Average transaction value per bucket; None without imported sales."""
    if not has_sales(rows):
        return None
    data = [line("average transaction value", rows, "average_transaction_value", VALUE_COLOUR),
            no_data_marks(rows)]
    return {"data": data + status_key(), "layout": _layout("Average transaction value", "value")}


def occupancy_figure(rows: Rows, sub_day: bool) -> Figure:
    """People inside: at each bucket's end (hours), or the bucket's peak (days and longer)."""
    name = "occupancy at bucket end" if sub_day else "peak occupancy"
    data = [line(name, rows, "occupancy", OCCUPANCY_COLOUR), no_data_marks(rows)]
    return {"data": data + status_key(), "layout": _layout("Occupancy", "people")}


def doors_figure(doors: Sequence[tuple[str, Rows]]) -> Figure:
    """Visitors in per hour of each door, side by side."""
    data = [bars(name, rows, "in", colour) for (name, rows), colour in
            zip(doors, _cycle(len(doors)), strict=True)]
    return {"data": data + status_key(), "layout": _layout("Doors: visitors in per hour", "visitors")}


def _cycle(n: int) -> list[str]:
    palette = ["#2563eb", "#f97316", "#16a34a", "#7c3aed", "#db2777", "#0891b2", "#ca8a04"]
    return [palette[i % len(palette)] for i in range(n)]


def coverage_figure(labels: Sequence[str], hours: Sequence[str],
                    coverage: Sequence[Sequence[float]]) -> Figure:
    """Share of each hour each counter covered, as a heat-map (one row per counter)."""
    data = [{"type": "heatmap", "x": list(hours), "y": list(labels), "z": [list(r) for r in coverage],
             "zmin": 0, "zmax": 1, "colorscale": [[0, "#fee2e2"], [0.5, "#fde68a"], [1, "#16a34a"]],
             "colorbar": {"title": {"text": "covered"}, "tickformat": ".0%", "thickness": 10},
             "hovertemplate": "%{y}<br>%{x}<br>covered %{z:.0%}<extra></extra>", "xgap": 0, "ygap": 2}]
    layout = _layout("Coverage, last 7 days (UTC hours)", "", height=max(160, 60 + 28 * len(labels)))
    layout["yaxis"] = {"automargin": True, "type": "category"}
    layout["margin"] = {"l": 8, "r": 8, "t": 40, "b": 40}
    return {"data": data, "layout": layout}
