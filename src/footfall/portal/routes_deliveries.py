"""Scheduled deliveries in the export centre: create, edit, pause, delete, run now, test, history.

Every change goes through `footfall.delivery.store` and every run through
`footfall.delivery.service`, as the API's `/deliveries` routes do. Passwords are sealed and
never shown again; another company's delivery answers 404.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from footfall.delivery import runs, store
from footfall.delivery.model import Delivery
from footfall.estate.common import as_utc, utcnow
from footfall.estate.errors import EstateError, NotFound
from footfall.estate.sites import list_sites
from footfall.portal import delivery_form
from footfall.portal.auth import Form, PortalError, engine_of, page
from footfall.portal.export_form import (
    LEVEL_TITLES,
    OPTIONS,
    ExportChoice,
    arranged_columns,
    choice_from,
    choice_of_delivery,
    item_key,
    items_by_level,
)
from footfall.portal.render import TWINS, render, twin
from footfall.portal.sessions import PortalUser
from footfall.security.secrets import secret_box
from footfall.storage.engine import read_tx, write_tx

router = APIRouter()
Staff = Annotated[PortalUser, Depends(page("exports"))]
BASE = "/portal/exports/deliveries"
RUN_COLUMNS = ["id", "occurrence_key", "trigger", "period_first", "period_last", "status", "attempts",
               "rows", "bytes", "destination", "file_name", "error", "started_at", "finished_at"]


def _owned(request: Request, me: PortalUser, delivery_id: int) -> dict[str, Any]:
    """One delivery of the user's company; 404 for any other."""
    try:
        with read_tx(engine_of(request)) as conn:
            return store.get_delivery(conn, me.company_id, delivery_id)
    except NotFound as error:
        raise PortalError(404, error.message) from None


def _history(request: Request, me: PortalUser, delivery_id: int) -> list[dict[str, Any]]:
    with read_tx(engine_of(request)) as conn:
        rows = runs.history(conn, me.company_id, delivery_id)
    return [{k: _plain(row[k]) for k in RUN_COLUMNS} for row in rows]


def _plain(value: Any) -> Any:
    """A stored value for JSON and CSV: instants in UTC, dates as ISO text."""
    if isinstance(value, datetime):
        return as_utc(value).isoformat()  # type: ignore[union-attr]
    return value.isoformat() if isinstance(value, date) else value


def _twins(delivery_id: int | None) -> dict[str, str] | None:
    """The history's twins (also on pages answering a form's POST)."""
    return {fmt: f"{BASE}/{delivery_id}.{fmt}" for fmt in TWINS} if delivery_id else None


def _form_page(request: Request, me: PortalUser, d: dict[str, Any], choice: ExportChoice,
               status: int = 200, **extra: Any) -> Response:
    with read_tx(engine_of(request)) as conn:
        items = items_by_level(conn, me.company_id)
    history = _history(request, me, d["id"]) if d.get("id") else []
    return render(request, "exports_delivery.html", me, "exports", status, d=d, choice=choice,
                  options=OPTIONS, delivery_options=delivery_form.OPTIONS, items=items,
                  item_key=item_key, level_titles=LEVEL_TITLES, columns=arranged_columns(choice.columns),
                  history=history, twins=_twins(d.get("id")), **extra)


@router.get("/exports/deliveries/new")
def new_delivery(request: Request, me: Staff) -> Response:
    """The form of a new delivery, in the time zone of the company's first site."""
    with read_tx(engine_of(request)) as conn:
        sites = list_sites(conn, me.company_id)
    blank = delivery_form.blank_delivery(sites[0]["timezone"] if sites else "UTC")
    choice = ExportChoice(level=blank["level"], interval=blank["interval"])
    return _form_page(request, me, blank, choice)


@router.post("/exports/deliveries")
async def create_delivery(request: Request, me: Staff, _form: Form) -> Response:
    """Save a new delivery; a refused field is named and the form keeps what was typed."""
    values = await request.form()
    choice = choice_from(values, datetime.now(UTC).date())
    fields = delivery_form.posted_fields(values, choice)
    try:
        checked = delivery_form.create_fields(fields)
        with write_tx(engine_of(request)) as conn:
            row = store.create_delivery(conn, me.company_id, checked,
                                        secret_box(request.app.state.settings), utcnow())
    except EstateError as error:
        return _form_page(request, me, delivery_form.shown(fields, None, False), choice, 422,
                          error=error.message)
    return RedirectResponse(f"{BASE}/{row['id']}?saved=1", status_code=303)


