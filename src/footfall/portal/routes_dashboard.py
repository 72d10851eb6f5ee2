"""GET /portal/dashboard (+ .json, .csv): company → site group → site, charts and comparisons."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from footfall.domain.metrics import METRICS
from footfall.domain.timegrid import SUB_DAY_SECONDS
from footfall.estate.errors import NotFound
from footfall.estate.site_groups import list_site_groups
from footfall.estate.sites import list_sites
from footfall.portal import charts
from footfall.portal.auth import PortalError, engine_of, page
from footfall.portal.dashboard import Dashboard, build, totals
from footfall.portal.render import render, twin, twin_links
from footfall.portal.sessions import PortalUser
from footfall.portal.view import COMPARISONS, INTERVALS, View, ViewError, parse_view
from footfall.query.counts import QueryError
from footfall.query.scope import ScopeNotFound
from footfall.storage.engine import read_tx

router = APIRouter()
Reader = Annotated[PortalUser, Depends(page("dashboard"))]
COLUMNS = ["series", *(m.key for m in METRICS)]


def load(request: Request, me: PortalUser) -> tuple[View, Dashboard]:
    """The view asked for and its numbers; bad parameters 422, another company's entity 404."""
    params = request.query_params
    try:
        view = parse_view(dict(params), params.getlist("compare"), datetime.now(UTC).date())
        board = build(engine_of(request), me.company_id, me.company_name, view,
                      request.app.state.settings.policy, int(time.time()))
    except (ViewError, QueryError) as error:
        raise PortalError(422, str(error)) from None
    except (ScopeNotFound, NotFound) as error:
        raise PortalError(404, str(error)) from None
    return view, board


def figures(view: View, board: Dashboard) -> dict[str, Any]:
    """The dashboard's figures by element id (a figure without data is left out)."""
    found = {
        "visitors": charts.visitors_figure(board.rows, board.comparisons),
        "outside": charts.outside_figure(board.rows),
        "occupancy": charts.occupancy_figure(board.rows, view.interval in SUB_DAY_SECONDS),
        "conversion": charts.conversion_figure(board.rows),
        "transaction_value": charts.transaction_value_figure(board.rows),
    }
    return {key: figure for key, figure in found.items() if figure is not None}


@router.get("/dashboard")
def dashboard_page(request: Request, me: Reader) -> Response:
    """The dashboard page."""
    view, board = load(request, me)
    with read_tx(engine_of(request)) as conn:
        groups, sites = list_site_groups(conn, me.company_id), list_sites(conn, me.company_id)
    return render(request, "dashboard.html", me, "dashboard", view=view, board=board,
                  figures=figures(view, board), summary=totals(board.rows), groups=groups, sites=sites,
                  intervals=INTERVALS, comparisons=COMPARISONS, twins=twin_links(request))


@router.get("/dashboard.{fmt}")
def dashboard_data(request: Request, me: Reader, fmt: str) -> Response:
    """The dashboard's data: the same rows as its charts, as JSON or CSV."""
    if fmt not in ("json", "csv"):
        raise PortalError(404, f"no .{fmt} twin: use .json or .csv")
    view, board = load(request, me)
    body = {"level": view.level, "id": view.ident, "interval": view.interval.value,
            "from": view.first.isoformat(), "to": view.last.isoformat(), "title": board.title,
            "data": board.rows, "comparisons": board.comparisons, "parts": board.children}
    rows = [{"series": "current", **r} for r in board.rows]
    for kind, compared in board.comparisons.items():
        rows += [{"series": kind, **r} for r in compared["rows"]]
    return twin(fmt, body, rows, COLUMNS, f"dashboard-{view.level}-{view.ident or 'company'}")
