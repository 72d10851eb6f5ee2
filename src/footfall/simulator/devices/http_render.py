"""The device API's replies: tally crossings into intervals and render them as JSON or XML (pure)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo

from footfall.simulator.devices.http_params import ApiError

COUNT_FIELDS = ("in", "out", "staff_in", "staff_out")
# Where a crossing lands among COUNT_FIELDS, by (MetricId, PeopleTypeId).
_FIELD = {(1, 1): 0, (2, 1): 1, (1, 2): 2, (2, 2): 3}


@dataclass(frozen=True, slots=True)
class CountReport:
    """What one apiCount reply says: the counter, the window and per-line counts per interval."""

    serial: str
    timezone: str
    data_format: str
    resolution: int
    start: int                       # the requested window, epoch seconds
    end: int
    device_time: int                 # the counter's clock when it answered
    bounds: tuple[int, ...]          # interval bounds; interval i is [bounds[i], bounds[i + 1])
    counts: dict[int, list[list[int]]]   # RoiId -> per interval [in, out, staff_in, staff_out]


def tally(crossings: Iterable[tuple[int, int, int, int]], bounds: tuple[int, ...],
          rois: tuple[int, ...]) -> dict[int, list[list[int]]]:
    """Count (at, roi, metric, people_type) crossings into the intervals between `bounds`, zeros kept."""
    intervals = max(0, len(bounds) - 1)
    counts = {roi: [[0, 0, 0, 0] for _ in range(intervals)] for roi in rois}
    for at, roi, metric, people_type in crossings:
        index = bisect_right(bounds, at) - 1
        if 0 <= index < intervals:
            counts[roi][index][_FIELD[metric, people_type]] += 1
    return counts


def render(report: CountReport, data_type: str, tz: tzinfo) -> tuple[bytes, str]:
    """The reply body and its media type."""
    if data_type == "xml":
        return render_xml(report, tz), "application/xml"
    return render_json(report, tz), "application/json"


def render_json(report: CountReport, tz: tzinfo) -> bytes:
    """The report as JSON: header fields, then one object per interval with one entry per line."""
    body = _header(report, tz) | {"intervals": [
        _interval(report, i, tz) | {"lines": [
            {"roi_id": roi} | dict(zip(COUNT_FIELDS, per_interval[i], strict=True))
            for roi, per_interval in report.counts.items()
        ]} for i in range(len(report.bounds) - 1)
    ]}
    return json.dumps(body, separators=(",", ":")).encode()


def render_xml(report: CountReport, tz: tzinfo) -> bytes:
    """The report as XML: a <count> element holding <interval> elements holding <line> elements."""
    root = ET.Element("count", _strings(_header(report, tz)))
    for i in range(len(report.bounds) - 1):
        interval = ET.SubElement(root, "interval", _strings(_interval(report, i, tz)))
        for roi, per_interval in report.counts.items():
            ET.SubElement(interval, "line", _strings({"roi_id": roi} | dict(zip(
                COUNT_FIELDS, per_interval[i], strict=True))))
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def render_error(error: ApiError, data_type: str) -> tuple[bytes, str]:
    """An error reply body (JSON, or XML when the request validly asked for XML) and its media type."""
    fields = {"status": error.status, "code": error.code, "parameter": error.parameter}
    if data_type == "xml":
        element = ET.Element("error", _strings({k: v for k, v in fields.items() if v is not None}))
        element.text = error.message
        return ET.tostring(element, encoding="utf-8", xml_declaration=True), "application/xml"
    return json.dumps({"error": fields | {"message": error.message}}).encode(), "application/json"


def local_iso(t: int, tz: tzinfo) -> str:
    """Epoch seconds as local ISO 8601 with the UTC offset, e.g. 2024-03-09T10:00:00+01:00."""
    return datetime.fromtimestamp(t, tz).isoformat()


def _header(report: CountReport, tz: tzinfo) -> dict[str, object]:
    return {
        "serial": report.serial, "timezone": report.timezone, "data_format": report.data_format,
        "resolution": report.resolution, "start": local_iso(report.start, tz),
        "end": local_iso(report.end, tz), "device_time": local_iso(report.device_time, tz),
        "lines": list(report.counts),
    }


def _interval(report: CountReport, i: int, tz: tzinfo) -> dict[str, object]:
    start, end = report.bounds[i], report.bounds[i + 1]
    start_iso = local_iso(start, tz)
    # isoformat is YYYY-MM-DDTHH:MM:SS followed by the offset (whole seconds here).
    return {"start": start_iso, "end": local_iso(end, tz), "utc_offset": start_iso[19:],
            "duration": end - start}


def _strings(fields: Mapping[str, object]) -> dict[str, str]:
    """XML attribute values: lists become space-separated, everything else str()."""
    return {k: " ".join(map(str, v)) if isinstance(v, list) else str(v) for k, v in fields.items()}
