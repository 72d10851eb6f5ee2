"""GET /counts: the report per level and interval, as JSON or CSV."""

from __future__ import annotations

import time
from datetime import date
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, HTTPException, Query, status
from fastapi.responses import Response

from footfall.api.deps import CurrentPrincipal, EngineDep, SettingsDep
from footfall.domain.metrics import METRICS
from footfall.domain.timegrid import Interval
from footfall.query.collector import collector_paused
from footfall.query.counts import CountsRequest, QueryError, counters_of, public, report, scope
from footfall.query.csvout import to_csv
from footfall.query.scope import Level, ScopeNotFound
from footfall.rollup.refresher import refresh
from footfall.storage.engine import read_tx

router = APIRouter(tags=["counts"])


@router.get("/counts", description="Counts per bucket in the local time of each site; `to` is "
            "inclusive. Rows carry aggregation and verification status and `last_revised`. "
            "`level=company` sums every site of the token's company, lined up by local wall-clock "
            "bucket as a site group is; it needs no `id` (one given must be the company's own id or "
            "name). Sales fields (`transactions`, `sales_value`, `conversion_rate`, "
            "`average_transaction_value`, `sales_per_visitor`) are filled for site, site group and "
            "company rows of an hour or longer and are null where no sales were imported, and on "
            "counter, area, minute and 15-minute rows.")
def get_counts(
    principal: CurrentPrincipal,
    engine: EngineDep,
    settings: SettingsDep,
    level: Level,
    interval: Interval,
    from_: Annotated[date, Query(alias="from", description="first local date, YYYY-MM-DD")],
    to: Annotated[date, Query(description="last local date (inclusive), YYYY-MM-DD")],
    id: Annotated[str | None, Query(description="id, or site code / counter serial / group or area "
                                    "name; not needed for level=company")] = None,
    format: Literal["json", "csv"] = "json",
) -> Any:
    """The counts report for one counter, area, site or site group, or the whole company."""
    if id is None and level is not Level.COMPANY:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            detail=f"id is required for level={level.value}")
    request = CountsRequest(principal.company_id, level, id or "", interval, from_, to)
    try:
        request.check()
        with read_tx(engine) as conn:
            units = scope(conn, request)
        refresh(engine, counters_of(units))  # fold in what came since the last rollup
        with collector_paused():  # the rows live only until they are encoded below
            with read_tx(engine) as conn:
                rows = public(report(conn, request, int(time.time()), settings.policy, units))
            response = _csv(rows, level, id) if format == "csv" else _json(rows, level, id, interval)
            del rows  # freed here, while the collector is still out of the way
    except ScopeNotFound as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(error)) from None
    except QueryError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(error)) from None
    return response


def _json(rows: list[dict[str, Any]], level: Level, id: str | None, interval: Interval) -> Response:
    # Serialised directly: the generic encoder walks every cell of a year of hours.
    body = {"level": level.value, "id": id, "interval": interval.value, "data": rows}
    return Response(orjson.dumps(body), media_type="application/json")


def _csv(rows: list[dict[str, Any]], level: Level, id: str | None) -> Response:
    disposition = f'attachment; filename="counts-{level.value}-{id or "all"}.csv"'
    return Response(to_csv(rows, [m.key for m in METRICS]), media_type="text/csv",
                    headers={"Content-Disposition": disposition})
