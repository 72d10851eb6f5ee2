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
from footfall.query.counts import CountsRequest, QueryError, counter_ids, public, report
from footfall.query.csvout import to_csv
from footfall.query.scope import Level, ScopeNotFound
from footfall.rollup.refresher import refresh
from footfall.storage.engine import read_tx

router = APIRouter(tags=["counts"])


@router.get("/counts", description="Counts per bucket in the local time of each site; `to` is "
            "inclusive. Rows carry aggregation and verification status and `last_revised`. Sales fields "
            "(`transactions`, `sales_value`, `conversion_rate`, `average_transaction_value`, "
            "`sales_per_visitor`) are filled for site and site group rows of an hour or longer and are "
            "null where no sales were imported, and on counter, area, minute and 15-minute rows.")
def get_counts(
    principal: CurrentPrincipal,
    engine: EngineDep,
    settings: SettingsDep,
    level: Level,
    id: Annotated[str, Query(description="id, or site code / counter serial / group or area name")],
    interval: Interval,
    from_: Annotated[date, Query(alias="from", description="first local date, YYYY-MM-DD")],
    to: Annotated[date, Query(description="last local date (inclusive), YYYY-MM-DD")],
    format: Literal["json", "csv"] = "json",
) -> Any:
    """The counts report for one counter, area, site or site group."""
    request = CountsRequest(principal.company_id, level, id, interval, from_, to)
    try:
        request.check()
        with read_tx(engine) as conn:
            ids = counter_ids(conn, request)
        refresh(engine, ids)  # fold in anything ingested since the last rollup
        with read_tx(engine) as conn:
            rows = public(report(conn, request, int(time.time()), settings.policy))
    except ScopeNotFound as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(error)) from None
    except QueryError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(error)) from None
    if format == "csv":
        disposition = f'attachment; filename="counts-{level.value}-{id}.csv"'
        return Response(to_csv(rows, [m.key for m in METRICS]), media_type="text/csv",
                        headers={"Content-Disposition": disposition})
    # Serialised directly: the generic encoder walks every cell of a year of hours.
    body = {"level": level.value, "id": id, "interval": interval.value, "data": rows}
    return Response(orjson.dumps(body), media_type="application/json")
