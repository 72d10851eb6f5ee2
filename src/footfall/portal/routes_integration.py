"""GET /portal/integration (+ twins): the seeds' Data Integration Tool in the browser (staff only).

Build a device-API query and copy its URL or a code snippet (…/query.json), have the hub send
it to a counter and show the answer (POST …/send.json), and watch a counter's raw WebSocket or
MQTT messages arrive (…/live, server-sent events from the tap).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.responses import StreamingResponse

from footfall.estate.counters import list_counters
from footfall.portal.auth import Form, PortalError, engine_of, page
from footfall.portal.integration_live import counter_address, is_loopback, watch, watched_serial
from footfall.portal.integration_query import API_TYPES, QueryError, build_query
from footfall.portal.integration_send import Target, send, target_of
from footfall.portal.render import TWINS, render, twin, twin_links
from footfall.portal.sessions import PortalUser
from footfall.portal.snippets import LANGUAGES, snippets
from footfall.security.secrets import secret_box
from footfall.storage.engine import read_tx

router = APIRouter()
Staff = Annotated[PortalUser, Depends(page("integration"))]
TYPE_COLUMNS = ["key", "label", "path", "data_format", "resolution", "window", "description"]
DEVICE_API = "device_api"


def _counters(request: Request, me: PortalUser) -> list[dict[str, Any]]:
    with read_tx(engine_of(request)) as conn:
        rows = list_counters(conn, me.company_id)
    return [{"id": r["id"], "serial": r["serial"], "name": r["name"], "channel": r["channel"],
             "address": f"{r['host']}:{r['port'] or 80}" if r["host"] else None} for r in rows]


def _websocket(request: Request) -> dict[str, Any]:
    """Where counters push to, as reached from this browser, and how they sign in."""
    config = request.app.state.websocket.config
    url = request.url
    address = counter_address(url.scheme, url.hostname or "127.0.0.1", url.port, config.path,
                              getattr(request.app.state, "ws_port", None))
    return {"address": address, "auth": config.auth, "loopback": is_loopback(url.hostname or "")}


def _target(request: Request, me: PortalUser, fields: dict[str, str], login: bool) -> Target:
    box = secret_box(request.app.state.settings)
    return target_of(engine_of(request), box, me.company_id, fields, login)


def _built(request: Request, me: PortalUser, fields: dict[str, str], login: bool) -> tuple[Target, Any]:
    """The counter asked and the query: fields as typed, the username of its login (stored or typed)."""
    target = _target(request, me, fields, login)
    fields = {**fields, "username": target.config.username}
    return target, build_query(fields, datetime.now(target.zone))


def _refused(error: QueryError) -> JSONResponse:
    return JSONResponse({"detail": str(error), "field": error.field}, status_code=422)


def _page_data(request: Request, me: PortalUser) -> dict[str, Any]:
    return {"api_types": [{c: getattr(t, c) for c in TYPE_COLUMNS} for t in API_TYPES],
            "languages": [{"key": lang.key, "label": lang.label} for lang in LANGUAGES],
            "websocket": _websocket(request), "counters": _counters(request, me)}


@router.get("/integration")
def integration_page(request: Request, me: Staff) -> Response:
    """The tool: the query builder with the default query, snippets, the WebSocket address, the live feed."""
    data = _page_data(request, me)
    pulled = [c for c in data["counters"] if c["channel"] == DEVICE_API]
    fields = {"api": "minute", "counter": str(pulled[0]["id"]) if pulled else "address"}
    try:
        target, query = _built(request, me, fields, login=False)
        url, error = query.url(target.config.host, target.config.port), None
    except QueryError as refused:  # a stored login that cannot be used: say so, keep the page
        url, error = "", str(refused)
    today = datetime.now(UTC).date().isoformat()
    return render(request, "integration.html", me, "integration", **data, pulled=pulled, fields=fields,
                  url=url, snippets=snippets(url) if url else {}, error=error, today=today,
                  twins=twin_links(request))


@router.get("/integration.{fmt}")
def integration_data(request: Request, me: Staff, fmt: str) -> Response:
    """The tool's catalogue: API types, snippet languages, the WebSocket address, the counters."""
    if fmt not in TWINS:
        raise PortalError(404, f"no .{fmt} twin: use .json or .csv")
    data = _page_data(request, me)
    return twin(fmt, data, data["api_types"], TYPE_COLUMNS, "integration-api-types")


@router.get("/integration/query.json")
def query_data(request: Request, me: Staff) -> Response:
    """The URL and the snippets of the query the fields describe (no password is taken here)."""
    fields = {k: v for k, v in request.query_params.items() if k != "password"}
    try:
        target, query = _built(request, me, fields, login=False)
    except QueryError as error:
        return _refused(error)
    url = query.url(target.config.host, target.config.port)
    return JSONResponse({"api": query.api.key, "target": target.label, "url": url, "snippets": snippets(url)})


@router.post("/integration/send.json")
async def send_query(request: Request, me: Staff, form: Form) -> Response:
    """Send the query to the counter from the hub; its status, headers and body (never a secret)."""
    fields = {k: v for k, v in form.items() if k != "csrf_token"}
    try:
        target, query = await run_in_threadpool(_built, request, me, fields, True)
    except QueryError as error:
        return _refused(error)
    return JSONResponse(await send(target, query))


@router.get("/integration/live")
async def live_messages(request: Request, me: Staff, serial: str = "") -> StreamingResponse:
    """A counter's raw messages (or every counter's of the company) as they arrive."""
    try:
        watched = watched_serial(serial)
    except QueryError as error:
        raise PortalError(422, str(error)) from None
    return await watch(me.company_id, watched)
