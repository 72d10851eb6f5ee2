"""GET /changes: buckets restated since an instant, so BI pipelines re-pull exactly those."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status

from footfall.api.deps import CurrentPrincipal, EngineDep
from footfall.query.changes import changes
from footfall.rollup.refresher import refresh
from footfall.storage.engine import read_tx

router = APIRouter(tags=["changes"])


@router.get("/changes", description="Counter hours, site hours and site days whose numbers "
            "changed at or after `since` (ISO 8601 with offset). Pass `until` back as the next "
            "`since`; an entry may repeat, never be missed.")
def get_changes(
    principal: CurrentPrincipal,
    engine: EngineDep,
    since: Annotated[datetime, Query(description="ISO 8601 instant with offset")],
    limit: Annotated[int, Query(ge=1, le=100_000)] = 10_000,
) -> dict[str, Any]:
    """Restated buckets since `since`."""
    if since.tzinfo is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            detail="since must carry a UTC offset, e.g. 2024-01-01T00:00:00Z")
    refresh(engine)
    with read_tx(engine) as conn:
        return changes(conn, principal.company_id, int(since.timestamp() * 1_000_000), limit)
