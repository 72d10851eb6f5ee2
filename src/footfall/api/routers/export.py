"""GET /export: the counts of many items as a streamed CSV, TXT, XLSX, JSON or XML file.

The token may come as `access_token=` (GET only) so a BI tool can be given a bare URL;
`/export/url` builds that URL and `/export/columns` lists the columns to choose from.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import JSONResponse, Response, StreamingResponse

from footfall.api.deps import CurrentPrincipal, EngineDep, SettingsDep
from footfall.export import (
    MEDIA_TYPES,
    ExportError,
    ExportNotFound,
    ExportRequest,
    column_table,
    export_filename,
    stream_export,
)
from footfall.export.timeformats import DATE_EXAMPLES, DEFAULT_DATE, DEFAULT_TIME, TIME_EXAMPLES

router = APIRouter(tags=["export"])

_DOC = {
    "level": "counter, area, site or site_group",
    "ids": "comma-separated ids, site codes, counter serials, area or group names; or `all`",
    "interval": "minute, 15min, hour, day, week or month",
    "fromdate": "first local date, YYYYMMDD", "todate": "last local date (inclusive), YYYYMMDD",
    "format": "csv (default), xlsx, txt, json or xml",
    "dateformat": f"date pattern, e.g. {', '.join(DATE_EXAMPLES)} (default {DEFAULT_DATE})",
    "timeformat": f"time pattern, e.g. {', '.join(TIME_EXAMPLES)} (default {DEFAULT_TIME})",
    "columns": "comma-separated column keys in the order wanted (see /export/columns)",
    "bom": "true: start CSV/TXT with a UTF-8 byte order mark (for Excel)",
}


def _invalid(error: ExportError) -> JSONResponse:
    """422 naming the parameter, shaped like the estate's errors."""
    return JSONResponse({"detail": str(error), "field": error.parameter},
                        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


@router.get("/export", response_class=StreamingResponse,
            description="The counts report of several items in one file, streamed. "
            "Parameters as in the copyable URL of `/export/url`.")
def get_export(
    principal: CurrentPrincipal, engine: EngineDep, settings: SettingsDep, request: Request,
    level: Annotated[str | None, Query(description=_DOC["level"])] = None,
    ids: Annotated[str | None, Query(description=_DOC["ids"])] = None,
    interval: Annotated[str | None, Query(description=_DOC["interval"])] = None,
    fromdate: Annotated[str | None, Query(description=_DOC["fromdate"])] = None,
    todate: Annotated[str | None, Query(description=_DOC["todate"])] = None,
    format: Annotated[str | None, Query(description=_DOC["format"])] = None,
    dateformat: Annotated[str | None, Query(description=_DOC["dateformat"])] = None,
    timeformat: Annotated[str | None, Query(description=_DOC["timeformat"])] = None,
    columns: Annotated[str | None, Query(description=_DOC["columns"])] = None,
    bom: Annotated[str | None, Query(description=_DOC["bom"])] = None,
) -> Response:
    """Stream the export file (the parameters are read and checked as one mapping)."""
    try:
        export = ExportRequest.from_query(principal.company_id, dict(request.query_params))
    except ExportError as error:
        return _invalid(error)
    try:
        chunks = stream_export(engine, export, settings.policy)
    except ExportNotFound as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(error)) from None
    name = export_filename(export)
    return StreamingResponse(chunks, media_type=MEDIA_TYPES[export.format],
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/export/url", description="The copyable export URL for the given parameters "
            "(checked as `/export` would); `with_token=true` embeds the caller's token.")
def get_export_url(
    principal: CurrentPrincipal, request: Request,
    with_token: Annotated[bool, Query(description="embed the token used for this call")] = False,
) -> Any:
    """The URL of `/export` for these parameters, the file name and the checked parameters."""
    params = {k: v for k, v in request.query_params.items() if k not in ("with_token", "access_token")}
    try:
        export = ExportRequest.from_query(principal.company_id, params)
    except ExportError as error:
        return _invalid(error)
    query = export.to_query()
    if with_token:
        query["access_token"] = _caller_token(request)
    url = str(request.url_for("get_export").include_query_params(**query))
    return {"url": url, "filename": export_filename(export), "parameters": export.to_query(),
            "token_included": with_token, "query": urlencode(export.to_query())}


def _caller_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.query_params.get("access_token", "")


@router.get("/export/columns", description="The exportable columns in their default order; "
            "`default` marks those exported when `columns` is not given.")
def get_export_columns(_principal: CurrentPrincipal) -> JSONResponse:
    """Every column: key, header, kind, description, and whether it is in the default set."""
    table = column_table()
    return JSONResponse({
        "columns": [{"key": c.key, "header": c.header, "kind": c.kind,
                     "description": c.description, "default": c.default} for c in table],
        "default": [c.key for c in table if c.default],
        "dateformat": {"default": DEFAULT_DATE, "examples": list(DATE_EXAMPLES)},
        "timeformat": {"default": DEFAULT_TIME, "examples": list(TIME_EXAMPLES)},
    })
