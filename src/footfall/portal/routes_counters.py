"""GET /portal/counters (+ twins): counter health; POST …/{id}/assign: place an unassigned counter."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from footfall.estate.counters import get_counter, update_counter
from footfall.estate.errors import EstateError, NotFound
from footfall.estate.sites import list_sites
from footfall.portal import charts
from footfall.portal.auth import Form, PortalError, engine_of, may, page, require
from footfall.portal.counter_health import counter_health
from footfall.portal.render import TWINS, render, twin, twin_links
from footfall.portal.sessions import PortalUser
from footfall.storage.engine import read_tx, write_tx

router = APIRouter()
Reader = Annotated[PortalUser, Depends(page("counters"))]
COLUMNS = ["id", "serial", "name", "site", "channel", "status", "last_data", "last_error",
           "last_error_at", "last_error_channel", "coverage_7d"]


@router.get("/counters")
def counters_page(request: Request, me: Reader, assigned: str | None = None) -> Response:
    """Every counter with its health and coverage; unassigned ones with an assign form."""
    rows, hours = counter_health(engine_of(request), me.company_id, datetime.now(UTC))
    with read_tx(engine_of(request)) as conn:
        sites = list_sites(conn, me.company_id)
    labels = [f"{r['serial']} · {r['site'] or 'unassigned'}" for r in rows]
    coverage = [r["coverage"] for r in rows]
    figures = {"coverage": charts.coverage_figure(labels, hours, coverage)} if rows else {}
    return render(request, "counters.html", me, "counters", counters=rows, sites=sites, figures=figures,
                  unassigned=[r for r in rows if r["site_id"] is None], assigned=assigned,
                  can_assign=may(me, "assign_counter"), twins=twin_links(request))


@router.get("/counters.{fmt}")
def counters_data(request: Request, me: Reader, fmt: str) -> Response:
    """Counter health as JSON (with hourly coverage) or CSV (with the 7-day share)."""
    if fmt not in TWINS:
        raise PortalError(404, f"no .{fmt} twin: use .json or .csv")
    rows, hours = counter_health(engine_of(request), me.company_id, datetime.now(UTC))
    data = [{**r, "last_data": r["last_data"] and r["last_data"].isoformat(),
             "last_error_at": r["last_error_at"] and r["last_error_at"].isoformat()} for r in rows]
    return twin(fmt, {"hours": hours, "data": data}, data, COLUMNS, "counters")


@router.post("/counters/{counter_id}/assign")
def assign_counter(request: Request, me: Reader, form: Form, counter_id: int) -> Response:
    """Assign an unassigned counter to a site of the company; its data so far is restated."""
    require(me, "assign_counter")
    raw = form.get("site_id", "")
    if not raw.isdigit():
        raise PortalError(422, f"site_id={raw!r}: choose a site")
    try:
        with write_tx(engine_of(request)) as conn:
            current = get_counter(conn, me.company_id, counter_id)
            if current["site_id"] is not None:
                raise PortalError(409, f"counter {current['serial']} is already assigned to a site")
            row = update_counter(conn, me.company_id, counter_id, {"site_id": int(raw)})
    except NotFound as error:
        raise PortalError(404, error.message) from None
    except EstateError as error:
        raise PortalError(422, error.message) from None
    return RedirectResponse(f"/portal/counters?assigned={row['serial']}", status_code=303)
