"""GET /portal/sites (+ twins), /portal/sites/{site} (+ twins) and its live stream."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from footfall.domain.metrics import METRICS
from footfall.estate.errors import NotFound
from footfall.estate.sites import find_site
from footfall.live.stream import site_stream
from footfall.portal import charts
from footfall.portal.auth import PortalError, engine_of, page
from footfall.portal.render import TWINS, render, twin, twin_links
from footfall.portal.sessions import PortalUser
from footfall.portal.site_page import SITE_FIELDS, site_list, site_today
from footfall.storage.engine import read_tx

router = APIRouter()
Reader = Annotated[PortalUser, Depends(page("sites"))]
LIST_COLUMNS = [*SITE_FIELDS, "counters"]
DAY_COLUMNS = ["door", *(m.key for m in METRICS)]


@router.get("/sites")
def sites_page(request: Request, me: Reader) -> Response:
    """Every site of the company, with links to its day and its dashboard."""
    return render(request, "sites.html", me, "sites", sites=site_list(engine_of(request), me.company_id),
                  twins=twin_links(request))


@router.get("/sites.{fmt}")
def sites_data(request: Request, me: Reader, fmt: str) -> Response:
    """The site list as JSON or CSV."""
    if fmt not in TWINS:
        raise PortalError(404, f"no .{fmt} twin: use .json or .csv")
    rows = site_list(engine_of(request), me.company_id)
    return twin(fmt, {"data": rows}, rows, LIST_COLUMNS, "sites")


def _today(request: Request, me: PortalUser, ident: str) -> dict:  # type: ignore[type-arg]
    try:
        return site_today(engine_of(request), me.company_id, ident, request.app.state.settings.policy,
                          int(time.time()))
    except NotFound as error:
        raise PortalError(404, error.message) from None


@router.get("/sites/{ident}.{fmt}")
def site_data(request: Request, me: Reader, ident: str, fmt: str) -> Response:
    """The site's day as JSON, or as CSV rows (the site's hours, then each door's)."""
    if fmt not in TWINS:  # a site code with a dot in it
        return site_page(request, me, f"{ident}.{fmt}")
    day = _today(request, me, ident)
    rows = [{"door": "site", **r} for r in day["hourly"]]
    for door in day["doors"]:
        rows += [{"door": door["serial"], **r} for r in door["data"]]
    return twin(fmt, day, rows, DAY_COLUMNS, f"site-{day['site']['code']}-{day['day']}")


@router.get("/sites/{ident}/live")
async def site_live(request: Request, me: Reader, ident: str) -> StreamingResponse:
    """The site's crossings and occupancy as server-sent events, for a signed-in user."""

    def lookup() -> int:
        with read_tx(engine_of(request)) as conn:
            return int(find_site(conn, me.company_id, ident)["id"])

    try:
        site_id = await run_in_threadpool(lookup)
    except NotFound as error:
        raise PortalError(404, error.message) from None
    return await site_stream(request.app.state.live, me.company_id, site_id)


@router.get("/sites/{ident}")
def site_page(request: Request, me: Reader, ident: str) -> Response:
    """Today at a site: live occupancy and totals, the hourly profile, doors side by side."""
    day = _today(request, me, ident)
    figures = {"hourly": charts.visitors_figure(day["hourly"], {}),
               "occupancy": charts.occupancy_figure(day["hourly"], True)}
    figures["hourly"]["layout"]["title"]["text"] = f"Today ({day['day']}) by hour"
    if day["doors"]:
        figures["doors"] = charts.doors_figure([(d["name"], d["data"]) for d in day["doors"]])
    return render(request, "site.html", me, "sites", day=day, figures=figures, twins=twin_links(request))
