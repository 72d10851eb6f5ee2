"""POST /ingest/events, /ingest/counts, /ingest/coverage: the ingest core over HTTP."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import JSONResponse

from footfall.api.deps import CurrentPrincipal, IngestDep
from footfall.ingest.batch import IngestResult
from footfall.ingest.committer import StorageUnavailable

router = APIRouter(prefix="/ingest", tags=["ingest"])

MAX_RECORDS = 50_000
RESULT_DOC = (
    "Returns `{accepted, duplicates, unassigned, checks, errors: [{index, error}]}` after the "
    "records are durably committed. 200 when every record was good; 422 when some were "
    "refused (the good ones beside them are stored, and re-sending is harmless: ingest is "
    "idempotent)."
)


async def _records(request: Request) -> list[Any]:
    body = await request.body()
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST,
                            detail=f"body is not valid JSON: {error}") from None
    if not isinstance(payload, list):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            detail=f"body must be a JSON array, got {type(payload).__name__}")
    if len(payload) > MAX_RECORDS:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE,
                            detail=f"at most {MAX_RECORDS} records per request, got {len(payload)}")
    return payload


async def _store(ingest: IngestDep, principal: CurrentPrincipal, kind: str,
                 records: list[Any]) -> JSONResponse:
    try:
        result: IngestResult = await ingest.ingest_async(principal.company_id, **{kind: records})
    except StorageUnavailable as error:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE,
                            detail=f"storage unavailable, nothing was stored: {error}",
                            headers={"Retry-After": "5"}) from None
    code = status.HTTP_422_UNPROCESSABLE_CONTENT if result.errors else status.HTTP_200_OK
    return JSONResponse(result.as_dict(), status_code=code)


@router.post("/events", description="Store device events (the seeds' `ffc-eventrawdata`, "
             "with or without the Topic/Data wrapper, with or without UUID). " + RESULT_DOC)
async def ingest_events(request: Request, principal: CurrentPrincipal,
                        ingest: IngestDep) -> JSONResponse:
    """Store a JSON array of device events."""
    return await _store(ingest, principal, "events", await _records(request))


@router.post("/counts", description="Store reported interval counts `{serial, line, start, "
             "length, in, out, staff_in, staff_out, source}`. " + RESULT_DOC)
async def ingest_counts(request: Request, principal: CurrentPrincipal,
                        ingest: IngestDep) -> JSONResponse:
    """Store a JSON array of reported interval counts."""
    return await _store(ingest, principal, "counts", await _records(request))


@router.post("/coverage", description="Store proofs that counters were alive: spans "
             "`{serial, start, end}` or heartbeats `{serial, at, period}`. " + RESULT_DOC)
async def ingest_coverage(request: Request, principal: CurrentPrincipal,
                          ingest: IngestDep) -> JSONResponse:
    """Store a JSON array of alive spans or heartbeats."""
    return await _store(ingest, principal, "coverage", await _records(request))
