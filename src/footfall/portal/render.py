"""Rendering: pages from Jinja2 templates, and each page's `.json` / `.csv` data twin."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from footfall.estate.common import as_utc
from footfall.portal.auth import pages_of
from footfall.portal.pages import navigation
from footfall.portal.sessions import PortalUser
from footfall.query.csvout import to_csv

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
TWINS = ("json", "csv")


def moment(value: datetime | None) -> str:
    """An instant for a table cell: UTC, to the minute; '—' when never."""
    if value is None:
        return "—"
    return as_utc(value).strftime("%Y-%m-%d %H:%M UTC")  # type: ignore[union-attr]


def figure_json(figure: dict[str, Any]) -> str:
    """A plotly figure as JSON safe to embed in a <script> element."""
    return orjson.dumps(figure).decode().replace("</", "<\\/")


templates.env.filters["moment"] = moment
templates.env.filters["figure_json"] = figure_json


def render(request: Request, name: str, me: PortalUser | None, current: str,
           status: int = 200, **context: Any) -> HTMLResponse:
    """A page from template `name`, with the navigation the user may see."""
    allowed = pages_of(me) if me is not None else frozenset()
    context.update(me=me, current=current, nav=navigation(allowed),
                   settings_nav=navigation(allowed, "settings"))
    return templates.TemplateResponse(request, name, context, status_code=status)


def twin(fmt: str, body: dict[str, Any], rows: Sequence[dict[str, Any]], columns: Sequence[str],
         filename: str) -> Response:
    """The data twin of a page: `body` as JSON, or `rows` as CSV with `columns`."""
    if fmt == "csv":
        return Response(to_csv(rows, columns), media_type="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'})
    return Response(orjson.dumps(body), media_type="application/json")


def twin_links(request: Request) -> dict[str, str]:
    """URLs of the current page's `.json` and `.csv` twins (same query)."""
    path, query = request.url.path.rstrip("/"), request.url.query
    return {fmt: f"{path}.{fmt}" + (f"?{query}" if query else "") for fmt in TWINS}