@router.get("/exports/deliveries/{delivery_id:int}")
def delivery_page(request: Request, me: Staff, delivery_id: int, saved: str | None = None,
                  ran: str | None = None) -> Response:
    """One delivery: its settings to edit, its actions, and its run history."""
    row = _owned(request, me, delivery_id)
    return _form_page(request, me, store.public(row), choice_of_delivery(row), saved=saved, ran=ran)


@router.get("/exports/deliveries/{delivery_id:int}.{fmt}")
def delivery_data(request: Request, me: Staff, delivery_id: int, fmt: str) -> Response:
    """The delivery (no password) and its run history as JSON; the history as CSV."""
    if fmt not in TWINS:
        raise PortalError(404, f"no .{fmt} twin: use .json or .csv")
    shown = store.public(_owned(request, me, delivery_id))
    history = _history(request, me, delivery_id)
    body = {"delivery": {str(k): _plain(v) for k, v in shown.items()}, "runs": history}
    return twin(fmt, body, history, RUN_COLUMNS, f"delivery-{delivery_id}-runs")


@router.post("/exports/deliveries/{delivery_id:int}")
async def update_delivery(request: Request, me: Staff, _form: Form, delivery_id: int) -> Response:
    """Save changes; a blank password keeps the stored one."""
    row = _owned(request, me, delivery_id)
    values = await request.form()
    choice = choice_from(values, datetime.now(UTC).date())
    fields = delivery_form.posted_fields(values, choice)
    try:
        checked = delivery_form.update_fields(fields)
        with write_tx(engine_of(request)) as conn:
            store.update_delivery(conn, me.company_id, delivery_id, checked,
                                  secret_box(request.app.state.settings), utcnow())
    except EstateError as error:
        shown = delivery_form.shown(fields, delivery_id, bool(row["password_sealed"]))
        return _form_page(request, me, shown, choice, 422, error=error.message)
    return RedirectResponse(f"{BASE}/{delivery_id}?saved=1", status_code=303)


def _change(request: Request, me: PortalUser, delivery_id: int,
            act: Callable[[Any], object]) -> None:
    try:
        with write_tx(engine_of(request)) as conn:
            act(conn)
    except NotFound as error:
        raise PortalError(404, error.message) from None


@router.post("/exports/deliveries/{delivery_id:int}/pause")
def pause_delivery(request: Request, me: Staff, form: Form, delivery_id: int) -> Response:
    """Pause (`active=false`) or resume (`active=true`) a delivery's schedule."""
    active = form.get("active") == "true"
    _change(request, me, delivery_id, lambda conn: store.update_delivery(
        conn, me.company_id, delivery_id, {"active": active},
        secret_box(request.app.state.settings), utcnow()))
    return RedirectResponse(f"{BASE}/{delivery_id}?saved={'resumed' if active else 'paused'}",
                            status_code=303)


@router.post("/exports/deliveries/{delivery_id:int}/delete")
def delete_delivery(request: Request, me: Staff, _form: Form, delivery_id: int) -> Response:
    """Delete a delivery and its history."""
    name = _owned(request, me, delivery_id)["name"]
    _change(request, me, delivery_id,
            lambda conn: store.delete_delivery(conn, me.company_id, delivery_id))
    return RedirectResponse(f"/portal/exports?deleted={name}", status_code=303)


@router.post("/exports/deliveries/{delivery_id:int}/run")
async def run_delivery(request: Request, me: Staff, _form: Form, delivery_id: int) -> Response:
    """Run now for the period the schedule delivered last; answers when the runs are done."""
    from footfall.delivery.service import Hub, run_now  # file transfer loads only when used

    target = Delivery.from_row(_owned(request, me, delivery_id))
    made = await run_now(Hub.from_settings(request.app.state.settings, engine_of(request)), target)
    return RedirectResponse(f"{BASE}/{delivery_id}?ran={len(made)}", status_code=303)


@router.post("/exports/deliveries/{delivery_id:int}/test")
async def test_delivery(request: Request, me: Staff, _form: Form, delivery_id: int) -> Response:
    """Test the destination (sign in and list the folder, or send a test e-mail)."""
    from footfall.delivery.service import Hub, test_destination

    row = _owned(request, me, delivery_id)
    hub = Hub.from_settings(request.app.state.settings, engine_of(request))
    ok, detail = await test_destination(hub, Delivery.from_row(row))
    return _form_page(request, me, store.public(row), choice_of_delivery(row), probe=(ok, detail))
