"""The export centre: manual export with column arrangement, the API URL builder, and the
list of scheduled deliveries (their own pages are in `routes_deliveries`).

GET /portal/exports (+ .json, .csv: the deliveries); POST /portal/exports: download the
file, or show its copyable API URLs (with a token placeholder, never a real token).
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from footfall.delivery import runs, store
from footfall.delivery.model import Delivery
from footfall.delivery.schedule import next_due
from footfall.estate.common import as_utc
from footfall.export import (
    MEDIA_TYPES,
    ExportError,
    ExportNotFound,
    export_filename,
    stream_export,
)
from footfall.export.items import resolve_items
from footfall.portal import routes_deliveries
from footfall.portal.auth import Form, PortalError, engine_of, page
from footfall.portal.export_form import (
    LEVEL_TITLES,
    OPTIONS,
    ExportChoice,
    api_urls,
    arranged_columns,
    choice_from,
    default_choice,
    export_request,
    item_key,
    items_by_level,
)
from footfall.portal.render import TWINS, render, twin, twin_links
from footfall.portal.sessions import PortalUser
from footfall.storage.engine import read_tx

router = APIRouter()
router.include_router(routes_deliveries.router)
Staff = Annotated[PortalUser, Depends(page("exports"))]
DELIVERY_COLUMNS = ["id", "name", "active", "kind", "level", "ids", "interval", "format", "frequency",
                    "at", "weekday", "timezone", "destination", "where", "last_status", "last_run_at",
                    "next_run_at"]


def _today() -> date:
    return datetime.now(UTC).date()


def deliveries(request: Request, me: PortalUser) -> list[dict[str, Any]]:
    """The company's deliveries with their last run and next due time (never a password)."""
    now_ts = int(time.time())
    out = []
    with read_tx(engine_of(request)) as conn:
        for row in store.list_deliveries(conn, me.company_id):
            last = runs.history(conn, me.company_id, row["id"], 1)
            target = Delivery.from_row(row)
            shown = store.public(row)
            out.append({
                **{k: shown[k] for k in DELIVERY_COLUMNS if k in shown},
                "ids": "all" if shown["ids"] == "all" else ",".join(shown["ids"]),
                "where": target.describe_destination(),
                "last_status": last[0]["status"] if last else None,
                "last_run_at": as_utc(last[0]["started_at"]).isoformat() if last else None,  # type: ignore[union-attr]
                "next_run_at": (datetime.fromtimestamp(next_due(target.schedule, now_ts), UTC).isoformat()
                                if target.active else None),
            })
    return out


def show(request: Request, me: PortalUser, choice: ExportChoice, status: int = 200,
         **extra: Any) -> Response:
    """The export centre page for a choice (with an error, or the API URLs, when given)."""
    with read_tx(engine_of(request)) as conn:
        items = items_by_level(conn, me.company_id)
    return render(request, "exports.html", me, "exports", status, choice=choice, options=OPTIONS,
                  items=items, item_key=item_key, level_titles=LEVEL_TITLES,
                  columns=arranged_columns(choice.columns), deliveries=deliveries(request, me),
                  twins=twin_links(request), **extra)


@router.get("/exports")
def exports_page(request: Request, me: Staff, deleted: str | None = None) -> Response:
    """The export centre: manual export, API URL builder, scheduled deliveries."""
    return show(request, me, default_choice(_today()), deleted=deleted)


@router.get("/exports.{fmt}")
def exports_data(request: Request, me: Staff, fmt: str) -> Response:
    """The scheduled deliveries as JSON or CSV."""
    if fmt not in TWINS:
        raise PortalError(404, f"no .{fmt} twin: use .json or .csv")
    rows = deliveries(request, me)
    return twin(fmt, {"deliveries": rows}, rows, DELIVERY_COLUMNS, "deliveries")


@router.post("/exports")
async def manual_export(request: Request, me: Staff, _form: Form) -> Response:
    """Download the chosen export (`action=download`), or show its API URLs (`action=url`)."""
    values = await request.form()  # the form again, with its repeated `ids` and `columns`
    choice = choice_from(values, _today())
    try:
        export = export_request(me.company_id, choice)
    except ExportError as error:
        return show(request, me, choice, 422, error=str(error))
    try:
        if values.get("action") == "url":
            with read_tx(engine_of(request)) as conn:  # a URL of items that do not exist helps no one
                resolve_items(conn, me.company_id, export.level, export.ids)
            urls = api_urls(export, str(request.url_for("get_export")), str(request.url_for("get_counts")))
            return show(request, me, choice, urls=urls)
        chunks = await run_in_threadpool(stream_export, engine_of(request), export,
                                         request.app.state.settings.policy)
    except ExportNotFound as error:
        return show(request, me, choice, 404, error=str(error))
    name = export_filename(export)
    return StreamingResponse(chunks, media_type=MEDIA_TYPES[export.format],
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})
