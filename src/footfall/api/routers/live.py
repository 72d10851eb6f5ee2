"""GET /sites/{id}/live: a site's new crossings and current occupancy as server-sent events."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from footfall.api.deps import CurrentPrincipal, EngineDep
from footfall.estate.sites import find_site
from footfall.live.stream import site_stream
from footfall.storage.engine import read_tx

router = APIRouter(prefix="/sites", tags=["live"])

DESCRIPTION = (
    "Server-sent events (`text/event-stream`) of one site, for dashboards: `event: occupancy` "
    "first (`{site, site_id, day, in, out, occupancy, at}`: visitors since the site's local "
    "midnight, occupancy = running in − out, never below zero), then `event: crossing` per "
    "new event (`{site, serial, line, direction, people_type, time}`) followed by a fresh "
    "`occupancy`. A reader that falls behind loses its oldest messages and gets "
    "`event: lagged` (`{dropped}`). A comment line every 15 s keeps proxies from closing it. "
    "Browsers' EventSource cannot send headers: pass `access_token=` instead."
)


@router.get("/{id_or_code}/live", description=DESCRIPTION,
            response_class=StreamingResponse, responses={200: {"content": {"text/event-stream": {}}}})
async def site_live(id_or_code: str, request: Request, principal: CurrentPrincipal,
                    engine: EngineDep) -> StreamingResponse:
    """Stream a site's crossings and occupancy (another company's site: 404)."""

    def lookup() -> int:
        with read_tx(engine) as conn:
            return int(find_site(conn, principal.company_id, id_or_code)["id"])

    site_id = await run_in_threadpool(lookup)
    return await site_stream(request.app.state.live, principal.company_id, site_id)
