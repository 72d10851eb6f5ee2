"""Settings › counters: register, edit (site, channel, lines, device API pull login), delete.

The device API password is write-only: it is sealed with the hub's SecretBox into the same
`device_api_login` row the poller reads (`estate.counters` → `device_api.store`), and no
page, twin or log ever holds it again: they say "set" or "not set". A new password can
replace it, or it can be cleared.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.engine import Connection

from footfall.connectors.device_api.config import STEPS
from footfall.connectors.registry import discover
from footfall.domain.records import LineDirection, LineKind
from footfall.estate import counters, lines
from footfall.estate.common import Row
from footfall.estate.errors import Invalid
from footfall.estate.sites import list_sites
from footfall.portal.auth import Form, page
from footfall.portal.sessions import PortalUser
from footfall.portal.settings_crud import Change, Resource, mount, write_item
from footfall.portal.settings_forms import Field, changed, parse, show
from footfall.security.secrets import secret_box
from footfall.settings import Settings

router = APIRouter()
FIELDS = (
    Field("name", "Name"), Field("company_serial", "Company serial"),
    Field("site_id", "Site", "int", widget="site"), Field("channel", "Channel", widget="channel"),
    Field("host", "Host", hint="static address, for pulled channels"), Field("port", "Port", "int"),
    Field("active", "Active", "check", widget="checkbox"),
)
LOGIN = (
    Field("username", "Device API user name"),
    Field("data_type", "Data type", widget="choice", keep_blank=True),
    Field("resolution", "Resolution", widget="choice", keep_blank=True),
    Field("resolution_step", "Step (min or s)", "int", widget="choice", keep_blank=True),
    Field("poll_interval_s", "Pull every (s)", "int", keep_blank=True, hint="60 to 86400"),
)
CHOICES: dict[str, tuple[Any, ...]] = {
    "data_type": ("json", "xml"), "resolution": ("hour", "minute", "second"), "resolution_step": STEPS}
COLUMNS = ["id", "serial", "name", "company_serial", "site_id", "site", "channel", "host", "port", "active",
           "username", "password_set", "data_type", "resolution", "resolution_step", "poll_interval_s",
           "last_seen_at", "created_at"]
MAX_PASSWORD = 200


@lru_cache(maxsize=1)
def channels() -> tuple[str, ...]:
    """The channel keys of the installed connectors."""
    return tuple(sorted(discover().specs))


def _detailed(conn: Connection, company_id: int, rows: list[Row]) -> list[Row]:
    codes = {s["id"]: s["code"] for s in list_sites(conn, company_id)}
    return [{**row, "site": codes.get(row["site_id"])} for row in counters.with_pull_details(conn, rows)]


def _one(conn: Connection, company_id: int, counter_id: int) -> Row:
    row = _detailed(conn, company_id, [counters.get_counter(conn, company_id, counter_id)])[0]
    return {**row, "lines": lines.list_lines(conn, company_id, counter_id)}


def _fields(form: dict[str, str], settings: Settings) -> dict[str, Any]:
    """The counter's typed fields, the new device password sealed (blank: kept as it is)."""
    values = {**parse(FIELDS, form), **parse(LOGIN, form)}
    password = form.get("password", "")
    if len(password) > MAX_PASSWORD:
        raise Invalid(f"password is longer than {MAX_PASSWORD} characters", field="password")
    if password:
        values["password_sealed"] = secret_box(settings).seal(password)
    return values


def _create(c: Change, form: dict[str, str]) -> Row:
    values = {k: v for k, v in _fields(form, c.settings).items() if v is not None}
    return counters.create_counter(c.conn, c.me.company_id, form.get("serial", ""), **values)


def _update(c: Change, row: Row, form: dict[str, str]) -> None:
    counters.update_counter(c.conn, c.me.company_id, row["id"], changed(_fields(form, c.settings), row))


def _extras(conn: Connection, me: PortalUser, _row: Row | None) -> dict[str, Any]:
    return {"fields": FIELDS, "login": LOGIN, "choices": CHOICES, "channels": channels(),
            "sites": list_sites(conn, me.company_id), "kinds": [k.value for k in LineKind],
            "directions": [d.value for d in LineDirection]}


COUNTERS = Resource(
    "settings_counters", "/settings/counters", "counter", ("settings_counters.html", "settings_counter.html"),
    COLUMNS,
    rows=lambda conn, company_id: _detailed(conn, company_id, counters.list_counters(conn, company_id)),
    one=_one,
    show=lambda row: {**show(FIELDS, row), **show(LOGIN, row)},
    create=_create, update=_update,
    delete=lambda c, row: counters.delete_counter(c.conn, c.me.company_id, row["id"]),
    extras=_extras, blank={"active": "on"},
)
mount(router, COUNTERS)
Staff = Depends(page(COUNTERS.page))


@router.post("/settings/counters/{item_id:int}/password/clear", include_in_schema=False)
def clear_password(request: Request, item_id: int, form: Form, me: PortalUser = Staff) -> Response:
    """Forget the counter's device API password (pulling stops until a new one is set)."""
    return write_item(request, COUNTERS, me, item_id, form, lambda c, row: counters.update_counter(
        c.conn, c.me.company_id, row["id"], {"password_sealed": None}), "password_cleared")


def _save_lines(c: Change, row: Row, form: dict[str, str]) -> None:
    for line in row["lines"]:
        asked = {"name": (form.get(f"name_{line['id']}") or "").strip() or None,
                 "kind": form.get(f"kind_{line['id']}", line["kind"]),
                 "direction": form.get(f"direction_{line['id']}", line["direction"])}
        lines.update_line(c.conn, c.me.company_id, line["id"], changed(asked, line), row["id"])


@router.post("/settings/counters/{item_id:int}/lines", include_in_schema=False)
def save_lines(request: Request, item_id: int, form: Form, me: PortalUser = Staff) -> Response:
    """Rename the counter's lines or change their kind and direction (which restates its data)."""
    return write_item(request, COUNTERS, me, item_id, form,
                      lambda c, row: _save_lines(c, row, form), "saved")
