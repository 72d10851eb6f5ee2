"""`/healthz`: the hub answers and its database does too."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from footfall.api.deps import EngineDep
from footfall.storage.engine import read_tx

router = APIRouter(tags=["health"])


@router.get("/healthz")
def health(engine: EngineDep) -> JSONResponse:
    """200 with `{"status": "ok", "database": "ok"}`, or 503 naming the database error."""
    try:
        with read_tx(engine) as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        return JSONResponse({"status": "error", "database": error.__class__.__name__},
                            status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})
